"""`python -m engine …`: the headless command line without the console."""

from engine.cli import main
from engine.system.leave import leave

leave(main())
