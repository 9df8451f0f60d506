"""Which agents a queue rings next, by its ring strategy (``ringstrategy``).

``Ring All`` rings every free agent at once. The others ring one agent per round:

* ``Linear``: the agents in the queue's order (static agents, then dynamic ones in login order);
* ``Rrmemory``: round robin that remembers, for the whole queue, the last agent it rang and
  starts after it;
* ``Least Recent``: the agent whose last call from this queue ended longest ago (never first);
* ``Fewest Calls``: the agent who answered the fewest calls from this queue;
* ``Random``: any free agent.

Within one caller's wait the one-at-a-time strategies (except ``Rrmemory``, whose memory does
that job) do not ring an agent again before every free agent has had a turn; then the turns
start over.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass
class AgentRecord:
    """What a queue remembers about one agent (lost on restart, like the PBX's own counters)."""

    calls: int = 0
    last_ended: float | None = None
    wrapup_until: float = 0.0


class Strategy:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        # queue -> the agent its Rrmemory strategy rang last
        self._last_rung: dict[str, str] = {}

    def pick(
        self,
        queue: str,
        strategy: str,
        members: list[str],
        free: list[str],
        tried: list[str],
        records: dict[str, AgentRecord],
    ) -> list[str]:
        """The agents to ring this round: ``free`` are the ``members`` (in the queue's order)
        that can ring now; ``tried`` the agents this caller's wait has rung in this turn."""
        if not free:
            return []
        if strategy == "Ring All":
            return free
        if strategy == "Rrmemory":
            chosen = self._round_robin(queue, members, free)
        else:
            rung = set(tried)
            turn = [agent for agent in free if agent not in rung] or free
            if turn is free:
                tried.clear()
            chosen = self._one_of(strategy, turn, records)
        tried.append(chosen)
        self._last_rung[queue] = chosen
        return [chosen]

    def _round_robin(self, queue: str, members: list[str], free: list[str]) -> str:
        last = self._last_rung.get(queue)
        if last is None or last not in members:
            return free[0]
        at = members.index(last) + 1
        return next(agent for agent in members[at:] + members[:at] if agent in free)

    def _one_of(self, strategy: str, turn: list[str], records: dict[str, AgentRecord]) -> str:
        if strategy == "Random":
            return self.rng.choice(turn)
        if strategy == "Least Recent":
            return min(turn, key=lambda a: _ended(records.get(a)))
        if strategy == "Fewest Calls":
            return min(turn, key=lambda a: records[a].calls if a in records else 0)
        return turn[0]  # Linear


def _ended(record: AgentRecord | None) -> float:
    if record is None or record.last_ended is None:
        return float("-inf")
    return record.last_ended
