"""An in-process PBX for event-sequence tests: the real services on a memory store, with every
domain event collected in order (reports delivery is tested over HTTP elsewhere)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from yspbx.pbx.events import (
    CallAlerting,
    CallAnswer,
    CallAnswered,
    CallFailed,
    CallReleased,
    CallRinging,
    CallStatusChanged,
    CallTransferred,
    CdrWritten,
    DomainEvent,
    ExtensionStatusChanged,
    ExtParty,
    InboundCallArrived,
    InboundCallOffered,
    InboundParty,
    KeyPressed,
    OutboundParty,
    Party,
    PromptFinished,
    PromptTrunkParty,
    SmsResult,
    SurveyAnswered,
)
from yspbx.pbx.models import Cdr
from yspbx.pbx.simulated.calls import SimulatedCalls
from yspbx.services import Services
from yspbx.settings import load_settings
from yspbx.store.memory import MemoryStore

_ACTIONS: dict[type[Any], str] = {
    CallAlerting: "ALERT",
    CallRinging: "RING",
    CallAnswer: "ANSWER",
    CallAnswered: "ANSWERED",
    CallReleased: "BYE",
    CallTransferred: "Tranfer",
}


def who(party: Party | PromptTrunkParty | None) -> str:
    """A party in one word: ``1001``, ``in:0612345678``, ``out:0698765432``, ``trunk:GSM1``."""
    if isinstance(party, ExtParty):
        return party.extid
    if isinstance(party, InboundParty):
        return f"in:{party.from_number}"
    if isinstance(party, PromptTrunkParty):
        return f"trunk:{party.trunkname}"
    assert isinstance(party, OutboundParty)
    return f"out:{party.to_number}"


def brief(event: DomainEvent) -> tuple[str, ...]:
    """An event as the report it becomes, in a line: action, then what matters."""
    action = _ACTIONS.get(type(event))
    if action is not None:
        assert isinstance(
            event,
            CallAlerting | CallRinging | CallAnswer | CallAnswered | CallReleased | CallTransferred,
        )
        return (action, *(who(p) for p in event.parties))
    if isinstance(event, ExtensionStatusChanged):
        return ("ExtensionStatus", event.extension, event.status)
    if isinstance(event, CallFailed):
        return ("CallFailed", event.reason, *(who(p) for p in event.parties))
    if isinstance(event, CdrWritten):
        return ("NewCdr", event.cdr.status)
    if isinstance(event, KeyPressed):
        return ("DTMF", event.info, str(event.flag), event.infos)
    if isinstance(event, InboundCallOffered):
        return ("Invite", who(event.inbound))
    if isinstance(event, InboundCallArrived):
        return ("Incoming", who(event.inbound))
    if isinstance(event, PromptFinished):
        return ("PlayPromptEnd", event.prompt, who(event.party))
    if isinstance(event, SurveyAnswered):
        return ("satisfaction", event.surveyresult)
    if isinstance(event, SmsResult):
        return ("sms-send", event.smsid, event.status)
    return (type(event).__name__,)


class Pbx:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.calls: SimulatedCalls = services.simulator.calls
        self.events: list[DomainEvent] = []
        self._seen = 0
        services.engine.subscribe(self._collect)

    async def _collect(self, event: DomainEvent) -> None:
        self.events.append(event)

    def take(self) -> list[tuple[str, ...]]:
        """The events since the last take, briefly (2.0.0's CallStatus left out: the 1.1.0
        sequences are about the five call-progress events; :meth:`statuses` reads it)."""
        fresh = self.events[self._seen :]
        self._seen = len(self.events)
        return [brief(e) for e in fresh if not isinstance(e, CallStatusChanged)]

    def statuses(self, callid: str) -> list[list[tuple[str, str]]]:
        """Every CallStatus of ``callid`` so far, as (number, memberstatus) lists."""
        return [
            [(m.number, m.status) for m in e.members]
            for e in self.of(CallStatusChanged)
            if e.callid == callid
        ]

    def calls_only(self) -> list[tuple[str, ...]]:
        """Like :meth:`take`, without the ExtensionStatus reports."""
        return [e for e in self.take() if e[0] != "ExtensionStatus"]

    def of(self, kind: type[Any]) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    def cdrs(self) -> list[Cdr]:
        return [e.cdr for e in self.of(CdrWritten)]

    async def advance(self, seconds: float) -> None:
        await self.services.advance_clock(seconds)

    def live(self) -> list[dict[str, Any]]:
        return self.calls.live_calls()

    def status(self, number: str) -> str:
        extension = self.services.simulator.config.extensions[number]
        return self.services.simulator.config.status(extension)


@pytest.fixture
async def pbx() -> AsyncIterator[Pbx]:
    services = Services.build(load_settings(), MemoryStore("memory://"))
    await services.start()
    try:
        yield Pbx(services)
    finally:
        await services.stop()
