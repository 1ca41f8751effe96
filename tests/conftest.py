"""Unit-test set-up: headless matplotlib."""

import matplotlib

matplotlib.use("Agg")
