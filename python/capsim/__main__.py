"""`python -m capsim ...`: the `capsim` command, for environments whose
scripts directory is not on PATH."""

import sys

from capsim.cli import main

sys.exit(main())
