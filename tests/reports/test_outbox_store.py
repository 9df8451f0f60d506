"""The outbox stores (memory, SQLite, Redis): per-session order, head-of-line leases, drops,
history.

The SQLite store is also driven by several processes on one file at once: every report is
claimed by exactly one of them, and each session's reports still go out in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.stores import BACKENDS, forget_prefix, open_backend, unique_prefix
from yspbx.reports.outbox import RetryPolicy
from yspbx.store.base import AttemptOutcome, Claim, NewReport, ReportState, Store
from yspbx.store.sqlite import SqliteStore

T0 = 1000.0


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    prefix = unique_prefix()
    opened = open_backend(request.param, tmp_path, prefix)
    yield opened
    await opened.close()
    if request.param == "redis":
        forget_prefix(prefix)


def report(token: str, n: int) -> NewReport:
    return NewReport(token, "ExtensionStatus", f'{{"n":{n}}}'.encode(), "http://x/", T0)


def ok(target: str = "http://x/") -> AttemptOutcome:
    return AttemptOutcome(target, 200, True, T0)


async def test_reports_are_kept_in_order_with_their_details(store: Store) -> None:
    ids = await store.outbox.add([report("a", 1), report("b", 2), report("a", 3)])
    assert ids == sorted(ids)
    kept = await store.outbox.reports()
    assert [r.id for r in kept] == ids
    first = kept[0]
    assert (first.token, first.action, first.body, first.target) == (
        "a",
        "ExtensionStatus",
        b'{"n":1}',
        "http://x/",
    )
    assert (first.attempts, first.last_status, first.state) == (0, None, ReportState.PENDING)
    assert [r.id for r in await store.outbox.reports(after_id=ids[0])] == ids[1:]
    assert await store.outbox.pending_tokens() == ["a", "b"]


async def test_only_the_head_is_claimed_and_only_by_one_owner(store: Store) -> None:
    first, second = await store.outbox.add([report("a", 1), report("a", 2)])
    claim = await store.outbox.claim("a", "p1", T0, T0 + 30)
    assert claim.report is not None
    assert claim.report.id == first
    elsewhere = await store.outbox.claim("a", "p2", T0 + 1, T0 + 31)
    assert (elsewhere.report, elsewhere.wait_until) == (None, T0 + 30)
    again = await store.outbox.claim("a", "p1", T0 + 1, T0 + 31)
    assert again.report is not None
    assert again.report.id == first
    other_session = await store.outbox.add([report("b", 3)])
    claim_b = await store.outbox.claim("b", "p2", T0, T0 + 30)
    assert claim_b.report is not None
    assert claim_b.report.id == other_session[0]
    assert await store.outbox.finish(first, "p1", ok()) is True
    claim = await store.outbox.claim("a", "p2", T0 + 2, T0 + 32)
    assert claim.report is not None
    assert claim.report.id == second


async def test_a_failed_head_waits_for_its_retry_time(store: Store) -> None:
    (first,) = await store.outbox.add([report("a", 1)])
    await store.outbox.claim("a", "p1", T0, T0 + 30)
    outcome = AttemptOutcome("http://y/", 500, False, T0 + 4)
    assert await store.outbox.finish(first, "p1", outcome) is True
    waiting = await store.outbox.claim("a", "p2", T0 + 1, T0 + 31)
    assert (waiting.report, waiting.wait_until) == (None, T0 + 4)
    due = await store.outbox.claim("a", "p2", T0 + 4, T0 + 34)
    assert due.report is not None
    assert (due.report.attempts, due.report.last_status, due.report.target) == (
        1,
        500,
        "http://y/",
    )


async def test_an_attempt_without_answer_keeps_the_last_status(store: Store) -> None:
    (first,) = await store.outbox.add([report("a", 1)])
    await store.outbox.finish(first, "p", AttemptOutcome("http://x/", 500, False, T0))
    await store.outbox.finish(first, "p", AttemptOutcome("http://x/", None, False, T0))
    (kept,) = await store.outbox.reports()
    assert (kept.attempts, kept.last_status) == (2, 500)


async def test_refusals_are_counted_and_giving_up_lets_the_next_report_go(store: Store) -> None:
    first, second = await store.outbox.add([report("a", 1), report("a", 2)])
    await store.outbox.claim("a", "p1", T0, T0 + 30)
    refused = AttemptOutcome("http://x/", 400, False, T0 + 1, refused=True)
    assert await store.outbox.finish(first, "p1", refused) is True
    # An attempt nobody answered is no refusal.
    assert await store.outbox.finish(first, "p1", AttemptOutcome("http://x/", None, False, T0))
    head = await store.outbox.claim("a", "p1", T0 + 1, T0 + 31)
    assert head.report is not None
    assert (head.report.id, head.report.attempts, head.report.refusals) == (first, 2, 1)
    last = AttemptOutcome("http://x/", 404, False, T0 + 1, refused=True, given_up=True)
    assert await store.outbox.finish(first, "p1", last) is True
    kept = {r.id: r for r in await store.outbox.reports()}
    assert (kept[first].state, kept[first].refusals, kept[first].last_status) == (
        ReportState.REFUSED,
        2,
        404,
    )
    following = await store.outbox.claim("a", "p1", T0 + 1, T0 + 31)
    assert following.report is not None
    assert following.report.id == second
    assert await store.outbox.finish(second, "p1", ok()) is True
    assert await store.outbox.pending_tokens() == []
    # A refused report is finished: the history trim may forget it.
    assert await store.outbox.trim(1) == 1


async def test_an_expired_lease_can_be_taken_over_and_release_frees_it(store: Store) -> None:
    (first,) = await store.outbox.add([report("a", 1)])
    await store.outbox.claim("a", "dead", T0, T0 + 30)
    assert (await store.outbox.claim("a", "p2", T0 + 29, T0 + 59)).report is None
    taken = await store.outbox.claim("a", "p2", T0 + 30, T0 + 60)
    assert taken.report is not None
    assert taken.report.id == first
    assert await store.outbox.release("p2") == 1
    assert (await store.outbox.claim("a", "p3", T0 + 31, T0 + 61)).report is not None


async def test_newest_pending_names_each_sessions_last_undelivered_action(store: Store) -> None:
    boot = NewReport("a", "BootUp", b"{}", "http://x/", T0)
    await store.outbox.add([report("a", 1), boot])
    await store.outbox.add([report("b", 2), report("c", 3)])
    assert await store.outbox.drop("c") == 1
    newest = await store.outbox.newest_pending(["a", "b", "c", "unknown"])
    assert newest == {"a": "BootUp", "b": "ExtensionStatus"}
    assert await store.outbox.newest_pending([]) == {}
    # Delivered reports are no longer pending: the newest pending is what is left.
    await store.outbox.add([report("d", 4)])
    await store.outbox.add([NewReport("d", "BootUp", b"{}", "http://x/", T0)])
    claimed = await store.outbox.claim("d", "p1", T0, T0 + 30)
    assert claimed.report is not None
    assert await store.outbox.finish(claimed.report.id, "p1", ok()) is True
    assert await store.outbox.newest_pending(["d"]) == {"d": "BootUp"}


async def test_dropping_a_session_keeps_its_reports_as_dropped(store: Store) -> None:
    first, second, other = await store.outbox.add([report("a", 1), report("a", 2), report("b", 3)])
    await store.outbox.claim("a", "p1", T0, T0 + 30)
    assert await store.outbox.drop("a") == 2
    assert await store.outbox.drop("a") == 0
    assert await store.outbox.claim("a", "p1", T0, T0 + 30) == Claim(None)
    # The attempt in flight when the session ended still got its 200: the receiver has the
    # report, so the log says delivered (counted, not pending again).
    assert await store.outbox.finish(first, "p1", ok()) is False
    states = {r.id: (r.state, r.attempts) for r in await store.outbox.reports()}
    assert states[first] == (ReportState.DELIVERED, 1)
    assert states[second] == (ReportState.DROPPED, 0)
    assert states[other] == (ReportState.PENDING, 0)
    assert await store.outbox.pending_tokens() == ["b"]


async def test_a_failed_attempt_in_flight_at_the_drop_stays_dropped(store: Store) -> None:
    (first,) = await store.outbox.add([report("a", 1)])
    await store.outbox.claim("a", "p1", T0, T0 + 30)
    assert await store.outbox.drop("a") == 1
    outcome = AttemptOutcome("http://x/", 500, False, T0)
    assert await store.outbox.finish(first, "p1", outcome) is False
    ((state, attempts, status),) = [
        (r.state, r.attempts, r.last_status) for r in await store.outbox.reports()
    ]
    assert (state, attempts, status) == (ReportState.DROPPED, 1, 500)


async def test_trim_keeps_the_newest_finished_and_every_pending(store: Store) -> None:
    ids = await store.outbox.add([report("a", n) for n in range(6)] + [report("b", 9)])
    for report_id in ids[:5]:
        await store.outbox.claim("a", "p", T0, T0 + 30)
        await store.outbox.finish(report_id, "p", ok())
    assert await store.outbox.trim(2) == 3
    assert [r.id for r in await store.outbox.reports()] == ids[3:]


async def test_trim_counts_dropped_and_shed_reports_as_finished(store: Store) -> None:
    (waiting,) = await store.outbox.add([report("w", 0)])  # pending, oldest: never trimmed
    dropped = await store.outbox.add([report("d", n) for n in range(3)])
    await store.outbox.drop("d")
    shed = await store.outbox.add([report("s", n) for n in range(3)])
    assert await store.outbox.shed(["s"], 1) == {"s": 2}
    assert await store.outbox.trim(3) == 2
    assert [r.id for r in await store.outbox.reports()] == [waiting, dropped[2], *shed]
    assert await store.outbox.trim(3) == 0


async def test_finish_and_claim_settles_the_head_and_leases_the_next(store: Store) -> None:
    first, second, third = await store.outbox.add([report("a", n) for n in range(3)])
    await store.outbox.claim("a", "p1", T0, T0 + 30)
    pending, claim = await store.outbox.finish_and_claim(first, "a", "p1", ok(), T0 + 30)
    assert pending is True
    assert claim.report is not None
    assert claim.report.id == second
    # Leased to p1 as a claim would have: nobody else gets it meanwhile.
    elsewhere = await store.outbox.claim("a", "p2", T0 + 1, T0 + 31)
    assert (elsewhere.report, elsewhere.wait_until) == (None, T0 + 30)
    pending, claim = await store.outbox.finish_and_claim(second, "a", "p1", ok(), T0 + 30)
    assert claim.report is not None
    assert claim.report.id == third
    pending, claim = await store.outbox.finish_and_claim(third, "a", "p1", ok(), T0 + 30)
    assert (pending, claim) == (True, Claim(None))
    states = [r.state for r in await store.outbox.reports()]
    assert states == [ReportState.DELIVERED] * 3


async def test_ids_keep_growing_after_clear(store: Store) -> None:
    (first,) = await store.outbox.add([report("a", 1)])
    await store.outbox.clear()
    assert await store.outbox.reports() == []
    assert await store.outbox.pending_tokens() == []
    (second,) = await store.outbox.add([report("a", 2)])
    assert second > first


def test_retry_policy_is_capped_exponential() -> None:
    policy = RetryPolicy(initial=1, factor=2, maximum=60)
    assert [policy.delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert RetryPolicy(0.5, 1, 10).delay(100) == 0.5
    assert RetryPolicy(1, 1e10, 30).delay(10_000) == 30


async def test_a_file_from_before_refusals_were_counted_gains_the_column(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE reports (id INTEGER PRIMARY KEY AUTOINCREMENT, token TEXT NOT NULL, "
        "action TEXT NOT NULL, body BLOB NOT NULL, target TEXT NOT NULL, created_at REAL NOT "
        "NULL, attempts INTEGER NOT NULL DEFAULT 0, last_status INTEGER, state INTEGER NOT NULL "
        "DEFAULT 0, next_attempt_at REAL NOT NULL, lease_owner TEXT NOT NULL DEFAULT '', "
        "lease_until REAL NOT NULL DEFAULT 0);"
        "INSERT INTO reports (token, action, body, target, created_at, attempts, last_status, "
        "next_attempt_at) VALUES ('a', 'BootUp', X'7B7D', 'http://x/', 1000, 3, 500, 1004);"
    )
    conn.commit()
    conn.close()
    store = SqliteStore(f"sqlite:///{path}")
    try:
        (kept,) = await store.outbox.reports()
        assert (kept.attempts, kept.last_status, kept.refusals) == (3, 500, 0)
        assert kept.state is ReportState.PENDING
    finally:
        await store.close()


SESSIONS = 4
PER_SESSION = 30


def _deliver_all(path: str, owner: str, start: Any, results: Any) -> None:
    """A process delivering whatever it can claim; puts (monotonic ns, token, id) per delivery."""

    async def run() -> list[tuple[int, str, int]]:
        store = SqliteStore(f"sqlite:///{path}")
        done: list[tuple[int, str, int]] = []
        try:
            while tokens := await store.outbox.pending_tokens():
                for token in tokens:
                    claim = await store.outbox.claim(token, owner, T0, T0 + 30)
                    if claim.report is None:
                        continue
                    done.append((time.monotonic_ns(), token, claim.report.id))
                    await asyncio.sleep(0.001)  # the POST would take a while
                    await store.outbox.finish(claim.report.id, owner, ok())
        finally:
            await store.close()
        return done

    start.wait()
    results.put(asyncio.run(run()))


@pytest.mark.slow
async def test_several_processes_on_one_file_deliver_each_report_once_in_order(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "shared.db")
    store = SqliteStore(f"sqlite:///{path}")
    tokens = [f"session{i}" for i in range(SESSIONS)]
    expected: dict[str, list[int]] = {t: [] for t in tokens}
    for n in range(PER_SESSION):
        ids = await store.outbox.add([report(t, n) for t in tokens])
        for token, report_id in zip(tokens, ids, strict=True):
            expected[token].append(report_id)
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(3), context.Queue()
    workers = [
        context.Process(target=_deliver_all, args=(path, f"worker{i}", start, results))
        for i in range(3)
    ]
    for worker in workers:
        worker.start()
    got = [results.get(timeout=30) for _ in workers]
    for worker in workers:
        worker.join(10)
    deliveries = sorted(d for result in got for d in result)
    assert sorted(d[2] for d in deliveries) == sorted(i for ids in expected.values() for i in ids)
    for token in tokens:
        assert [report_id for _, t, report_id in deliveries if t == token] == expected[token]
    assert sum(1 for result in got if result) >= 2, "only one process did any work"
    assert all(r.state is ReportState.DELIVERED for r in await store.outbox.reports())
    await store.close()


async def test_shed_drops_the_oldest_pending_beyond_the_bound(store: Store) -> None:
    ids = await store.outbox.add([report("a", n) for n in range(5)] + [report("b", 9)])
    # The head is delivered: it no longer counts.
    claim = await store.outbox.claim("a", "me", T0, T0 + 30)
    assert claim.report is not None
    assert claim.report.id == ids[0]
    await store.outbox.finish(ids[0], "me", ok())
    assert await store.outbox.shed(["a", "b"], 2) == {"a": 2}
    states = {r.id: r.state for r in await store.outbox.reports()}
    assert [states[i] for i in ids] == [
        ReportState.DELIVERED,
        ReportState.DROPPED,
        ReportState.DROPPED,
        ReportState.PENDING,
        ReportState.PENDING,
        ReportState.PENDING,
    ]
    # The session's next head is the oldest report kept, and nothing more is shed.
    claim = await store.outbox.claim("a", "me", T0, T0 + 30)
    assert claim.report is not None
    assert claim.report.id == ids[3]
    assert await store.outbox.shed(["a", "b"], 2) == {}
    assert await store.outbox.pending_tokens() == ["a", "b"]
    # A session that is not named is left alone.
    await store.outbox.add([report("b", 10), report("b", 11)])
    assert await store.outbox.shed(["a"], 2) == {}
    assert await store.outbox.shed(["b"], 2) == {"b": 1}


async def test_shed_counts_survive_a_reopen_of_the_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    first = SqliteStore(url)
    await first.outbox.add([report("a", n) for n in range(4)])
    await first.close()
    # A file from before the counts existed: the counts are rebuilt when it is opened.
    with contextlib.closing(sqlite3.connect(tmp_path / "state.db")) as conn:
        conn.execute("DELETE FROM pending_counts")
        conn.commit()
    again = SqliteStore(url)
    try:
        assert await again.outbox.shed(["a"], 1) == {"a": 3}
    finally:
        await again.close()


async def test_the_event_log_keeps_each_event_once_and_parked_sessions_their_marker(
    store: Store,
) -> None:
    outbox = store.outbox
    assert (await outbox.last_event_seq(), await outbox.parked()) == (0, {})
    bodies = {"": b'{"n":1}', "1.0.2": b'{"n":1,"v":1}'}
    first = await outbox.log_event("ExtensionStatus", bodies, T0)
    second = await outbox.log_event("BootUp", {"2.0.0": b'{"event":"BootUp"}'}, T0 + 1)
    third = await outbox.log_event("NewCdr", {"1.0.2": "é".encode()}, T0 + 2)
    assert first < second < third == await outbox.last_event_seq()
    logged = await outbox.events_after(first)
    assert [(e.seq, e.action, e.created_at) for e in logged] == [
        (second, "BootUp", T0 + 1),
        (third, "NewCdr", T0 + 2),
    ]
    assert logged[1].bodies == {"1.0.2": "é".encode()}
    assert (await outbox.events_after(0))[0].bodies == bodies
    # The newest ones only, oldest first, with a limit; and how many there are in all.
    assert [e.seq for e in await outbox.events_after(0, limit=2)] == [second, third]
    assert await outbox.count_events_after(first) == 2
    await outbox.park("a", first)
    await outbox.park("b", second)
    await outbox.park("a", second)  # a marker moves
    assert await outbox.parked() == {"a": second, "b": second}
    assert await outbox.forget_events(second) == 2
    assert [e.seq for e in await outbox.events_after(0)] == [third]
    assert await outbox.last_event_seq() == third
    await outbox.unpark("b")
    # Dropping a session (it ended) unparks it too.
    await outbox.add([report("a", 1)])
    assert await outbox.drop("a") == 1
    assert await outbox.parked() == {}
    await outbox.park("c", third)
    await outbox.clear()
    assert (await outbox.parked(), await outbox.events_after(0)) == ({}, [])
