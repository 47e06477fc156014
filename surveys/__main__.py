"""Run the command line: python -m surveys COMMAND --db PATH ..."""

import sys

from surveys.quick_start import import_sqlite_utils

import_sqlite_utils()  # before anything else imports it, so pandas is not loaded at start-up

from surveys.cli import main  # noqa: E402

sys.exit(main())
