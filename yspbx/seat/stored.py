"""What a PBX keeps in the store, forgotten as a whole (``POST /sim/v1/reset``).

A reset forgets everything the PBX stored, whichever feature stored it: the sessions, the
lockouts, the report outbox and every state document, except the keys the caller names (the
clock's offset, the call-id counter). A feature that stores a new document needs nothing here
for a reset to forget it.
"""

from __future__ import annotations

from collections.abc import Collection

from yspbx.store.base import Store


async def forget_stored(store: Store, keep: Collection[str]) -> None:
    await store.outbox.clear()
    await store.sessions.clear()
    await store.lockouts.clear()
    for key, _ in await store.state.scan(""):
        if key not in keep:
            await store.state.delete(key)
