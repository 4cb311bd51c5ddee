"""Running ``cashier-desk`` as an account outside the team: tests and CI run as root, and root
ignores file permissions, so a test of permissions runs the command as ``nobody``
(``runuser``).  ``nobody`` needs an interpreter and a package it may read: the test's own
interpreter when it can, else the system's of the same version with this environment's
packages on ``PYTHONPATH``; a folder for the data that ``nobody`` may enter (``/tmp`` itself,
not pytest's private temporary folder)."""

from __future__ import annotations

import functools
import os
import shutil
import site
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import cashier_desk

REPO = Path(cashier_desk.__file__).resolve().parents[1]


def _env() -> list[str]:
    path = os.pathsep.join([str(REPO), *site.getsitepackages()])
    return ["env", "-i", "PATH=/usr/bin:/bin", "HOME=/tmp", "LANG=C.UTF-8", f"PYTHONPATH={path}"]


@functools.cache
def _command() -> tuple[str, ...] | None:
    """How ``nobody`` runs the package here, or None when it cannot."""
    if os.geteuid() != 0:
        return (sys.executable,)  # not root: permissions already apply to this account
    if shutil.which("runuser") is None:
        return None
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for python in (sys.executable, os.path.realpath(sys.executable), f"/usr/bin/python{version}"):
        cmd = ("runuser", "-u", "nobody", "--", *_env(), python)
        probe = subprocess.run(
            [*cmd, "-c", "import cashier_desk.cli"], capture_output=True, timeout=60, check=False
        )
        if probe.returncode == 0:
            return cmd
    return None


def as_nobody(data_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``cashier-desk --data-dir DATA_DIR ARGS`` as the unprivileged account."""
    cmd = _command()
    if cmd is None:
        pytest.skip("no way to run the package as an unprivileged account here")
    return subprocess.run(
        [*cmd, "-m", "cashier_desk", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=False,
    )


@contextmanager
def open_folder() -> Iterator[Path]:
    """A folder under /tmp that every account may enter (its contents set their own rights);
    removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="cashier-desk-ro-", dir="/tmp"))
    try:
        folder.chmod(0o755)
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(folder)


def make_read_only(folder: Path) -> None:
    """Every file readable and nothing writable by anyone but root (who owns them)."""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
