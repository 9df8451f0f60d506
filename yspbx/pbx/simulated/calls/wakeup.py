"""Wake-up alarms ringing: at its time the alarm calls its room.

The alarm call is an ordinary call to the room extension (``GET /sim/v1/calls`` shows it with
``"service": {"type": "wakeup", "wakeupid": ..., "prompt": ...}``), so the room answers or
misses it through ``/sim/v1/calls/{callid}/answer`` and ``/hangup`` like any call. Answered, the
alarm's prompt plays (no ``PlayPromptEnd``: that report is for prompts the API asked for) and
the PBX hangs up. Missed (not answered within the extension's ring time-out, declined, or the
room was unregistered, in DND or in a call), it calls again ``repeatinterval`` minutes after the
previous call began, up to ``repeats`` more times. After that, a ``onetime`` alarm is deleted;
the others wait for their next day.

Timers run on the server clock. After a restart each alarm rings at its next time; repeats
that were pending and times that passed while the server was down are not made up for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timezone

from yspbx.pbx.call_ops import WakeupAlarm
from yspbx.pbx.events import ExtParty
from yspbx.pbx.models import CdrStatus
from yspbx.pbx.simulated.calls.alarm_rules import next_ring
from yspbx.pbx.simulated.calls.call_targets import PromptTarget
from yspbx.pbx.simulated.calls.destinations import Destinations
from yspbx.pbx.simulated.calls.model import Call, Leg, LegKind, LegState, Role
from yspbx.scheduler import Timer

# What to do when an alarm's ringing for the day is over (a onetime alarm is deleted).
AlarmDone = Callable[[WakeupAlarm], None]


@dataclass(frozen=True, slots=True)
class Attempt:
    wakeupid: str
    generation: int
    occurrence: float
    number: int


class WakeupCalls:
    def __init__(self, destinations: Destinations, zone: timezone, done: AlarmDone) -> None:
        self._destinations = destinations
        self._switch = destinations.switch
        self._zone = zone
        self._done = done
        self._alarms: dict[str, WakeupAlarm] = {}
        self._timers: dict[str, Timer] = {}
        self._generation: dict[str, int] = {}
        self._calls: dict[str, Attempt] = {}
        self._switch.call_closed.append(self._closed)

    def schedule(self, alarm: WakeupAlarm) -> None:
        """(Re)arm the alarm for its next time; a call of its old settings rings on unheeded."""
        self.cancel(alarm.wakeupid)
        self._alarms[alarm.wakeupid] = alarm
        generation = self._generation.get(alarm.wakeupid, 0) + 1
        self._generation[alarm.wakeupid] = generation
        self._arm_next(alarm, generation, self._switch.now())

    def cancel(self, wakeupid: str) -> None:
        self._alarms.pop(wakeupid, None)
        self._generation[wakeupid] = self._generation.get(wakeupid, 0) + 1
        timer = self._timers.pop(wakeupid, None)
        if timer is not None:
            timer.cancel()

    def clear(self) -> None:
        for wakeupid in list(self._timers):
            self.cancel(wakeupid)
        self._alarms.clear()
        self._calls.clear()

    def _arm_next(self, alarm: WakeupAlarm, generation: int, after: float) -> None:
        when = next_ring(alarm, after, self._zone)
        if when is not None:
            attempt = Attempt(alarm.wakeupid, generation, when, 0)
            self._arm(attempt, when)

    def _arm(self, attempt: Attempt, when: float) -> None:
        name = f"wakeup {attempt.wakeupid}"
        self._timers[attempt.wakeupid] = self._switch.at(when, lambda: self._ring(attempt), name)

    def _current(self, attempt: Attempt) -> WakeupAlarm | None:
        if self._generation.get(attempt.wakeupid) != attempt.generation:
            return None
        return self._alarms.get(attempt.wakeupid)

    def _ring(self, attempt: Attempt) -> None:
        alarm = self._current(attempt)
        if alarm is None:
            return
        self._timers.pop(alarm.wakeupid, None)
        if alarm.extid not in self._switch.config.extensions:  # the room was renumbered
            self._after(alarm, attempt, answered=False)
            return
        switch = self._switch
        call = switch.new_call("Internal", alarm.extid, alarm.extid)
        call.service = {"type": "wakeup", "wakeupid": alarm.wakeupid, "prompt": alarm.prompt}
        self._calls[call.callid] = attempt
        problem = self._destinations.extension_problem(alarm.extid)
        if problem is not None:
            switch.fail(call, problem, about=ExtParty(alarm.extid))
            return
        call.next_target = PromptTarget(alarm.prompt, report=False)
        switch.add_leg(call, Leg(LegKind.EXTENSION, alarm.extid, Role.CALLER, LegState.RINGING))

    def _closed(self, call: Call, status: CdrStatus | None) -> None:
        attempt = self._calls.pop(call.callid, None)
        if attempt is None:
            return
        alarm = self._current(attempt)
        if alarm is not None:
            self._after(alarm, attempt, call.answered)

    def _after(self, alarm: WakeupAlarm, attempt: Attempt, answered: bool) -> None:
        """An alarm call is over: repeat it if it was missed and may be, else the next day."""
        if not answered and attempt.number < alarm.repeats:
            again = attempt.occurrence + (attempt.number + 1) * alarm.repeatinterval * 60.0
            retry = replace(attempt, number=attempt.number + 1)
            self._arm(retry, max(again, self._switch.now()))
            return
        if alarm.type == "onetime":
            self.cancel(alarm.wakeupid)
            self._done(alarm)
            return
        self._arm_next(alarm, attempt.generation, max(attempt.occurrence, self._switch.now()))
