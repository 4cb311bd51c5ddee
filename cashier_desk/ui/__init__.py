"""The cashier's window (PySide6). The only package that imports Qt, and only through ``qt``."""
