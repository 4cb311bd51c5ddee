"""``python -m cashier_desk`` is the ``cashier-desk`` command."""

import sys

from cashier_desk.cli import main

if __name__ == "__main__":
    sys.exit(main())
