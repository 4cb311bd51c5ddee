"""The frozen program's entry point: the ``cashier-desk`` command."""

import sys

from cashier_desk.cli import main

if __name__ == "__main__":
    sys.exit(main())
