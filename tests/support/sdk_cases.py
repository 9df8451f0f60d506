"""The SDK's endpoint cases: what a method sends and how it reads the documented answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TOKEN = "9b1c0a7e2d3f4c5b6a79880716253443"
CALLID = "1709283555.52"
SN = "369400000123"
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt "
CSV = b"callid,timestart,callfrom,callto\r\n1709283555.52,2024-03-01 09:19:15,2001,2002\r\n"
RECORDING = "20240301091502-1709283302.40-0612345678-2001-Inbound.wav"
RANDOM = "3e9a1f0c5b7d4e2a8c6b0d1f2e3a4b5c"


@dataclass
class Case:
    call: Callable[[Any], Any]
    path: str
    sent: dict[str, Any] | None = None
    answer: dict[str, Any] = field(default_factory=dict)
    check: Callable[[Any], None] = lambda result: None
    method: str = "POST"
    params: dict[str, str] | None = None
    content: bytes | None = None


def none(result: Any) -> None:
    assert result is None


def callid_is(result: Any) -> None:
    assert result == CALLID


def equal(actual: Any, expected: Any) -> None:
    assert actual == expected
