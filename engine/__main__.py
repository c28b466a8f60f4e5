"""`python -m engine …`: the headless command line without the console."""

import sys

from engine.cli import main

sys.exit(main())
