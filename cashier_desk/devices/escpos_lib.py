"""python-escpos, loaded when a printer is opened or a receipt encoded — never on import.

Importing python-escpos has side effects: ``escpos/capabilities.py`` calls
``logging.basicConfig()``, makes a new temporary folder (``mkdtemp()``, even when told where to
cache), and reads or writes its printer-profile cache — a pickle in
``ESCPOS_CAPABILITIES_PICKLE_DIR``, by default in that new temporary folder, so every process
would re-parse the profiles (a quarter of a second) and leave a folder behind.  So no module of
cashier_desk imports it at the top; :func:`load` does, once, when a device needs it:

* the cache is kept in the user's cache folder (``cashier-desk/escpos``), and a cache file that
  does not load (torn by a start killed while python-escpos wrote it) is thrown away first;
* the environment variable is set only for the import and then put back as it was;
* the temporary folder python-escpos makes is made inside the cache folder's ``tmp`` and
  removed;
* a log handler ``basicConfig`` adds to an unconfigured root logger is taken away again (the
  counter's terminal is for messages to people; the log goes to the data folder's file).
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

import platformdirs

_ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"
_lock = threading.Lock()
_loaded = False


def cache_folder() -> Path:
    """Where python-escpos's profile cache is kept (unless ``ESCPOS_CAPABILITIES_PICKLE_DIR``
    says otherwise)."""
    return Path(platformdirs.user_cache_dir("cashier-desk", appauthor=False)) / "escpos"


def load() -> None:
    """Import python-escpos (once per process), with its side effects kept in bounds."""
    global _loaded
    if _loaded:
        return
    with _lock:
        if _loaded:
            return
        _import()
        _loaded = True


def _import() -> None:
    given = os.environ.get(_ENV)
    folder = Path(given) if given else cache_folder()
    scratch: Path | None = None
    try:
        tmp = folder / "tmp"  # python-escpos's mkdtemp() lands in here
        tmp.mkdir(parents=True, exist_ok=True)
        _empty(tmp)  # what a start killed while importing left behind
        _drop_torn_cache(folder)
        scratch = tmp
    except OSError:
        pass  # an unwritable home: python-escpos falls back to its own folders
    root = logging.getLogger()
    handlers = list(root.handlers)
    saved_tempdir = tempfile.tempdir
    try:
        if scratch is not None:
            os.environ[_ENV] = str(folder)
            tempfile.tempdir = str(scratch)
        import escpos.escpos
        import escpos.printer  # noqa: F401
    finally:
        tempfile.tempdir = saved_tempdir
        if given is None:
            os.environ.pop(_ENV, None)
        if scratch is not None:
            _empty(scratch)
        if not handlers:
            for handler in list(root.handlers):
                root.removeHandler(handler)


def _empty(folder: Path) -> None:
    for child in folder.iterdir():
        shutil.rmtree(child, ignore_errors=True)


def _drop_torn_cache(folder: Path) -> None:
    for path in folder.glob("*.capabilities.pickle"):
        try:
            with path.open("rb") as fh:
                pickle.load(fh)  # a few milliseconds; python-escpos reads it again anyway
        except Exception:
            with contextlib.suppress(OSError):
                path.unlink()


def dummy(**kwargs: Any) -> Any:
    """python-escpos's recording printer (``Dummy``): it encodes, nothing is sent."""
    load()
    from escpos.printer import Dummy

    return Dummy(**kwargs)
