"""The fixed value sets of the PBX's configuration objects, shared by the engine's rules and
the API's declarations (so the OpenAPI description lists exactly what the engine accepts).

Where the vendor's documents spell one value two ways (``RRmemory`` / ``Rrmemory``,
``Hangup`` / ``Hang up``), the first spelling here is the one the PBX answers with and
:data:`ALIASES` lists the others a request may use.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import get_args

from yspbx.pbx.models import ForwardTarget, InboundDestType, MonitorMode, PagingDuplex, SipTrunkType

# The sets the config file's types already fix are read from them, so the two never differ.
FORWARD_TARGETS: tuple[str, ...] = get_args(ForwardTarget)
MONITOR_MODES: tuple[str, ...] = get_args(MonitorMode)
RING_TIMEOUTS = (15, 30, 60, 120, 300)
MAX_DURATIONS = ("Follow System", "Unlimited", "60", "300", "600", "900", "1800", "3600", "6000")

TRUNK_TYPES: tuple[str, ...] = get_args(SipTrunkType)
INBOUND_DEST_TYPES: tuple[str, ...] = get_args(InboundDestType)

RING_STRATEGIES = ("Ring All", "Least Recent", "Fewest Calls", "Random", "Rrmemory", "Linear")
QUEUE_ACTIONS = (
    "Hang up",
    "Extension",
    "Voicemail",
    "IVR",
    "Ring Group",
    "Queue",
    "Conference",
    "Fax to Email",
    "Dial by Name",
)
AGENT_TIMEOUTS = (10, 20, 30, 40, 50)
WRAPUP_TIMES = (10, 20, 30, 40, 50)
RETRY_TIMES = (10, 20, 30, 40, 50)
MAX_WAIT_TIMES = (300, 600, 900, 1200, 1800)
ANNOUNCE_FREQUENCIES = (0, 15, 30, 45, 60, 120, 180, 240, 300, 600, 1200)
BREAKOUT_KEYS = ("None", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#")

PAGING_DUPLEX: tuple[str, ...] = get_args(PagingDuplex)

# Other spellings a request may use, by the canonical value they mean.
ALIASES: dict[str, tuple[str, ...]] = {
    "Rrmemory": ("RRmemory",),
    "Hang up": ("Hangup",),
    "Dial by Name": ("Dial by name",),
}


def _fold(value: str) -> str:
    return "".join(value.split()).lower()


def canonical(value: str, choices: Iterable[str]) -> str:
    """The canonical spelling of ``value`` among ``choices`` (ignoring case and spaces), or
    ``value`` itself when it matches none, for the engine to refuse."""
    folded = _fold(value)
    for choice in choices:
        if _fold(choice) == folded:
            return choice
    return value


def spellings(choices: Iterable[str]) -> tuple[str, ...]:
    """Every accepted spelling of ``choices``, for an API declaration."""
    result: list[str] = []
    for choice in choices:
        result += [choice, *ALIASES.get(choice, ())]
    return tuple(result)
