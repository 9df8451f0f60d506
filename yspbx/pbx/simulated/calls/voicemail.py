"""Voicemail messages: a call that ends in an extension's voicemail box leaves a message there.

The simulator has no audio; a message is what a mailbox listing would show: who called, when,
for how long. Messages live in the state store under
``calls.voicemail/<extension>/<time left, 20 characters>/<callid>`` (JSON), so they survive a
restart; ``hotel/checkout`` empties the box, ``POST /sim/v1/reset`` every box, and
``GET /sim/v1/extensions/{number}/voicemail`` lists one.
"""

from __future__ import annotations

import json
from typing import Any

from yspbx.pbx.models import CdrStatus
from yspbx.pbx.simulated.calls.model import Call
from yspbx.pbx.simulated.calls.switch import Switch
from yspbx.store.base import StateStore

PREFIX = "calls.voicemail/"


class Voicemail:
    def __init__(self, switch: Switch, state: StateStore) -> None:
        self._switch = switch
        self._state = state
        switch.call_closed.append(self._closed)

    def _closed(self, call: Call, status: CdrStatus | None) -> None:
        if status != "VOICEMAIL" or call.destination is None:
            return
        box = call.destination.number
        segment = call.segment
        left_at = segment.answered_at if segment.answered_at is not None else segment.started_at
        message = {
            "callid": call.callid,
            "from": segment.callfrom,
            "at": left_at,
            "seconds": max(0, round(self._switch.now() - left_at)),
        }
        key = f"{PREFIX}{box}/{left_at:020.6f}/{call.callid}"

        async def save() -> None:
            await self._state.put(key, json.dumps(message).encode())

        self._switch.effects.then(save)

    async def messages(self, box: str) -> list[dict[str, Any]]:
        return [json.loads(value) for _, value in await self._state.scan(f"{PREFIX}{box}/")]

    async def empty(self, box: str) -> int:
        """Delete every message of the box; how many there were."""
        found = await self._state.scan(f"{PREFIX}{box}/")
        for key, _ in found:
            await self._state.delete(key)
        return len(found)
