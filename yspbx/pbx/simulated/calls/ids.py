"""Call and leg ids as the PBX writes them: ``<unix seconds>.<sequence>``.

The seconds come from the server clock and the sequence is one counter for the whole engine
(Asterisk's unique-id style). The counter is kept in the state store, so ids stay unique across
a restart even within the same second.
"""

from __future__ import annotations

from yspbx.clock import Clock
from yspbx.store.base import StateStore

SEQUENCE_KEY = "calls.sequence"


class IdSource:
    def __init__(self, clock: Clock, state: StateStore) -> None:
        self._clock = clock
        self._state = state
        self._sequence = 0
        self._saved = 0

    async def load(self) -> None:
        saved = await self._state.get(SEQUENCE_KEY)
        if saved is not None and saved.isdigit():
            self._sequence = self._saved = max(self._sequence, int(saved))

    def next(self) -> str:
        self._sequence += 1
        return f"{int(self._clock.now())}.{self._sequence}"

    async def save(self) -> None:
        """Write the counter when it moved since the last write."""
        if self._sequence != self._saved:
            value = self._sequence
            await self._state.put(SEQUENCE_KEY, str(value).encode())
            self._saved = max(self._saved, value)
