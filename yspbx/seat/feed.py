"""The engine's domain events, as the control plane's event stream names them.

Subscribed to each seat's engine after the report fan-out, so a ``call`` event arrives after
the ``report`` events it queued. A call is ``created`` at its first event, changes ``state``
with each later one, and is ``ended`` at the first event after which it is no longer live.
"""

from __future__ import annotations

import contextlib
from typing import Any

from yspbx.hub import EventHub
from yspbx.pbx.events import (
    CallAlerting,
    CallAnswer,
    CallAnswered,
    CallFailed,
    CallReleased,
    CallRinging,
    CallTransferred,
    CdrWritten,
    ConfigChanged,
    DomainEvent,
    ExtensionStatusChanged,
    InboundCallArrived,
    InboundCallOffered,
    KeyPressed,
    PromptFinished,
    SmsResult,
    SurveyAnswered,
    SystemStarted,
)
from yspbx.pbx.simulated import SimulatedEngine
from yspbx.pbx.simulated.calls.errors import NotFound

# The report action each call event is known by on the wire.
_CALL_ACTIONS: dict[type, str] = {
    CallAlerting: "ALERT",
    CallRinging: "RING",
    CallAnswer: "ANSWER",
    CallAnswered: "ANSWERED",
    CallReleased: "BYE",
    CallTransferred: "Tranfer",
    CallFailed: "CallFailed",
    InboundCallOffered: "Invite",
    InboundCallArrived: "Incoming",
    KeyPressed: "DTMF",
    PromptFinished: "PlayPromptEnd",
    SurveyAnswered: "satisfaction",
}

# Bounds the memory of calls seen (ended calls are forgotten anyway).
_MAX_KNOWN = 10_000


class EngineFeed:
    def __init__(self, hub: EventHub, simulator: SimulatedEngine | None) -> None:
        self._hub = hub
        self._simulator = simulator
        self._known: set[str] = set()

    async def __call__(self, event: DomainEvent) -> None:
        if not self._hub.listening:
            return
        if isinstance(event, ExtensionStatusChanged):
            self._hub.publish("extension", {"number": event.extension, "status": event.status})
            return
        action = _CALL_ACTIONS.get(type(event))
        callid = getattr(event, "callid", None)
        if action is not None and isinstance(callid, str):
            self._call(callid, action)
            return
        if isinstance(event, CdrWritten):
            self._hub.publish("cdr", {"callid": event.cdr.callid})
        elif isinstance(event, ConfigChanged):
            self._hub.publish(
                "config", {"type": event.type, "operation": event.operation, "key": event.key}
            )
        elif isinstance(event, SmsResult):
            self._hub.publish("sms", {"smsid": event.smsid, "status": event.status})
        elif isinstance(event, SystemStarted):
            self._hub.publish("system", {"change": "started"})

    def _call(self, callid: str, action: str) -> None:
        call: dict[str, Any] | None = None
        if self._simulator is not None:
            with contextlib.suppress(NotFound):
                call = self._simulator.calls.live_call(callid)
        if call is None:
            change = "ended"
            self._known.discard(callid)
        elif callid in self._known:
            change = "state"
        else:
            change = "created"
            if len(self._known) >= _MAX_KNOWN:
                self._known.clear()
            self._known.add(callid)
        self._hub.publish(
            "call",
            {
                "callid": callid,
                "change": change,
                "action": action,
                "state": call["state"] if call is not None else "ended",
                "call": call,
            },
        )
