"""`python -m archive ...` runs the `bantin` command (archive.cli is then imported only once)."""

import sys

from archive.cli import main

sys.exit(main())
