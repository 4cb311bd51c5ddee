"""``python -m cashier_desk`` is the ``cashier-desk`` command."""

from cashier_desk.cli import entry

if __name__ == "__main__":
    entry()
