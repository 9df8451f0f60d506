"""A login and its journal entry are told on ``GET /sim/v1/events`` only once they are stored.

On SQLite a login decided from the process's view is written by the next group commit, with
the request's journal entry, and the answer waits for it (docs/control-plane.md, the event
stream). The events wait for it too: a listener hears of the login, then of the request's journal
entry, once the commit is done, and hears of neither if it fails (the client then gets 20010).
The memory and Redis stores tell both in the same order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.sim.test_events import Stream
from tests.store.test_sqlite_faults import FAST, UNAVAILABLE, exclusive, health
from tests.support.helpers import API, Api, Sim
from tests.support.polling import wait_until
from tests.support.stores import REDIS_URL, forget_prefix, unique_prefix
from yspbx.hub import EventHub, PublishingSessions
from yspbx.sessions.models import ReportTarget, Session
from yspbx.store.base import DEFERRED_WRITES, DeferredWrites
from yspbx.store.sqlite import SqliteStore
from yspbx.testing import ServerProcess

LOGIN_PATH = f"{API}login"


def masked(token: str) -> str:
    return "*" * (len(token) - 4) + token[-4:]


def told(stream: Stream, count: int) -> list[tuple[str, dict[str, Any]]]:
    """The next ``count`` session and journal events, in the order they came."""
    return [stream.next("session", "journal") for _ in range(count)]


def login_told(event: tuple[str, dict[str, Any]], token: str) -> bool:
    name, data = event
    return name == "session" and data["change"] == "login" and data["token"] == masked(token)


def journal_told(event: tuple[str, dict[str, Any]], token: str) -> bool:
    name, data = event
    return name == "journal" and data["path"] == LOGIN_PATH and masked(token) in data["response"]


def test_concurrent_logins_are_told_login_first_then_their_journal_entry(
    sim: Sim, server: ServerProcess
) -> None:
    # The session's server is on SQLite: logins arriving together are decided at once and
    # committed together, with their journal entries.
    with closing(Stream(server.url)) as stream:
        clients = [Api(server.url) for _ in range(8)]
        try:
            with ThreadPoolExecutor(len(clients)) as pool:
                tokens = list(pool.map(lambda n: clients[n % 8].token(), range(32)))
        finally:
            for api in clients:
                api.close()
        events = told(stream, 2 * len(tokens))
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        logins = [n for n, event in enumerate(events) if login_told(event, token)]
        entries = [n for n, event in enumerate(events) if journal_told(event, token)]
        assert len(logins) == 1, (token, events)
        assert len(entries) == 1, (token, events)
        assert logins[0] < entries[0], (token, events)


@pytest.fixture(params=["memory", "redis"])
def other_store(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    """A server on the memory store, or on the machine's Redis under a prefix of its own."""
    if request.param == "memory":
        with ServerProcess(store="memory://") as process:
            yield process
        return
    prefix = unique_prefix()
    try:
        with ServerProcess(store=REDIS_URL, env={"YSPBX_SERVER_STORE_PREFIX": prefix}) as process:
            yield process
    finally:
        forget_prefix(prefix)


def test_memory_and_redis_tell_a_login_then_its_journal_entry(
    other_store: ServerProcess,
) -> None:
    with closing(Stream(other_store.url)) as stream, closing(Api(other_store.url)) as api:
        first, second = api.token(), api.token()
        events = told(stream, 4)
    assert login_told(events[0], first), events
    assert journal_told(events[1], first), events
    assert login_told(events[2], second), events
    assert journal_told(events[3], second), events


@pytest.mark.slow  # a server of its own, and the fault watcher's round to see the file again
def test_a_login_whose_commit_fails_is_not_told_and_gets_20010(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with (
        ServerProcess(store=f"sqlite:///{path}", env=FAST) as server,
        closing(Stream(server.url)) as stream,
        closing(Api(server.url)) as api,
        closing(Sim(server.url)) as sim,
    ):
        before = api.token()
        assert login_told(stream.next("session", "journal"), before)
        assert journal_told(stream.next("session", "journal"), before)
        with exclusive(path):
            # Decided from the process's view (nothing has changed since the login before),
            # so the session is left to the group commit, which cannot take the write lock.
            assert api.login() == UNAVAILABLE
        wait_until(lambda: health(server.url)[0] == 200, what="the store answers again")
        after = api.token()
        # The next session or journal events are the next login's: nothing of the refused one.
        assert login_told(stream.next("session", "journal"), after)
        assert journal_told(stream.next("session", "journal"), after)
        # What was told is what the journal holds: the refused login left no entry.
        logins = [entry for entry in sim.get("/journal") if entry["path"] == LOGIN_PATH]
        assert [entry["response"] for entry in logins] == [
            f'{{"status":"Success","token":"{masked(token)}"}}' for token in (before, after)
        ]


# The same, in process: what the hub holds, and when it does not hold at all.

NOW = 1000.0


def new_session(n: int) -> Session:
    return Session(f"{n:032x}", "10.0.0.7", NOW, NOW + 600, ReportTarget("10.0.0.7", 8260))


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    store = SqliteStore(f"sqlite:///{tmp_path / 'state.db'}")
    yield store
    await store.close()


async def log_in(sessions: PublishingSessions, n: int, collecting: DeferredWrites | None) -> None:
    token = DEFERRED_WRITES.set(collecting)
    try:
        await sessions.add_unless_locked(new_session(n), NOW)
    finally:
        DEFERRED_WRITES.reset(token)


async def test_a_deferred_login_is_held_until_released_and_nothing_is_held_unheard(
    sqlite: SqliteStore,
) -> None:
    hub = EventHub()
    sessions = PublishingSessions(sqlite.sessions, hub)
    await log_in(sessions, 1, DeferredWrites())  # the view learns the IP's counts
    # Nobody listening: the login is deferred all the same, and nothing is held for it.
    unheard = DeferredWrites()
    await log_in(sessions, 2, unheard)
    assert len(unheard.writes) == 1
    assert unheard.held is None
    await unheard.writes[0]
    listener = hub.listen()
    # A request collecting: the login is held until its write is committed...
    collecting = DeferredWrites()
    await log_in(sessions, 3, collecting)
    assert len(collecting.writes) == 1
    assert listener.queue.empty()
    await collecting.writes[0]
    collecting.release(True)
    event = listener.queue.get_nowait()
    assert event is not None
    assert (event.name, event.data["token"]) == ("session", masked(f"{3:032x}"))
    # ...and dropped when the request tells its writes failed (over HTTP: the test above).
    failing = DeferredWrites()
    await log_in(sessions, 4, failing)
    await failing.writes[0]
    failing.release(False)
    assert listener.queue.empty()
    # No request collecting (the control plane, a test), or one that stopped (a timer it
    # started): the store waited for the write, the event goes out at once.
    closed = DeferredWrites()
    closed.open = False
    for collector in (None, closed):
        await log_in(sessions, 5 if collector is None else 6, collector)
        assert listener.queue.qsize() == 1
        listener.queue.get_nowait()
    assert closed.held is None
