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

# The status words ``trunklist/query`` writes, by trunk type, as current firmware writes them:
# in lower case, run together (``nosim``, ``poweroff``). The old guide's capitalised forms
# (``Registered``, ``No SIM``) are an older firmware's; docs/fidelity.md has the evidence.
_VOIP_STATUS = ("registering", "failure", "registered", "unmonitored", "disable", "unknown")
_DIGITAL_STATUS = ("fault", "alarm", "down", "up")
_GSM_STATUS = ("poweroff", "alarm", "nosim", "nosignal", "pinerror", "unregister", "busy", "idle")
TRUNK_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "SIP": _VOIP_STATUS,
    "IAX": _VOIP_STATUS,
    "FXO": ("fault", "idle", "busy"),
    **dict.fromkeys(("BRI", "E1", "T1", "J1"), _DIGITAL_STATUS),
    **dict.fromkeys(("GSM", "CDMA", "UMTS", "LTE"), _GSM_STATUS),
}

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


def trunk_status_word(trunk_type: str, status: str) -> str:
    """The word a unit writes for a trunk's status. A configured status is matched ignoring
    case and spaces (``Registered``, ``No SIM`` and ``no sim`` all name one word); a word the
    trunk type does not have is written as configured."""
    return canonical(status, TRUNK_STATUS_WORDS.get(trunk_type, ()))


def spellings(choices: Iterable[str]) -> tuple[str, ...]:
    """Every accepted spelling of ``choices``, for an API declaration."""
    result: list[str] = []
    for choice in choices:
        result += [choice, *ALIASES.get(choice, ())]
    return tuple(result)
