"""Reading the project's Markdown docs in tests: their code blocks, their links.

Examples in the docs are run by tests (the minimal config, the SDK tour), so a doc that drifts
from the code fails the suite rather than the next new user.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

_FENCE = re.compile(r"^```(\w*)\s*$")
_HEADING = re.compile(r"^(#+)\s+(.*?)\s*$")


def code_blocks(path: Path, language: str, section: str | None = None) -> list[str]:
    """The ``language`` code blocks of ``path``, in order; with ``section``, only those under
    the heading of that title (down to the next heading of the same or a higher level)."""
    blocks: list[str] = []
    fenced = False  # inside a code block of any language
    lines: list[str] | None = None  # the lines of a block being kept
    in_section = section is None
    section_level = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        fence = _FENCE.match(line)
        if fenced:
            if fence and not fence.group(1):
                if lines is not None:
                    blocks.append("\n".join(lines) + "\n")
                fenced, lines = False, None
            elif lines is not None:
                lines.append(line)
            continue
        if fence:
            fenced = True
            lines = [] if fence.group(1) == language and in_section else None
            continue
        heading = _HEADING.match(line)
        if heading and section is not None:
            level = len(heading.group(1))
            if heading.group(2) == section:
                in_section, section_level = True, level
            elif in_section and level <= section_level:
                in_section = False
    return blocks
