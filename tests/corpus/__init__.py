"""A corpus of real recurrent models and real wrong calls, from public repositories and issues."""
