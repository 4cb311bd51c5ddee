"""The frozen program's entry point: the ``cashier-desk`` command."""

from cashier_desk.cli import entry

if __name__ == "__main__":
    entry()
