"""What the live calls look like from outside: ``inbound/query``, ``outbound/query`` and the
control plane's call list.

A trunk party's status (docs/pbx-api/calls.md): ``Progress`` while nothing has answered it yet,
``Talking`` while it talks with a party, ``Wait`` while it is up but not talking to anyone:
held by the other side, in an IVR or a queue, or hearing ring-back during a transfer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from yspbx.pbx.call_ops import InboundCall, OutboundCall, TrunkCallStatus
from yspbx.pbx.simulated.calls.model import Call, Leg, LegKind, LegState, Role

_DESTINATION_KEYS = {"ivr": "ivrid", "queue": "queueid", "ringgroup": "ringgroupid"}


def trunk_status(call: Call, leg: Leg) -> TrunkCallStatus:
    if leg.state is LegState.RINGING or not leg.up:
        return "Progress"
    held = any(other.state is LegState.HELD for other in call.parties())
    if leg.state is LegState.TALKING and not held:
        return "Talking"
    return "Wait"


def callee_of(call: Call, leg: Leg) -> list[dict[str, str]]:
    """Who has a trunk party's call: the IVR/queue/ring group holding it, then the parties."""
    callee: list[dict[str, str]] = []
    if call.destination is not None:
        key = _DESTINATION_KEYS.get(call.destination.kind, "extid")
        callee.append({key: call.destination.number})
    for other in call.parties():
        if other is leg:
            continue
        if other.kind is LegKind.EXTENSION:
            callee.append({"extid": other.number})
        elif other.kind is LegKind.OUTBOUND:
            callee.append({"outboundid": other.leg_id})
        else:
            callee.append({"inboundid": other.leg_id})
    return callee


def trunk_parties(calls: Iterable[Call], kind: LegKind) -> list[tuple[Call, Leg]]:
    """Every live trunk party of ``kind``, in the order of the calls, then of their legs."""
    return [(call, leg) for call in calls for leg in call.parties() if leg.kind is kind]


def inbound_calls(found: Iterable[tuple[Call, Leg]]) -> list[InboundCall]:
    return [
        InboundCall(
            inboundid=leg.leg_id,
            from_number=leg.from_number,
            to_number=leg.to_number,
            trunk=leg.trunk,
            status=trunk_status(call, leg),
            callee=callee_of(call, leg),
        )
        for call, leg in found
    ]


def outbound_calls(found: Iterable[tuple[Call, Leg]]) -> list[OutboundCall]:
    return [
        OutboundCall(
            outboundid=leg.leg_id,
            from_number=leg.from_number,
            to_number=leg.to_number,
            trunk=leg.trunk,
            status=trunk_status(call, leg),
        )
        for call, leg in found
    ]


def describe(call: Call) -> dict[str, Any]:
    """A live call for ``GET /sim/v1/calls``: docs/control-plane.md's keys, then the details."""
    parties = [leg.number for leg in call.parties()]
    if call.destination is not None and call.destination.number not in parties:
        parties.insert(1 if parties else 0, call.destination.number)
    trunk = next((leg.trunk for leg in call.parties() if leg.trunk), "")
    destination = None
    if call.destination is not None:
        destination = {"type": call.destination.kind, "number": call.destination.number}
    return {
        "callid": call.callid,
        "parties": parties,
        "state": call.state,
        "trunk": trunk,
        "type": call.segment.type,
        "destination": destination,
        "started_at": call.segment.started_at,
        "answered_at": call.segment.answered_at,
        "digits": call.digits,
        "feature": (call.feature.describe() or None) if call.feature is not None else None,
        "offer": call.offer,
        "service": call.service or None,
        "legs": [_describe_leg(call, leg) for leg in call.live_legs()],
    }


def _describe_leg(call: Call, leg: Leg) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "number": leg.number,
        "kind": leg.kind.value,
        "role": leg.role.value,
        "state": leg.state.value,
        "muted": leg.muted,
        "channel": leg.channel,
    }
    if leg.kind is not LegKind.EXTENSION:
        shown.update(
            id=leg.leg_id,
            trunk=leg.trunk,
            trunk_number=leg.trunk_number or leg.number,
            status=trunk_status(call, leg),
        )
    if leg.role is Role.MONITOR:
        shown["monitor_mode"] = leg.monitor_mode
    return shown
