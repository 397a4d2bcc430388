"""`python -m bantin ...` runs the `bantin` command."""

import sys

from bantin.main import main

sys.exit(main())
