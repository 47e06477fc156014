"""Run the command line: python -m surveys COMMAND --db PATH ..."""

import sys

from surveys.cli import STANDALONE_COMMANDS, main
from surveys.quick_start import import_sqlite_utils

# Before anything else imports it, so pandas is not loaded at start-up. A standalone command
# (`check`) needs no database unless it is given --db, and then loads sqlite-utils the same way.
if not sys.argv[1:2] or sys.argv[1] not in STANDALONE_COMMANDS:
    import_sqlite_utils()

sys.exit(main())
