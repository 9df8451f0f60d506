"""The wake-up alarms, kept in the state store so they survive a restart.

Layout: one JSON document under the key ``hotel.alarms``::

    {"format": 1, "next_id": 4,
     "alarms": [{"wakeupid": "3", "extid": "1009", "time": "06:45", "type": "everyday",
                 "weekdays": [], "repeats": 1, "repeatinterval": 5,
                 "prompt": "macroform-cold_day"}, ...]}

``next_id`` is the next ``wakeupid`` to hand out (ids are never reused until a reset). The
document is rewritten whole after each change, so a change touching several alarms (an alarm
for several rooms, a check-out) is kept all or nothing. Before each operation the book reads the
document and reloads when another process sharing the store changed it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from typing import Any

from yspbx.pbx.call_ops import WakeupAlarm
from yspbx.store.base import StateStore

log = logging.getLogger(__name__)

KEY = "hotel.alarms"
FORMAT = 1


def _alarm(data: Any) -> WakeupAlarm:
    return WakeupAlarm(
        wakeupid=str(data["wakeupid"]),
        extid=str(data["extid"]),
        time=str(data["time"]),
        type=str(data["type"]),
        weekdays=tuple(str(day) for day in data["weekdays"]),
        repeats=int(data["repeats"]),
        repeatinterval=int(data["repeatinterval"]),
        prompt=str(data["prompt"]),
    )


class AlarmBook:
    def __init__(self, state: StateStore) -> None:
        self._state = state
        self.alarms: dict[str, WakeupAlarm] = {}
        self.next_id = 1
        self._seen: bytes | None = None

    async def sync(self) -> bool:
        """Read the stored alarms; True when they differ from what this process last saw."""
        raw = await self._state.get(KEY)
        if raw == self._seen:
            return False
        self._seen = raw
        self.alarms, self.next_id = {}, 1
        if raw is not None:
            self._decode(raw)
        return True

    def _decode(self, raw: bytes) -> None:
        try:
            body = json.loads(raw)
            if not isinstance(body, dict) or body.get("format") != FORMAT:
                raise ValueError("unknown format")
            alarms = [_alarm(item) for item in body["alarms"]]
            self.next_id = int(body["next_id"])
        except (ValueError, KeyError, TypeError) as exc:
            log.error("ignoring the stored wake-up alarms: %s", exc)
            return
        self.alarms = {alarm.wakeupid: alarm for alarm in alarms}

    async def save(self) -> None:
        body = {
            "format": FORMAT,
            "next_id": self.next_id,
            "alarms": [asdict(alarm) for alarm in self.ordered()],
        }
        raw = json.dumps(body, separators=(",", ":")).encode()
        await self._state.put(KEY, raw)
        self._seen = raw

    def new_id(self) -> str:
        wakeupid = str(self.next_id)
        self.next_id += 1
        return wakeupid

    def ordered(self, extids: list[str] | None = None) -> list[WakeupAlarm]:
        """The alarms of ``extids`` (all when None), by extension in the order asked, then id."""
        alarms = sorted(self.alarms.values(), key=lambda a: (a.extid, int(a.wakeupid)))
        if extids is None:
            return alarms
        return [alarm for extid in extids for alarm in alarms if alarm.extid == extid]
