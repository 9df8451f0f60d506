"""Queues: the caller waits while the queue rings its agents, by its strategy, until one answers.

* The agents are the queue's static agents and the dynamic agents logged in
  (``config.available_agents``: paused agents are left out). An agent rings when its phone is
  registered, not in DND, in no call, and not in wrap-up: ``wrapuptime`` seconds after it
  finished a call from this queue. Each round rings for ``agenttimeout``; ``retry`` seconds
  after a round went unanswered (or found nobody free) the next round starts
  (:mod:`.queue_strategy` picks who rings).
* After ``maxwaittime`` the caller leaves for the queue's failover: ``Hang up`` fails the call
  (``480 Temporarily unavailable``, record ``NO ANSWER``); ``Extension``, ``IVR``,
  ``Ring Group``, ``Queue`` send it to ``failoverdest``; ``Voicemail`` to that extension's box.
* The queue's ``breakoutkey``, pressed while waiting, sends the caller to ``breakoutaction`` /
  ``breakoutdest`` the same way.
* The agent who answers is the record's ``callto``, ``agentringtime`` how long it rang. With a
  ``satisfactionsurvey`` prompt the call goes on to :mod:`.survey` when the agent hangs up.
* ``queuestatus/query`` learns from here how many callers wait and which agents are in wrap-up.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from yspbx.pbx.config_ops import AgentState
from yspbx.pbx.models import Queue
from yspbx.pbx.simulated.calls.call_targets import NOT_FOUND, Unreachable
from yspbx.pbx.simulated.calls.model import Call, Destination, Feature, Leg, LegKind, Role
from yspbx.pbx.simulated.calls.queue_strategy import AgentRecord, Strategy
from yspbx.pbx.simulated.calls.survey import Survey

if TYPE_CHECKING:
    from yspbx.pbx.simulated.calls.destinations import Destinations

QUEUE_GAVE_UP = Unreachable("480 Temporarily unavailable", "NO ANSWER")
# Failover and breakout actions that send the caller to a number of the dial plan.
_TO_NUMBER = frozenset({"Extension", "IVR", "Ring Group", "Queue"})


class Queues:
    def __init__(self, destinations: Destinations, rng: random.Random | None = None) -> None:
        self.destinations = destinations
        self.switch = destinations.switch
        self.config = destinations.config
        self.strategy = Strategy(rng or random.Random())
        # queue -> agent -> what the queue remembers about the agent
        self._records: dict[str, dict[str, AgentRecord]] = {}
        # queue -> the callids waiting in it, in the order they came: kept as callers enter
        # and leave, so neither queuestatus/query nor a caller entering counts the others.
        self._waiting: dict[str, dict[str, None]] = {}
        self.switch.leg_ended.append(self._leg_ended)
        self.switch.call_closed.append(self._call_closed)
        self.config.hooks.queue_waiting = self.waiting
        self.config.hooks.agent_state = self.agent_state

    def enter(self, call: Call, number: str) -> None:
        queue = self.config.queues.get(number)
        if queue is None:
            self.switch.fail(call, NOT_FOUND)
            return
        call.destination = Destination("queue", number)
        call.callpath = number
        call.caller.up = True
        wait = QueueWait(self, number)
        call.feature = wait
        self._waiting.setdefault(number, {})[call.callid] = None
        seconds = float(queue.maxwaittime) if queue.maxwaittime > 0 else 1800.0
        self.destinations.player.after(call, seconds, lambda: wait.give_up(call), "queue wait")
        wait.ring_round(call)

    # -- what queuestatus/query asks ------------------------------------------------------

    def waiting(self, queue: str) -> int:
        return len(self._waiting.get(queue, ()))

    def left(self, queue: str, call: Call) -> None:
        """The caller no longer waits in ``queue`` (an agent answered, it left for a failover
        or a breakout, it was transferred, or its call ended)."""
        waiting = self._waiting.get(queue)
        if waiting is not None:
            waiting.pop(call.callid, None)
            if not waiting:
                del self._waiting[queue]

    def _call_closed(self, call: Call, status: object) -> None:
        if isinstance(call.feature, QueueWait):
            self.left(call.feature.number, call)

    def agent_state(self, queue: str, agent: str) -> AgentState | None:
        if self.in_wrapup(queue, agent):
            return AgentState.WRAPUP
        return None

    # -- agents ---------------------------------------------------------------------------

    def records(self, queue: str) -> dict[str, AgentRecord]:
        return self._records.get(queue, {})

    def in_wrapup(self, queue: str, agent: str) -> bool:
        record = self._records.get(queue, {}).get(agent)
        return record is not None and self.switch.now() < record.wrapup_until

    def free_agents(self, queue: Queue) -> list[str]:
        problem = self.destinations.extension_problem
        return [
            agent
            for agent in self.config.available_agents(queue.number)
            if problem(agent) is None and not self.in_wrapup(queue.number, agent)
        ]

    def _leg_ended(self, call: Call, leg: Leg) -> None:
        """An agent's queue call is over for it: count it and start its wrap-up."""
        if call.queue_agent is None or leg.kind is not LegKind.EXTENSION:
            return
        queue_number, agent = call.queue_agent
        if leg.number != agent or leg.role is Role.MONITOR:
            return
        call.queue_agent = None
        queue = self.config.queues.get(queue_number)
        record = self._records.setdefault(queue_number, {}).setdefault(agent, AgentRecord())
        now = self.switch.now()
        record.calls += 1
        record.last_ended = now
        record.wrapup_until = now + (queue.wrapuptime if queue is not None else 0)

    def send_to(self, call: Call, action: str, dest: str) -> None:
        """Leave the queue for a failover or breakout ``action`` and its ``dest``."""
        if action in _TO_NUMBER and dest:
            self.destinations.forward(call, dest, QUEUE_GAVE_UP)
        elif action == "Voicemail" and dest in self.config.extensions:
            self.destinations.forward(call, dest, QUEUE_GAVE_UP, voicemail=True)
        else:
            self.switch.fail(call, QUEUE_GAVE_UP)


