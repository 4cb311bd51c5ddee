"""`cashier-desk screenshots` renders every main screen (the README's pictures come from it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cashier_desk.ui.screenshots import SHOTS, take_screenshots


def test_screenshots_renders_each_main_screen(tmp_path: Path, qtbot: Any) -> None:
    saved = take_screenshots(tmp_path)
    assert [p.stem for p in saved] == list(SHOTS)
    for path in saved:
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 5000, path.name


def test_the_readme_shows_the_screenshots() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for name in SHOTS:
        assert f"docs/screenshots/{name}.png" in readme
