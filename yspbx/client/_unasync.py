"""Write the synchronous area classes from the asynchronous ones.

The area methods of ``Client`` and ``AsyncClient`` differ only by ``async``/``await``, so one is
written by hand (``_areas/_async``) and the other derived from it (``_areas/_sync``), the way
httpcore keeps its twins. Run ``python -m yspbx.client._unasync`` after changing an area;
``--check`` (used by the tests) fails when the generated files are out of date.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

AREAS = Path(__file__).parent / "_areas"
SOURCE = AREAS / "_async"
TARGET = AREAS / "_sync"

_SUBSTITUTIONS = (
    (re.compile(r"yspbx\.client\._areas\._async"), "yspbx.client._areas._sync"),
    (re.compile(r"yspbx\.client\._async_client"), "yspbx.client._client"),
    (re.compile(r"\basync def "), "def "),
    (re.compile(r"\bawait "), ""),
    (re.compile(r"\bAsync([A-Z]\w*)"), r"\1"),
)


def _header(name: str) -> str:
    return f"# Generated from _async/{name} by `python -m yspbx.client._unasync`: do not edit.\n"


def unasync(text: str) -> str:
    for pattern, replacement in _SUBSTITUTIONS:
        text = pattern.sub(replacement, text)
    return text


def _formatted(text: str, path: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(path), "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def generated() -> dict[Path, str]:
    """What every file under ``_sync`` must contain."""
    files: dict[Path, str] = {}
    for source in sorted(SOURCE.glob("*.py")):
        target = TARGET / source.name
        text = _header(source.name) + unasync(source.read_text(encoding="utf-8"))
        files[target] = _formatted(text, target)
    return files


def stale() -> list[Path]:
    """The generated files that differ from what is on disk (or are missing, or extra)."""
    expected = generated()
    present = set(TARGET.glob("*.py"))
    out_of_date = [
        path
        for path, text in expected.items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    return sorted(out_of_date + [path for path in present if path not in expected])


def main(argv: list[str]) -> int:
    if "--check" in argv:
        paths = stale()
        for path in paths:
            print(f"out of date: {path}", file=sys.stderr)
        return 1 if paths else 0
    TARGET.mkdir(exist_ok=True)
    expected = generated()
    for path in TARGET.glob("*.py"):
        if path not in expected:
            path.unlink()
    for path, text in expected.items():
        path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
