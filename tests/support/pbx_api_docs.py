"""Reading the API reference in ``docs/pbx-api/``: its pages, their sections and code blocks.

The reference is prose for people, but its headings, tables and examples follow fixed shapes
(an endpoint or report is a heading ``### `name` ``, a field is written `` `name` ``, an example
is a fenced block), so tests can check it against what the server declares and sends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "pbx-api"

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
_FENCE = re.compile(r"^```(\w*)\s*$")
_CODE_NAME = re.compile(r"^`([^`]+)`$")


@dataclass(frozen=True, slots=True)
class CodeBlock:
    language: str
    text: str


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and what follows it up to the next heading of the same or a higher level.

    ``preamble`` is the text of the parent section before its first sub-heading: what a group
    of endpoints or reports shares (common errnos, notes).
    """

    page: str
    level: int
    title: str
    text: str
    preamble: str
    blocks: tuple[CodeBlock, ...]

    @property
    def name(self) -> str | None:
        """``login`` for a heading written ``### `login` ``; None for a prose heading."""
        match = _CODE_NAME.match(self.title)
        return match.group(1) if match else None

    def mentions(self, word: str) -> bool:
        """Whether the section (with its parent's preamble) writes ``word`` as code."""
        return f"`{word}`" in self.text or f"`{word}`" in self.preamble


def pages() -> list[Path]:
    return sorted(REFERENCE.glob("*.md"))


def _blocks(lines: list[str]) -> tuple[CodeBlock, ...]:
    blocks: list[CodeBlock] = []
    language: str | None = None
    body: list[str] = []
    for line in lines:
        fence = _FENCE.match(line)
        if fence and language is None:
            language, body = fence.group(1), []
        elif line.startswith("```") and language is not None:
            blocks.append(CodeBlock(language, "\n".join(body)))
            language = None
        elif language is not None:
            body.append(line)
    return tuple(blocks)


def sections(page: Path) -> list[Section]:
    """Every section of a page, in order, nested ones included."""
    lines = page.read_text(encoding="utf-8").splitlines()
    headings: list[tuple[int, int, str]] = []
    in_code = False
    for index, line in enumerate(lines):
        if line.startswith("```"):
            in_code = not in_code
            continue
        match = _HEADING.match(line)
        if match and not in_code:
            headings.append((index, len(match.group(1)), match.group(2)))
    result: list[Section] = []
    for position, (start, level, title) in enumerate(headings):
        end = next((i for i, lvl, _ in headings[position + 1 :] if lvl <= level), len(lines))
        body = lines[start + 1 : end]
        parent = next(
            ((i, lvl) for i, lvl, _ in reversed(headings[:position]) if lvl < level), None
        )
        preamble = ""
        if parent is not None:
            first_child = next(i for i, lvl, _ in headings if i > parent[0])
            preamble = "\n".join(lines[parent[0] + 1 : first_child])
        result.append(Section(page.name, level, title, "\n".join(body), preamble, _blocks(body)))
    return result


def all_sections() -> list[Section]:
    return [section for page in pages() for section in sections(page)]
