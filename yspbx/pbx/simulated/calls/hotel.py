"""Hotel features (docs/pbx-api/call-services.md): the rooms' wake-up alarms and check-out.

``wakeupcall/create`` gives every extension named the same alarm (each its own ``wakeupid``);
``query`` lists the alarms by extension (extensions without alarms are left out);
``update`` changes the fields sent of one alarm; ``delete`` removes the alarms named, or all of
one extension. An alarm is found by its ``wakeupid`` or, as the old guide does it, by its
``time``. Errnos: ``10006`` an unknown extension (nothing changes); ``10020`` a value the alarm
cannot take (:mod:`.alarm_rules`); ``10021`` no such alarm for that extension; ``10022`` the
extension already has an alarm at that time.

``hotel/checkout`` does for each room what the PBX does: deletes its alarms, empties its
voicemail box (:mod:`.voicemail`), removes it from every outbound route's extensions (it may
call out again once a route names it anew) and gives it back the name (``username``, the
caller-ID name) the configuration file has for it, reporting ``ConfigChange`` when the name
changed.
"""

from __future__ import annotations

import asyncio
from datetime import timezone

from yspbx.errors import Errno, PbxError
from yspbx.pbx.call_ops import AlarmFields, WakeupAlarm
from yspbx.pbx.simulated.calls.alarm_rules import build_alarm, parse_time
from yspbx.pbx.simulated.calls.alarms import AlarmBook
from yspbx.pbx.simulated.calls.destinations import Destinations
from yspbx.pbx.simulated.calls.voicemail import Voicemail
from yspbx.pbx.simulated.calls.wakeup import WakeupCalls
from yspbx.store.base import StateStore


class Hotel:
    def __init__(
        self,
        destinations: Destinations,
        state: StateStore,
        voicemail: Voicemail,
        zone: timezone,
    ) -> None:
        self._switch = destinations.switch
        self._config = destinations.config
        self._voicemail = voicemail
        self._book = AlarmBook(state)
        self._lock = asyncio.Lock()
        self.wakeups = WakeupCalls(destinations, zone, self._rang_out)

    # -- life cycle ----------------------------------------------------------------------

    async def start(self) -> None:
        await self._sync(force=True)

    async def _sync(self, force: bool = False) -> None:
        """Take what another process stored; rearm every alarm when it changed."""
        if await self._book.sync() or force:
            self.wakeups.clear()
            for alarm in self._book.ordered():
                self.wakeups.schedule(alarm)

    def _rang_out(self, alarm: WakeupAlarm) -> None:
        """A onetime alarm has rung (and repeated) for good: it is deleted."""

        async def forget() -> None:
            async with self._lock:
                await self._sync()
                if self._book.alarms.pop(alarm.wakeupid, None) is not None:
                    await self._book.save()

        self._switch.effects.then(forget)

    # -- the API -------------------------------------------------------------------------

    def _taken(self, extid: str, time: str, besides: str = "") -> None:
        for alarm in self._book.alarms.values():
            if alarm.extid == extid and alarm.time == time and alarm.wakeupid != besides:
                raise PbxError(Errno.ALARM_EXISTS, f"{extid} has an alarm at {time}")

    async def create(self, extids: list[str], fields: AlarmFields) -> list[str]:
        async with self._lock:
            await self._sync()
            numbers = self._config.extension_numbers(extids)
            prompts = self._config.prompts
            alarms = [build_alarm("0", number, fields, prompts) for number in numbers]
            for alarm in alarms:
                self._taken(alarm.extid, alarm.time)
            created = []
            for alarm in alarms:
                stored = build_alarm(self._book.new_id(), alarm.extid, fields, prompts)
                self._book.alarms[stored.wakeupid] = stored
                created.append(stored)
            await self._book.save()
            for alarm in created:
                self.wakeups.schedule(alarm)
            return [alarm.wakeupid for alarm in created]

    async def query(self, extids: list[str] | None) -> list[WakeupAlarm]:
        async with self._lock:
            await self._sync()
            numbers = None if extids is None else self._config.extension_numbers(extids)
            return self._book.ordered(numbers)

    def _find(self, extid: str, wakeupid: str | None, time: str | None) -> WakeupAlarm:
        for alarm in self._book.ordered([extid]):
            if wakeupid is not None and alarm.wakeupid == wakeupid.strip():
                return alarm
            if wakeupid is None and time is not None and alarm.time == _time_or_none(time):
                return alarm
        raise PbxError(Errno.ALARM_NOT_FOUND, f"{extid}: {wakeupid or time}")

    async def update(
        self, extid: str, wakeupid: str | None, time: str | None, fields: AlarmFields
    ) -> None:
        async with self._lock:
            await self._sync()
            (number,) = self._config.extension_numbers([extid])
            alarm = self._find(number, wakeupid, time)
            changed = build_alarm(alarm.wakeupid, number, fields, self._config.prompts, alarm)
            self._taken(number, changed.time, besides=alarm.wakeupid)
            self._book.alarms[alarm.wakeupid] = changed
            await self._book.save()
            self.wakeups.schedule(changed)

    async def delete(self, extid: str, wakeupids: list[str] | None, time: str | None) -> None:
        async with self._lock:
            await self._sync()
            (number,) = self._config.extension_numbers([extid])
            if wakeupids is None and time is None:
                doomed = self._book.ordered([number])
            elif wakeupids is None:
                doomed = [self._find(number, None, time)]
            else:
                doomed = [self._find(number, w, None) for w in dict.fromkeys(wakeupids)]
            await self._remove(doomed)

    async def _remove(self, doomed: list[WakeupAlarm]) -> None:
        if not doomed:
            return
        for alarm in doomed:
            self._book.alarms.pop(alarm.wakeupid, None)
        await self._book.save()
        for alarm in doomed:
            self.wakeups.cancel(alarm.wakeupid)

    async def check_out(self, extids: list[str]) -> None:
        numbers = self._config.extension_numbers(extids)
        await self._config.check_out(numbers)
        async with self._lock:
            await self._sync()
            await self._remove(self._book.ordered(numbers))
        for number in numbers:
            await self._voicemail.empty(number)


def _time_or_none(text: str) -> str | None:
    try:
        return parse_time(text)
    except PbxError:
        return None
