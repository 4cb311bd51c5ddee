"""The README and the docs point at files a clone has: every relative link resolves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves_in_the_clone(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    missing = [
        target
        for target in LINK.findall(text)
        if "://" not in target and not (doc.parent / target).exists()
    ]
    assert missing == []


def test_the_readme_links_the_command_line_contract() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/spec/headless.md)" in text
    assert "../shared" not in text
