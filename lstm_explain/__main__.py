"""``python -m lstm_explain`` is the ``lstm-explain`` command."""

from .cli import main

raise SystemExit(main())
