"""`cashier-desk screenshots` renders every main screen (the README's pictures come from it) on
a 1366×768 screen, and the same day played on 1366×768 and 1280×1024 shows every screen whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.cli import main
from cashier_desk.ui.screenshots import SCREEN, SHOTS, play_screens

#: What a 768-high screen leaves a window under a title bar and a desktop panel.
ROOM_ON_768 = 700


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG"), path.name
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_screenshots_renders_each_main_screen_at_1366x768(
    tmp_path: Path, qtbot: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["screenshots", str(tmp_path)]) == 0  # 1 when a screen shows something cut
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    saved = [Path(line["screenshot"]) for line in printed]
    assert [p.stem for p in saved] == list(SHOTS)
    for path in saved:
        assert path.stat().st_size > 5000, path.name
        if path.stem != "05-void-approval":  # that one is the dialog alone
            assert _png_size(path) == SCREEN, path.name


@pytest.mark.parametrize("screen", [(1366, 768), (1280, 1024)], ids=["1366x768", "1280x1024"])
def test_every_screen_shows_whole(tmp_path: Path, qtbot: Any, screen: tuple[int, int]) -> None:
    played = play_screens(tmp_path, screen)
    assert played.clipped == []
    # and no screen of the day needs more than the screen leaves a window
    assert played.needed.width() <= min(screen[0], 1280)
    assert played.needed.height() <= ROOM_ON_768


def test_the_readme_shows_the_screenshots() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for name in SHOTS:
        assert f"docs/screenshots/{name}.png" in readme
