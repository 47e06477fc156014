"""Run the command line: python -m surveys COMMAND --db PATH ..."""

import sys

from surveys.quick_start import import_sqlite_utils

# Before anything else imports it, so pandas is not loaded at start-up. `check` needs no
# database unless it is given --db, and then loads sqlite-utils the same way itself.
if sys.argv[1:2] != ["check"]:
    import_sqlite_utils()

from surveys.cli import main  # noqa: E402

sys.exit(main())