class QueueWait(Feature):
    """One caller waiting in a queue."""

    def __init__(self, queues: Queues, number: str) -> None:
        self._queues = queues
        self.number = number
        self.tried: list[str] = []

    def _queue(self) -> Queue | None:
        return self._queues.config.queues.get(self.number)

    def ring_round(self, call: Call) -> None:
        queue = self._queue()
        if queue is None:
            self._queues.switch.fail(call, QUEUE_GAVE_UP)
            return
        queues = self._queues
        members = [m.agent for m in queues.config.queue_members(queue.number)]
        free = queues.free_agents(queue)
        chosen = queues.strategy.pick(
            queue.number, queue.ringstrategy, members, free, self.tried, queues.records(self.number)
        )
        if not queues.destinations.ring_members(call, chosen, queue.agenttimeout):
            self._retry_later(call, queue)

    def _retry_later(self, call: Call, queue: Queue) -> None:
        seconds = float(max(1, queue.retry))
        self._queues.destinations.player.after(
            call, seconds, lambda: self._next_round(call), "queue retry"
        )

    def _next_round(self, call: Call) -> None:
        if call.feature is self and not call.ringing():
            self.ring_round(call)

    def ringing_stopped(self, call: Call, leg: Leg, why: Unreachable) -> bool:
        queue = self._queue()
        if queue is None:
            return False
        self._retry_later(call, queue)
        return True

    def give_up(self, call: Call) -> None:
        if call.feature is not self:
            return
        queue = self._queue()
        if queue is None:
            self._queues.switch.fail(call, QUEUE_GAVE_UP)
            return
        self._queues.send_to(call, queue.failoveraction, queue.failoverdest)

    def key(self, call: Call, key: str) -> None:
        queue = self._queue()
        if queue is not None and key == queue.breakoutkey:
            self._queues.send_to(call, queue.breakoutaction, queue.breakoutdest)

    def answered(self, call: Call, leg: Leg) -> None:
        """An agent picked up: the record names it; a survey may follow the conversation."""
        call.segment.callto = leg.number
        if leg.ring_started_at is not None:
            waited = self._queues.switch.now() - leg.ring_started_at
            call.segment.agentringtime = str(max(0, round(waited)))
        call.queue_agent = (self.number, leg.number)
        queue = self._queue()
        survey = queue.satisfactionsurvey if queue is not None else "None"
        if survey in ("", "None", "[None]"):
            call.feature = None
        else:
            call.feature = Survey(self._queues.destinations, self.number, survey)

    def describe(self) -> dict[str, str]:
        return {"type": "queue", "number": self.number}

    def left(self, call: Call) -> None:
        self._queues.left(self.number, call)
