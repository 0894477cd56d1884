"""The README and docs travel with the code: every relative link resolves inside a clone, and none points
outside the repository (the project must stand on its own)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_every_relative_link_in_readme_and_docs_resolves_inside_the_repository() -> None:
    broken = []
    for document in _documents():
        for target in LINK.findall(document.read_text()):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue  # a URL or an anchor in the same page
            path = (document.parent / target.split("#", 1)[0]).resolve()
            if not path.is_relative_to(ROOT) or not path.exists():
                broken.append(f"{document.relative_to(ROOT)} → {target}")
    assert broken == []


def test_the_domain_rules_are_in_the_repository() -> None:
    rules = (ROOT / "docs" / "domain.md").read_text()
    for rule in ("R-10", "R-25", "R-31", "R-42", "R-61", "R-73", "R-90", "R-98"):
        assert f"- {rule} " in rules
