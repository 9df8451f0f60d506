"""Who is logged in to each queue beyond its static agents, and who is paused.

This is runtime state, not configuration: agents log in and out and pause through the API all
day. It is still kept in the store (as the PBX keeps its queue members across a reboot), beside
the configuration changes (:mod:`yspbx.pbx.simulated.persistence`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class QueueRoster:
    dynamic: list[str] = field(default_factory=list)
    paused: list[str] = field(default_factory=list)

    def empty(self) -> bool:
        return not self.dynamic and not self.paused


@dataclass(frozen=True, slots=True)
class QueueMember:
    """One agent of a queue, as the call engine needs to know it."""

    agent: str
    dynamic: bool
    paused: bool


class QueueAgents:
    def __init__(self) -> None:
        self._rosters: dict[str, QueueRoster] = {}

    def roster(self, queue: str) -> QueueRoster:
        return self._rosters.get(queue) or QueueRoster()

    def members(self, queue: str, static: list[str]) -> list[QueueMember]:
        """Static agents in their configured order, then dynamic agents in login order."""
        roster = self.roster(queue)
        paused = set(roster.paused)
        members = [QueueMember(a, False, a in paused) for a in static]
        if roster.dynamic:
            fixed = set(static)
            members += [QueueMember(a, True, a in paused) for a in roster.dynamic if a not in fixed]
        return members

    def log_in(self, queue: str, agent: str) -> None:
        roster = self._rosters.setdefault(queue, QueueRoster())
        if agent not in roster.dynamic:
            roster.dynamic.append(agent)

    def log_out(self, queue: str, agent: str) -> None:
        roster = self._rosters.get(queue)
        if roster is not None:
            roster.dynamic = [a for a in roster.dynamic if a != agent]
            roster.paused = [a for a in roster.paused if a != agent]
            self._forget_if_empty(queue)

    def set_paused(self, queue: str, agent: str, paused: bool) -> None:
        roster = self._rosters.setdefault(queue, QueueRoster())
        roster.paused = [a for a in roster.paused if a != agent]
        if paused:
            roster.paused.append(agent)
        self._forget_if_empty(queue)

    def keep_only(self, queue: str, static: list[str]) -> None:
        """After the static agents changed: drop pauses of agents no longer in the queue."""
        roster = self._rosters.get(queue)
        if roster is not None:
            agents = set(static) | set(roster.dynamic)
            roster.paused = [a for a in roster.paused if a in agents]
            self._forget_if_empty(queue)

    def rename_agent(self, old: str, new: str) -> None:
        for roster in self._rosters.values():
            roster.dynamic = [new if a == old else a for a in roster.dynamic]
            roster.paused = [new if a == old else a for a in roster.paused]

    def rename_queue(self, old: str, new: str) -> None:
        if old in self._rosters:
            self._rosters[new] = self._rosters.pop(old)

    def clear(self) -> None:
        self._rosters.clear()

    def _forget_if_empty(self, queue: str) -> None:
        if queue in self._rosters and self._rosters[queue].empty():
            del self._rosters[queue]

    def to_json(self) -> dict[str, Any]:
        return {q: {"dynamic": r.dynamic, "paused": r.paused} for q, r in self._rosters.items()}

    def load_json(self, data: Any, queues: set[str], extensions: set[str]) -> None:
        """Take a stored roster, keeping only queues and extensions that still exist."""
        self._rosters.clear()
        if not isinstance(data, dict):
            return
        for queue, value in data.items():
            if queue not in queues or not isinstance(value, dict):
                continue
            dynamic, paused = value.get("dynamic"), value.get("paused")
            roster = QueueRoster(
                dynamic=[a for a in dynamic if a in extensions]
                if isinstance(dynamic, list)
                else [],
                paused=[a for a in paused if a in extensions] if isinstance(paused, list) else [],
            )
            if not roster.empty():
                self._rosters[queue] = roster
