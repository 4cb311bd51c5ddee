"""Devices at the counter: the device model, drivers, receipt layout, and simulators (sim/)."""

from __future__ import annotations

import contextlib
import os
import pickle
from pathlib import Path

import platformdirs

# python-escpos caches its printer profiles in a pickle under a NEW temporary folder on every
# import unless told where to keep it: it then re-reads its JSON (a quarter of a second) and
# leaves a folder behind each time.  Keep the cache in the user's cache folder instead.
# python-escpos writes that pickle in place, so a start killed while it writes leaves a torn
# file that would stop every later start: a cache that does not load is thrown away first.
if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
    _cache = Path(platformdirs.user_cache_dir("cashier-desk", appauthor=False)) / "escpos"
    try:
        _cache.mkdir(parents=True, exist_ok=True)
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(_cache)
    except OSError:
        pass  # an unwritable home: python-escpos falls back to its temporary folder


def _drop_torn_profile_cache() -> None:
    folder = os.environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR")
    if not folder:
        return
    for path in Path(folder).glob("*.capabilities.pickle"):
        try:
            with path.open("rb") as fh:
                pickle.load(fh)  # a few milliseconds; python-escpos reads it again anyway
        except Exception:
            with contextlib.suppress(OSError):
                path.unlink()


_drop_torn_profile_cache()
