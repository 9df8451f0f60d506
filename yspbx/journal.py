"""The request journal: every API request the server received, for the control plane to show.

Recording sits on the hot path. A lone process (the memory store) keeps entries in a bounded
deque: an append of references, nothing more. A fleet (SQLite or Redis, ``--workers``, several
servers) keeps them in the store, so ``GET /sim/v1/journal`` shows every process's requests:
:class:`SharedJournal` writes them in batches (whatever accumulated while the previous write was
under way goes in the next one, one store write for many requests), and a request is answered
only once its entry is written, so the journal a client reads next already holds it.

Decoding, masking and shaping happen when someone reads the journal. Secrets (tokens, randoms,
every password and secret field) are masked on the way out (asterisks, then the last four
characters), never stored in a second form. A field is judged by its name as the server reads
it, decoded: ``?%74oken=`` is a token and ``"pass\\u0077ord"`` a password.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import Any, Protocol
from urllib.parse import unquote_plus

from yspbx.hub import EventHub
from yspbx.store.base import JournalEntry, JournalStore

log = logging.getLogger(__name__)

# Bodies longer than this are cut in the journal (the request itself is not affected).
BODY_LIMIT = 4096

# Fields whose values are masked: by exact name, or by a part of the name (every password or
# secret of docs/pbx-api: ``password``, ``loginpassword``, ``registerpassword``, ``vmsecret``...).
SECRET_NAMES = frozenset({"token", "random", "pincode"})
SECRET_PARTS = ("password", "secret", "passwd")

# A JSON member as written: a string key (escapes and all), then a string or a bare value.
_JSON_MEMBER = re.compile(r'("(?:[^"\\]|\\.)*"\s*:\s*)("(?:[^"\\]|\\.)*"?|[^\s,}\]]+)')


def is_secret(name: str) -> bool:
    """Whether a field called ``name`` (as decoded, any case) holds a secret."""
    lowered = name.lower()
    return lowered in SECRET_NAMES or any(part in lowered for part in SECRET_PARTS)


def mask(secret: str) -> str:
    """Asterisks, then the last four characters: enough to tell tokens apart (their first
    characters are their issue time, shared by every token of the day), too few to use."""
    return "*" * max(0, len(secret) - 4) + secret[-4:]


def _decoded(written: str) -> str:
    """A JSON string as written (quotes included, maybe cut short) as the text it means."""
    try:
        value = json.loads(written if written.endswith('"') and len(written) > 1 else written + '"')
    except ValueError:
        return written.strip('"')
    return value if isinstance(value, str) else written


def _mask_member(match: re.Match[str]) -> str:
    key, value = match.group(1), match.group(2)
    if not is_secret(_decoded(key[: key.rindex('"') + 1])):
        return match.group(0)
    plain = _decoded(value) if value.startswith('"') else value
    return key + json.dumps(mask(plain), ensure_ascii=False)


def _mask_json_text(text: str) -> str:
    """Mask the secret members of a JSON text, judged by their keys once decoded (so
    ``"pass\\u0077ord"`` is ``password``), keeping the rest as written; a body cut short or not
    JSON at all is masked as far as it reads as JSON."""
    return _JSON_MEMBER.sub(_mask_member, text)


def _mask_query(text: str) -> str:
    """Mask the secret parameters of a query string, judged by their names once
    percent-decoded (``%74oken`` is ``token``, as the server reads it)."""
    parts = []
    for part in text.split("&"):
        name, sep, value = part.partition("=")
        if sep and is_secret(unquote_plus(name)):
            part = name + "=" + mask(unquote_plus(value))
        parts.append(part)
    return "&".join(parts)


def _text(data: bytes) -> str:
    text = data[:BODY_LIMIT].decode("utf-8", errors="replace")
    return text + "…" if len(data) > BODY_LIMIT else text


def shape(entries: Iterable[JournalEntry]) -> list[dict[str, Any]]:
    """Entries as ``GET /sim/v1/journal`` shows them, secrets masked."""
    return [
        {
            "time": e.time,
            "client_ip": e.client_ip,
            "method": e.method,
            "path": e.path,
            "query": _mask_query(e.query.decode("latin-1")),
            "body": _mask_json_text(_text(e.body)),
            "http_status": e.http_status,
            "response": _mask_json_text(_text(e.response)),
        }
        for e in entries
    ]


def bounded(entry: JournalEntry) -> JournalEntry:
    """The entry with its bodies cut to what :func:`shape` shows (one byte more, so it knows
    to mark the cut): a journal of 10,000 requests must not hold 10,000 large bodies."""
    if len(entry.body) <= BODY_LIMIT and len(entry.response) <= BODY_LIMIT:
        return entry
    return replace(
        entry, body=entry.body[: BODY_LIMIT + 1], response=entry.response[: BODY_LIMIT + 1]
    )


class Journal(Protocol):
    async def record(self, entry: JournalEntry) -> bool:
        """Keep ``entry``; whether the journal holds it (a store that failed: it does not)."""
        ...

    async def entries(self) -> list[dict[str, Any]]: ...

    async def clear(self) -> None: ...

    async def close(self) -> None: ...


class LocalJournal:
    """This process's requests, newest ``size`` kept, in memory."""

    def __init__(self, size: int) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=size)

    async def record(self, entry: JournalEntry) -> bool:
        self._entries.append(bounded(entry))
        return True

    async def entries(self) -> list[dict[str, Any]]:
        return shape(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    async def clear(self) -> None:
        self._entries.clear()

    async def close(self) -> None:
        return None


class SharedJournal:
    """The fleet's requests, in the store, written in batches."""

    def __init__(self, store: JournalStore, size: int) -> None:
        self._store = store
        self._size = size
        self._batch: list[JournalEntry] = []
        # Whether the batch being gathered was written, for every request in it.
        self._written: asyncio.Future[bool] | None = None
        self._writer: asyncio.Task[None] | None = None
        self._complained = False
        # A store that can carry an entry in its next write transaction (SQLite).
        self._carry: Callable[[JournalEntry, int], Awaitable[None] | None] | None = getattr(
            store, "carry", None
        )

    def _failed(self, problem: object) -> None:
        # The journal is for looking inside; a request never fails for it.
        if not self._complained:
            log.warning("could not write a journal entry: %s", problem)
            self._complained = True

    async def record(self, entry: JournalEntry) -> bool:
        """Queue the entry and return once it is in the store (True) or the store failed."""
        if self._carry is not None:
            # The store writes it in the transaction of this moment's writes (SQLite's group
            # commit): no batch of its own, and one wait for a request that wrote.
            carried = self._carry(bounded(entry), self._size)
            if carried is None:
                self._failed("the store fails")
                return False
            try:
                await carried
                self._complained = False
            except Exception as exc:
                self._failed(exc)
                return False
            return True
        self._batch.append(bounded(entry))
        if self._written is None:
            self._written = asyncio.get_running_loop().create_future()
        written = self._written
        if self._writer is None:
            self._writer = asyncio.create_task(self._write(), name="yspbx-journal")
        return await asyncio.shield(written)

    async def _write(self) -> None:
        try:
            while self._batch:
                batch, self._batch = self._batch, []
                written, self._written = self._written, None
                stored = False
                try:
                    await self._store.append(batch, self._size)
                    self._complained = False
                    stored = True
                except Exception as exc:
                    # The journal is for looking inside; a request never fails for it.
                    if not self._complained:
                        log.warning("could not write %d journal entries: %s", len(batch), exc)
                        self._complained = True
                finally:
                    if written is not None and not written.done():
                        written.set_result(stored)
        finally:
            self._writer = None

    async def entries(self) -> list[dict[str, Any]]:
        return shape(await self._store.entries(self._size))

    async def clear(self) -> None:
        await self._store.clear()

    async def close(self) -> None:
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)


class PublishingJournal:
    """A journal that also tells the event hub of each entry, shaped and masked as
    ``GET /sim/v1/journal`` shows it (only while someone listens).

    An entry is told once the journal holds it (on SQLite, once the group commit that carried
    it is done), never when its write failed; and after what its request holds back (the
    login that request made, told once the request's deferred writes are committed), so a
    listener hears of a login before the journal entry of its request."""

    def __init__(self, inner: Journal, hub: EventHub) -> None:
        self._inner = inner
        self._hub = hub

    async def record(self, entry: JournalEntry) -> bool:
        written = await self._inner.record(entry)
        if written and self._hub.listening:
            self._hub.publish_in_turn("journal", shape([bounded(entry)])[0])
        return written

    async def entries(self) -> list[dict[str, Any]]:
        return await self._inner.entries()

    async def clear(self) -> None:
        await self._inner.clear()

    async def close(self) -> None:
        await self._inner.close()
