"""The leg state machine, dial patterns and routing, as plain units."""

from __future__ import annotations

import io
import wave

import pytest

from yspbx.errors import Errno, PbxError
from yspbx.pbx.simulated.calls.call_targets import (
    NO_PERMISSION,
    NOT_FOUND,
    ExtensionTarget,
    ExternalTarget,
    IvrTarget,
    QueueTarget,
)
from yspbx.pbx.simulated.calls.model import (
    TRANSITIONS,
    IllegalTransition,
    Leg,
    LegKind,
    LegState,
    Role,
)
from yspbx.pbx.simulated.calls.patterns import matches, matches_prefix
from yspbx.pbx.simulated.calls.recordings import MAX_SECONDS, tone_wav
from yspbx.pbx.simulated.calls.routing import Router
from yspbx.pbx.simulated.config import SimulatedConfig
from yspbx.pbx.simulated.events import EventBus
from yspbx.settings import load_settings
from yspbx.store.memory import MemoryStore


def leg(state: LegState) -> Leg:
    return Leg(LegKind.EXTENSION, "1001", Role.CALLEE, state)


@pytest.mark.parametrize("start", list(LegState))
@pytest.mark.parametrize("end", list(LegState))
def test_only_declared_transitions_are_taken(start: LegState, end: LegState) -> None:
    subject = leg(start)
    if end in TRANSITIONS[start]:
        assert subject.move(end) is start
        assert subject.state is end
    else:
        with pytest.raises(IllegalTransition):
            subject.move(end)
        assert subject.state is start


def test_every_state_can_end_and_ended_is_final() -> None:
    assert all(LegState.ENDED in TRANSITIONS[s] for s in LegState if s is not LegState.ENDED)
    assert TRANSITIONS[LegState.ENDED] == frozenset()


def test_a_leg_is_up_once_it_answered() -> None:
    subject = leg(LegState.RINGING)
    assert not subject.up
    subject.move(LegState.TALKING)
    subject.move(LegState.ENDED)
    assert subject.up
    assert not subject.live


@pytest.mark.parametrize(
    ("pattern", "number", "expected"),
    [
        ("", "anything", True),
        ("5503302", "5503302", True),
        ("5503302", "55033021", False),
        ("_XXXX", "1234", True),
        ("XXXX", "123", False),
        ("NXX", "199", False),
        ("ZXX", "199", True),
        ("06.", "0612", True),
        ("06.", "06", False),
        ("06!", "06", True),
        ("[1-3]X", "25", True),
        ("[1-3]X", "45", False),
        ("[137]", "7", True),
        ("[1-", "1", False),
    ],
)
def test_whole_number_patterns(pattern: str, number: str, expected: bool) -> None:
    assert matches(pattern, number) is expected


@pytest.mark.parametrize(
    ("pattern", "number", "expected"),
    [
        ("0", "0698765432", True),
        ("0", "1698765432", False),
        ("9", "90611", True),
        ("0X.", "0", False),
        ("", "0", False),
    ],
)
def test_outbound_prefixes(pattern: str, number: str, expected: bool) -> None:
    assert matches_prefix(pattern, number) is expected


@pytest.fixture
def router() -> Router:
    return Router(SimulatedConfig(load_settings(), MemoryStore("memory://").state, EventBus()))


def test_internal_numbers(router: Router) -> None:
    assert router.internal("1001") == ExtensionTarget("1001")
    assert router.internal("6200") == IvrTarget("6200")
    assert router.internal("6700") == QueueTarget("6700")
    assert router.internal("0698765432") is None


def test_outbound_routes_strip_prepend_and_permissions(router: Router) -> None:
    assert router.outbound("0698765432", "1001") == ExternalTarget(
        "0698765432", "SIP-Carrier", "0698765432", "External", "1001"
    )
    gsm = router.outbound("90611223344", "1002")
    assert isinstance(gsm, ExternalTarget)
    assert (gsm.trunk, gsm.trunk_number) == ("GSM1", "0611223344")
    assert router.outbound("90611223344", "1009") is NO_PERMISSION
    assert router.outbound("0698765432", "1006") is NO_PERMISSION
    assert router.outbound("5555", "1001") is None
    assert router.dialled_by("1001", "5555") is NOT_FOUND


def test_inbound_routing_order(router: Router) -> None:
    assert router.inbound("SIP-Carrier", "0612", "5503302") == IvrTarget("6200")
    assert router.inbound("SIP-Carrier", "0612", "5503303") == QueueTarget("6700")
    assert router.inbound("SIP-Carrier", "0612", "1003") == ExtensionTarget("1003")
    assert router.inbound("SIP-Carrier", "0612", "777") == ExtensionTarget("1000")
    assert router.inbound("GSM1", "0612", "5503302") == ExtensionTarget("1000")


def test_api_destinations_and_their_errnos(router: Router) -> None:
    assert router.for_api("6200", "") == IvrTarget("6200")
    assert isinstance(router.for_api("0698765432", ""), ExternalTarget)
    for number, fromext, errno in (
        ("6299", "", Errno.IVR_NOT_FOUND),
        ("6399", "", Errno.RINGGROUP_NOT_FOUND),
        ("6799", "", Errno.QUEUE_NOT_FOUND),
        ("1999", "", Errno.EXTENSION_NOT_FOUND),
        ("0698765432", "1006", Errno.NO_OUTBOUND_PERMISSION),
        ("0698765432", "9999", Errno.EXTENSION_NOT_FOUND),
    ):
        with pytest.raises(PbxError) as raised:
            router.for_api(number, fromext)
        assert raised.value.errno is errno


@pytest.mark.parametrize(
    ("seconds", "frames"), [(0, 4000), (2, 16000), (3600, int(8000 * MAX_SECONDS))]
)
def test_recordings_are_valid_small_wav_files(seconds: float, frames: int) -> None:
    data = tone_wav(seconds)
    assert data[:4] == b"RIFF"
    assert data[8:12] == b"WAVE"
    with wave.open(io.BytesIO(data)) as audio:
        assert audio.getnframes() == frames
        assert audio.getframerate() == 8000
