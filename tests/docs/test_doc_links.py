"""Every relative link in README.md and docs/ resolves inside the repository.

A clone must stand alone: a link to a file that is not there, to a heading that is not there,
or out of the repository (``../shared/...``) is a broken doc. Links to the web are left alone;
links inside code (fenced blocks, inline code) are not links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.support.docs import ROOT

_INLINE = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$")
_HTML = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']""")
_CODE_SPAN = re.compile(r"(`+).+?\1")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Link:
    source: Path
    line: int
    target: str

    def __str__(self) -> str:
        return f"{self.source.relative_to(ROOT)}:{self.line}: {self.target}"


def doc_files(root: Path = ROOT) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").rglob("*.md"))]


def links(path: Path) -> list[Link]:
    """The links of a Markdown file, outside code."""
    found: list[Link] = []
    fenced = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        text = _CODE_SPAN.sub("", line)
        for pattern in (_INLINE, _REFERENCE, _HTML):
            found.extend(Link(path, number, m.group(1)) for m in pattern.finditer(text))
    return found


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens.

    Underscores stay (``queue/add_dynamicagent`` is ``#queueadd_dynamicagent``), as GitHub keeps
    them; only the code and emphasis marks are dropped."""
    text = re.sub(r"[`*]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found: set[str] = set()
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        heading = None if fenced else _HEADING.match(line)
        if heading:
            base = slug(heading.group(1))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def problem(link: Link, root: Path = ROOT) -> str | None:
    """Why ``link`` does not resolve inside ``root``, or None when it does."""
    target = link.target
    if _SCHEME.match(target) or target.startswith("//"):
        return None  # the web, mail: not the repository's to check
    path_part, _, fragment = target.partition("#")
    path_part = unquote(path_part.split("?", 1)[0])
    if path_part.startswith("/"):
        return "an absolute path: link relative to the file instead"
    resolved = (link.source.parent / path_part).resolve() if path_part else link.source
    if not resolved.is_relative_to(root.resolve()):
        return "points outside the repository"
    if not resolved.exists():
        return "no such file"
    if fragment and resolved.suffix == ".md" and unquote(fragment) not in anchors(resolved):
        return f"no heading #{fragment} in {resolved.relative_to(root.resolve())}"
    return None


def test_every_relative_link_of_the_docs_resolves() -> None:
    broken = [
        f"{link}: {why}"
        for path in doc_files()
        for link in links(path)
        if (why := problem(link)) is not None
    ]
    assert broken == []


def test_the_docs_have_links_to_check() -> None:
    checked = [link for path in doc_files() for link in links(path)]
    assert len(checked) >= 5
    assert any(link.target.startswith("configuration.md#") for link in checked)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[the spec](../../shared/spec/endpoints.md)", "points outside the repository"),
        ("see [events](../../shared/spec/events.md#42)", "points outside the repository"),
        ("[the spec](../shared/spec/endpoints.md)", "no such file"),
        ("[gone](no-such-page.md)", "no such file"),
        ("[calls](calls.md#no-such-heading)", "no heading #no-such-heading in docs/calls.md"),
        ("[root](/etc/passwd)", "an absolute path: link relative to the file instead"),
        ('<a href="../../shared/spec/auth.md">auth</a>', "points outside the repository"),
        ("[ref]: ../../shared/spec/v2.md", "points outside the repository"),
        ("[calls](calls.md#the-model)", None),
        ("[here](#a-heading)", None),
        ("[site](https://example.com/x.md)", None),
        ("`[not a link](../shared/spec)`", "nothing"),
    ],
)
def test_the_checker_catches_what_a_clone_lacks(
    tmp_path: Path, text: str, expected: str | None
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "calls.md").write_text("# Calls\n\n## The model\n", encoding="utf-8")
    page = docs / "page.md"
    page.write_text(f"# Page\n\n## A heading\n\n{text}\n", encoding="utf-8")
    found = links(page)
    if expected == "nothing":
        assert found == []
        return
    (link,) = found
    assert problem(link, tmp_path) == expected
