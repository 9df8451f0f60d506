"""The store protocols, run against every backend (memory, SQLite, Redis): sessions with their
expiry, atomic lockouts, documents with prefix scans, leases and the shared journal.

The rules live above the stores; these tests pin down what every backend must keep and answer
alike, so the rules behave the same whichever store a server runs on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

from tests.support.polling import wait_until_async
from tests.support.stores import BACKENDS, forget_prefix, free_port, open_backend, unique_prefix
from yspbx.sessions.models import ReportTarget, Session
from yspbx.store.base import Admission, JournalEntry, SessionLimits, Store, StoreUnavailable
from yspbx.store.redis import RedisStore

# Server-clock times are never behind wall time (the Redis store counts on it for its key
# expiry); the fraction catches a backend that rounds.
T0 = float(int(time.time()) + 86400) + 0.123456


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    prefix = unique_prefix()
    opened = open_backend(request.param, tmp_path, prefix)
    yield opened
    await opened.close()
    if request.param == "redis":
        forget_prefix(prefix)


def session(token: str, expires_at: float, created_at: float = T0) -> Session:
    return Session(
        token=token,
        client_ip="192.0.2.10",
        created_at=created_at,
        expires_at=expires_at,
        target=ReportTarget("192.0.2.10", 8260, "reports", False, "", 0),
        version="1.0.2",
    )


async def test_sessions_keep_every_field_and_slide_forward_only(store: Store) -> None:
    token = "a" * 32
    await store.sessions.add(session(token, T0 + 1800))
    assert await store.sessions.get(token) == session(token, T0 + 1800)
    assert await store.sessions.get("b" * 32) is None
    await store.sessions.extend(token, T0 + 2400.5)
    await store.sessions.extend(token, T0 + 100)  # never backwards
    stored = await store.sessions.get(token)
    assert stored is not None
    assert stored.expires_at == T0 + 2400.5
    target = ReportTarget("198.51.100.7", 9000, "/hook", True, "198.51.100.7", 9000)
    updated = await store.sessions.set_target(token, target, T0 + 3000)
    assert updated is not None
    assert (updated.target, updated.expires_at) == (target, T0 + 3000)
    assert await store.sessions.set_target("c" * 32, target, T0) is None
    assert await store.sessions.remove(token) is True
    assert await store.sessions.remove(token) is False
    assert await store.sessions.get(token) is None


async def test_sessions_are_listed_counted_and_purged_by_expiry(store: Store) -> None:
    await store.sessions.add(session("1" * 32, T0 + 10, created_at=T0 + 2))
    await store.sessions.add(session("2" * 32, T0 + 20, created_at=T0 + 1))
    await store.sessions.add(session("3" * 32, T0 - 5))
    live = await store.sessions.live(T0)
    assert sorted(s.token for s in live) == ["1" * 32, "2" * 32]
    assert await store.sessions.count_live(T0) == 2
    assert await store.sessions.count_live(T0 + 15) == 1
    assert await store.sessions.purge(T0) == 1
    assert await store.sessions.get("3" * 32) is None
    await store.sessions.clear()
    assert await store.sessions.count_live(T0) == 0
    assert await store.sessions.get("1" * 32) is None


async def test_lockout_counts_locks_once_and_expires(store: Store) -> None:
    ip = "203.0.113.5"
    outcomes = [await store.lockouts.record_failure(ip, T0, 3, 600) for _ in range(4)]
    assert [o.failures for o in outcomes[:3]] == [1, 2, 3]
    assert [o.newly_blocked for o in outcomes] == [False, False, True, False]
    assert outcomes[3].already_blocked
    assert outcomes[2].blocked_until == T0 + 600
    state = await store.lockouts.state(ip, T0 + 1)
    assert (state.failures, state.blocked_until) == (3, T0 + 600)
    assert [(b.ip, b.until) for b in await store.lockouts.blocked(T0)] == [(ip, T0 + 600)]
    # Once the lock runs out the slate is clean, and counting starts again.
    assert (await store.lockouts.state(ip, T0 + 600)).blocked_until is None
    assert await store.lockouts.blocked(T0 + 600) == []
    again = await store.lockouts.record_failure(ip, T0 + 601, 3, 600)
    assert (again.failures, again.blocked_until) == (1, None)
    assert await store.lockouts.forget(ip) is False  # counted, not locked
    assert (await store.lockouts.state(ip, T0 + 601)).failures == 0


async def test_a_good_login_is_refused_while_locked_and_otherwise_resets_the_count(
    store: Store,
) -> None:
    ip = session("c" * 32, T0 + 1800).client_ip
    await store.lockouts.record_failure(ip, T0, 2, 600)
    await store.lockouts.record_failure(ip, T0, 2, 600)  # locked until T0 + 600
    assert (
        await store.sessions.add_unless_locked(session("c" * 32, T0 + 1800), T0 + 1)
        is Admission.LOCKED
    )
    assert await store.sessions.get("c" * 32) is None
    assert [b.ip for b in await store.lockouts.blocked(T0 + 1)] == [ip]
    # The lock runs out: the login goes through and the entry is gone.
    assert (
        await store.sessions.add_unless_locked(session("d" * 32, T0 + 2400), T0 + 600)
        is Admission.ADDED
    )
    assert await store.sessions.get("d" * 32) == session("d" * 32, T0 + 2400)
    assert await store.lockouts.blocked(T0) == []
    # One failure short of the lock: a good login starts the count over.
    await store.lockouts.record_failure(ip, T0 + 700, 2, 600)
    assert (
        await store.sessions.add_unless_locked(session("e" * 32, T0 + 2500), T0 + 701)
        is Admission.ADDED
    )
    assert (await store.lockouts.state(ip, T0 + 702)).failures == 0
    again = await store.lockouts.record_failure(ip, T0 + 703, 2, 600)
    assert (again.failures, again.blocked_until) == (1, None)


async def test_live_sessions_are_bounded_per_ip_and_in_all(store: Store) -> None:
    limits = SessionLimits(total=3, per_ip=2)

    def from_ip(token: str, ip: str, expires_at: float = T0 + 1800) -> Session:
        return Session(token, ip, T0, expires_at, ReportTarget(ip, 8260))

    add = store.sessions.add_unless_locked
    assert await add(from_ip("a" * 32, "10.0.0.1"), T0, limits) is Admission.ADDED
    assert await add(from_ip("b" * 32, "10.0.0.1"), T0, limits) is Admission.ADDED
    assert await add(from_ip("c" * 32, "10.0.0.1"), T0, limits) is Admission.IP_FULL
    assert await store.sessions.get("c" * 32) is None
    assert await add(from_ip("d" * 32, "10.0.0.2"), T0, limits) is Admission.ADDED
    assert await add(from_ip("e" * 32, "10.0.0.3"), T0, limits) is Admission.FULL
    # A logout frees a place; so does a session's expiry, and a heartbeat keeps one.
    assert await store.sessions.remove("a" * 32) is True
    assert await add(from_ip("c" * 32, "10.0.0.1"), T0, limits) is Admission.ADDED
    await store.sessions.extend("b" * 32, T0 + 5000)
    later = T0 + 1801  # c and d expired; b was extended
    new = later + 1800
    assert await add(from_ip("f" * 32, "10.0.0.1", new), later, limits) is Admission.ADDED
    assert await add(from_ip("g" * 32, "10.0.0.1", new), later, limits) is Admission.IP_FULL
    assert await store.sessions.purge(later) == 2
    assert await add(from_ip("h" * 32, "10.0.0.4", new), later, limits) is Admission.ADDED
    assert await add(from_ip("i" * 32, "10.0.0.5", new), later, limits) is Admission.FULL
    assert await store.sessions.count_live(later) == 3


async def test_concurrent_failures_lock_exactly_once(store: Store) -> None:
    outcomes = await asyncio.gather(
        *(store.lockouts.record_failure("198.51.100.1", T0, 5, 60) for _ in range(20))
    )
    assert sum(o.newly_blocked for o in outcomes) == 1
    assert sum(o.already_blocked for o in outcomes) == 15
    assert await store.lockouts.forget("198.51.100.1") is True
    await store.lockouts.record_failure("198.51.100.2", T0, 1, 60)
    await store.lockouts.clear()
    assert await store.lockouts.blocked(T0) == []


async def test_documents_scan_by_prefix_in_key_order(store: Store) -> None:
    await store.state.put("calls.cdr/2", b"two")
    await store.state.put("calls.cdr/1", b"\x00\xffone")
    await store.state.put("calls.cdrx", b"other")
    await store.state.put("pbx.config", b"{}")
    assert await store.state.get("calls.cdr/1") == b"\x00\xffone"
    assert await store.state.scan("calls.cdr/") == [
        ("calls.cdr/1", b"\x00\xffone"),
        ("calls.cdr/2", b"two"),
    ]
    await store.state.put("calls.cdr/2", b"2")
    await store.state.delete("calls.cdr/1")
    assert await store.state.scan("calls.cdr/") == [("calls.cdr/2", b"2")]
    await store.state.clear()
    assert await store.state.get("pbx.config") is None
    assert await store.state.scan("") == []


async def test_a_lease_has_one_holder_until_released_or_expired(store: Store) -> None:
    first = await store.leases.acquire("engine", "one", "addr-1", ttl=5)
    assert (first.acquired, first.previous) == (True, None)
    refused = await store.leases.acquire("engine", "two", "addr-2", ttl=5)
    assert (refused.acquired, refused.owner, refused.address) == (False, "one", "addr-1")
    assert await store.leases.renew("engine", "one", ttl=5) is True
    assert await store.leases.renew("engine", "two", ttl=5) is False
    holder = await store.leases.holder("engine")
    assert holder is not None
    assert (holder.owner, holder.address) == ("one", "addr-1")
    # A holder known to be dead can be taken over at once; the new holder learns who it was.
    stolen = await store.leases.acquire("engine", "two", "addr-2", ttl=0.2, steal_from="one")
    assert (stolen.acquired, stolen.previous) == (True, "one")
    assert await store.leases.renew("engine", "one", ttl=5) is False

    async def current_holder() -> object:
        return await store.leases.holder("engine")

    with anyio.fail_after(5):  # a wall-clock lease: it runs out in real time
        await wait_until_async(current_holder, until=lambda held: held is None)
    # Run out but taken by nobody: still the holder's to renew (a slow holder keeps it).
    assert await store.leases.renew("engine", "two", ttl=0.2) is True
    with anyio.fail_after(5):
        await wait_until_async(current_holder, until=lambda held: held is None)
    third = await store.leases.acquire("engine", "three", "addr-3", ttl=5)
    assert (third.acquired, third.previous) == (True, "two")
    assert await store.leases.renew("engine", "two", ttl=5) is False
    assert await store.leases.release("engine", "two") is False
    assert await store.leases.release("engine", "three") is True
    assert await store.leases.holder("engine") is None


async def test_the_journal_keeps_the_newest_entries_in_order(store: Store) -> None:
    def entry(n: int) -> JournalEntry:
        return JournalEntry(
            T0 + n, "127.0.0.2", "POST", f"/api/{n}", b"token=x", b"\xe9{}", 200, b"{}"
        )

    await store.journal.append([entry(1), entry(2)], keep=3)
    await store.journal.append([entry(3), entry(4)], keep=3)
    kept = await store.journal.entries(keep=3)
    assert [e.path for e in kept][-3:] == ["/api/2", "/api/3", "/api/4"]
    assert kept[-1] == entry(4)
    assert [e.path for e in await store.journal.entries(keep=2)] == ["/api/3", "/api/4"]
    await store.journal.clear()
    assert await store.journal.entries(keep=3) == []


async def test_an_unreachable_redis_answers_store_unavailable_quickly() -> None:
    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0", prefix=unique_prefix(), timeout=0.5)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        await store.sessions.get("a" * 32)
    with pytest.raises(StoreUnavailable):
        await store.ping()
    assert time.monotonic() - started < 3
    await store.close()
