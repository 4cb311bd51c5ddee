"""Files the program reads at run time — the demo city's CSV files (``demo/``) and the window's
style sheet — installed with the package as package data and found through
``importlib.resources``, so a wheel installed anywhere has them."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def path(*parts: str) -> Path:
    """A resource as a path on disk (pip installs a package as plain files)."""
    return Path(str(resources.files(__name__).joinpath(*parts)))
