"""Run the command line: python -m surveys COMMAND --db PATH ..."""

import sys

from surveys.cli import main

sys.exit(main())
