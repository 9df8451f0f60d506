"""``inbound/query`` and ``outbound/query``: the live calls on trunks (docs/pbx-api/calls.md)."""

from __future__ import annotations

from typing import Any

from yspbx.api.registry import ApiRequest, ApiRouter, Field, Reply

router = ApiRouter("calls")

_STATUS = {"type": "string", "enum": ["Talking", "Progress", "Wait"]}
_TEXT = {"type": "string"}


def _list_of(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "object", "properties": properties, "required": list(properties)},
    }


@router.endpoint(
    "inbound/query",
    summary="Live inbound calls: all of them, or those whose inboundid is listed.",
    fields=(Field("inboundid", False, "inbound call id(s), comma-separated; omitted: all"),),
    response={
        "inbound": _list_of(
            {
                "inboundid": _TEXT,
                "from": _TEXT,
                "to": _TEXT,
                "trunk": _TEXT,
                "status": _STATUS,
                "callee": {"type": "array", "items": {"type": "object"}},
            }
        )
    },
    example={"inboundid": "1709283312.41"},
)
async def inbound_query(request: ApiRequest) -> Reply:
    wanted = request.params.values("inboundid") or None
    calls = await request.engine.calls.inbound_calls(wanted)
    return {
        "inbound": [
            {
                "inboundid": call.inboundid,
                "from": call.from_number,
                "to": call.to_number,
                "trunk": call.trunk,
                "status": call.status,
                "callee": call.callee,
            }
            for call in calls
        ]
    }


@router.endpoint(
    "outbound/query",
    summary="Live outbound calls: all of them, or those whose outboundid is listed.",
    fields=(Field("outboundid", False, "outbound call id(s), comma-separated; omitted: all"),),
    response={
        "outbound": _list_of(
            {"outboundid": _TEXT, "from": _TEXT, "to": _TEXT, "trunk": _TEXT, "status": _STATUS}
        )
    },
)
async def outbound_query(request: ApiRequest) -> Reply:
    wanted = request.params.values("outboundid") or None
    calls = await request.engine.calls.outbound_calls(wanted)
    return {
        "outbound": [
            {
                "outboundid": call.outboundid,
                "from": call.from_number,
                "to": call.to_number,
                "trunk": call.trunk,
                "status": call.status,
            }
            for call in calls
        ]
    }
