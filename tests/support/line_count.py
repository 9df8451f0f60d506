"""Counting the lines of yspbx's own code a step runs: a cost that does not depend on the
machine's speed or load, so a test can show it stays flat as the PBX grows."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

import yspbx

T = TypeVar("T")
PACKAGE = str(Path(yspbx.__file__).resolve().parent)


class LineCounter:
    """Counts the lines of yspbx's own code that run."""

    def __init__(self) -> None:
        self.lines = 0

    def _call(self, frame: FrameType, event: str, arg: Any) -> Any:
        return self._line if frame.f_code.co_filename.startswith(PACKAGE) else None

    def _line(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            self.lines += 1
        return self._line

    async def run(self, step: Callable[[], Awaitable[T]]) -> tuple[T, int]:
        """Run ``step`` (a function returning what to await), counting from its first line."""
        previous = sys.gettrace()
        self.lines = 0
        sys.settrace(self._call)
        try:
            result = await step()
        finally:
            sys.settrace(previous)
        return result, self.lines
