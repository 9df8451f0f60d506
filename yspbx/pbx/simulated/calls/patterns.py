"""Dial patterns of inbound and outbound routes, in the PBX's notation.

``X`` any digit, ``Z`` 1-9, ``N`` 2-9, ``[1-5]`` or ``[137]`` one of a set, ``.`` one or more
of anything, ``!`` zero or more of anything; every other character stands for itself. A
leading ``_`` (Asterisk's marker for a pattern) is ignored.

An outbound route's ``prefix`` without ``.`` or ``!`` matches numbers that *begin* with it
(``0`` takes ``0698765432``); every other pattern must match the whole number.

A DID written as a range of numbers, ``5503301-5503310``, matches every number from the first to
the last (an inbound route to an extension range maps the n-th DID to the n-th extension).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_CLASSES = {"X": "[0-9]", "Z": "[1-9]", "N": "[2-9]"}
_RANGE = re.compile(r"(\d+)-(\d+)")


@dataclass(frozen=True, slots=True)
class NumberRange:
    """``first-last``: every number of the same length from ``first`` to ``last``."""

    first: str
    last: str

    @classmethod
    def parse(cls, text: str) -> NumberRange | None:
        """The range ``text`` writes, or None when it is not ``digits-digits`` in order."""
        match = _RANGE.fullmatch(text.strip())
        if match is None:
            return None
        first, last = match.groups()
        if len(first) != len(last) or int(first) > int(last):
            return None
        return cls(first, last)

    def __len__(self) -> int:
        return int(self.last) - int(self.first) + 1

    def position(self, number: str) -> int | None:
        """Where ``number`` is in the range (0 for the first), or None when it is not in it."""
        if len(number) != len(self.first) or not number.isdigit():
            return None
        offset = int(number) - int(self.first)
        return offset if 0 <= offset < len(self) else None

    def at(self, position: int) -> str:
        return str(int(self.first) + position).zfill(len(self.first))


@lru_cache(maxsize=1024)
def _compile(pattern: str, prefix: bool) -> re.Pattern[str] | None:
    text = pattern.strip().removeprefix("_")
    parts: list[str] = []
    open_ended = False
    index = 0
    while index < len(text):
        char = text[index]
        upper = char.upper()
        if upper in _CLASSES:
            parts.append(_CLASSES[upper])
        elif char == ".":
            parts.append(".+")
            open_ended = True
        elif char == "!":
            parts.append(".*")
            open_ended = True
        elif char == "[":
            end = text.find("]", index)
            if end == -1:
                return None
            body = text[index + 1 : end]
            if not re.fullmatch(r"[0-9*#+\-]+", body):
                return None
            parts.append("[" + body.replace("*", r"\*").replace("+", r"\+") + "]")
            index = end
        else:
            parts.append(re.escape(char))
        index += 1
    tail = ".*" if prefix and not open_ended else ""
    try:
        return re.compile("".join(parts) + tail, re.DOTALL)
    except re.error:
        return None


def matches(pattern: str, number: str) -> bool:
    """Whether ``number`` matches the whole ``pattern`` (an empty pattern matches anything)."""
    if not pattern.strip():
        return True
    numbers = NumberRange.parse(pattern)
    if numbers is not None:
        return numbers.position(number) is not None
    compiled = _compile(pattern, False)
    return compiled is not None and compiled.fullmatch(number) is not None


def matches_prefix(pattern: str, number: str) -> bool:
    """An outbound route's test: ``pattern`` as a prefix unless it is open-ended already."""
    if not pattern.strip():
        return False
    compiled = _compile(pattern, True)
    return compiled is not None and compiled.fullmatch(number) is not None
