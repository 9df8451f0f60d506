"""SQLite write transactions, and group commit: concurrent requests share one transaction.

A login must be on disk before its token is handed out, and in WAL mode every commit costs a
write of the log plus the lock round trip. When many requests write at once (a burst of
logins), each one queues its statement and waits; the batch is committed once per turn of the
event loop, in one ``BEGIN IMMEDIATE`` ... ``COMMIT``, and every waiter is answered after the
commit. A lone request pays one loop turn more; a burst pays one commit instead of dozens.

Besides operations (a function run in the transaction, its result handed back), a writer may
*carry* items (:meth:`GroupCommit.carry`): the journal's entries, the sessions of logins decided
at once. Each carrier writes its items of the group together (one row, one ``executemany``)
and all of them wait on one future for the group: a request whose login session and journal
entry ride in the same group waits once, for one commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from yspbx.store.sqlite_guard import is_fault

T = TypeVar("T")


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction that takes the database's write lock up front."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        rollback(conn)
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise


def rollback(conn: sqlite3.Connection) -> None:
    """Undo the open transaction, if SQLite has not already (it does after some I/O errors),
    so the connection can start the next one: the error being handled is the one to tell."""
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


# A queued operation (run inside the group's transaction) and the future its caller waits on.
_Operation = Callable[[sqlite3.Connection], Any]
_Pending = tuple[_Operation, "asyncio.Future[Any]"]


class TransactionHook(Protocol):
    """Work deferred to the end of each of the group's transactions (say, counters that every
    operation of the group moves: written once per transaction, not once per operation)."""

    def flush(self, conn: sqlite3.Connection) -> None:
        """Write what the transaction's operations left; runs just before its COMMIT."""

    def discard(self) -> None:
        """Forget what the transaction's operations left: it was rolled back."""


class Carrier(Protocol):
    """Writes items that ride along in a group's transaction (the journal's entries, logins):
    the items of one group are written together, before its operations."""

    def write_carried(self, conn: sqlite3.Connection, items: list[Any]) -> None: ...

    def discard_carried(self) -> None:
        """The transaction that carried items failed (they may be written again alone)."""


class GroupCommit:
    def __init__(
        self,
        conn: sqlite3.Connection,
        on_fault: Callable[[BaseException], BaseException] | None = None,
    ) -> None:
        """``on_fault``: what a fault of the file (:func:`is_fault`) is told to the waiters as
        (the guard's :class:`StoreUnavailable`), for futures awaited outside a guarded method."""
        self._conn = conn
        self._queue: list[_Pending] = []
        self._scheduled = False
        self._hooks: list[TransactionHook] = []
        self._on_fault = on_fault
        # Items riding in the next transaction, per carrier, and the one future their
        # writers wait on (one per group, however many items).
        self._carried: dict[Carrier, list[Any]] = {}
        self._carried_done: asyncio.Future[None] | None = None

    def pending(self, carrier: Carrier) -> bool:
        """Whether operations, or items of ``carrier``, wait for the next transaction."""
        return bool(self._queue) or carrier in self._carried

    def add_hook(self, hook: TransactionHook) -> None:
        self._hooks.append(hook)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction whose hooks flush before it commits and forget on rollback."""
        try:
            with immediate(self._conn) as conn:
                yield conn
                for hook in self._hooks:
                    hook.flush(conn)
        except BaseException:
            for hook in self._hooks:
                hook.discard()
            raise

    async def execute(self, sql: str, params: tuple[Any, ...]) -> None:
        """Run ``sql`` in the next group transaction; return once it is committed."""
        await self.run(lambda conn: _run(conn, sql, params))

    async def execute_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """Run ``sql`` once per row, in the next group transaction."""
        await self.run(lambda conn: _run(conn, sql, rows))

    async def run(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """Call ``operation(conn)`` in the next group transaction; its result once committed.

        For a read-then-write that must be atomic (the write lock is held for the whole group).
        It may run twice: when another operation of its group fails, the group is rolled back
        and each operation is run again in a transaction of its own.
        """
        return await self.queue(operation)

    def queue(self, operation: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """:meth:`run` without the wait: the future is done once the group is committed (a
        fault of the file is set on it as ``on_fault`` says)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[T] = loop.create_future()
        self._queue.append((operation, done))
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._commit)
        return done

    def carry(self, carrier: Carrier, item: object) -> asyncio.Future[None]:
        """Write ``item`` (with the other items of ``carrier``) in the next group transaction,
        the one that also holds the operations queued so far in this turn of the loop."""
        loop = asyncio.get_running_loop()
        items = self._carried.get(carrier)
        if items is None:
            items = self._carried[carrier] = []
        items.append(item)
        done = self._carried_done
        if done is None:
            done = self._carried_done = loop.create_future()
        if not self._scheduled:
            self._scheduled = True
            # One turn of the loop later than an operation: the items of two turns share the
            # commit (every request carries a journal entry, and a commit per turn cost the
            # read path more than the writer task that batched them before). The requests
            # that carry wait one turn more; an operation queued meanwhile keeps this time.
            loop.call_soon(loop.call_soon, self._commit)
        return done

    def _commit(self) -> None:
        self._scheduled = False
        batch, self._queue = self._queue, []
        carried, self._carried = self._carried, {}
        carried_done, self._carried_done = self._carried_done, None
        if not batch and not carried:
            return
        results = []
        try:
            with self._transaction() as conn:
                # Carried items first: an operation that counts what the transaction added (a
                # login decided in it) sees the sessions carried in it too.
                for carrier, items in carried.items():
                    carrier.write_carried(conn, items)
                for operation, _ in batch:
                    results.append(operation(conn))
        except Exception as exc:
            for carrier in carried:
                carrier.discard_carried()
            if is_fault(exc):
                # The file fails (locked, full, damaged): so would every retry, each after the
                # same wait. The whole group is refused at once.
                told = exc if self._on_fault is None else self._on_fault(exc)
                for _, done in batch:
                    if not done.done():
                        done.set_exception(told)
                _settle(carried_done, told)
                return
            # One failing operation must not fail its neighbours: the carried items in a
            # transaction of their own, then each operation on its own.
            self._carry_alone(carried, carried_done)
            self._one_by_one(batch)
            return
        for (_, done), result in zip(batch, results, strict=True):
            if not done.done():
                done.set_result(result)
        _settle(carried_done, None)

    def _carry_alone(
        self, carried: dict[Carrier, list[Any]], done: asyncio.Future[None] | None
    ) -> None:
        if not carried:
            return
        try:
            with self._transaction() as conn:
                for carrier, items in carried.items():
                    carrier.write_carried(conn, items)
        except Exception as exc:
            for carrier in carried:
                carrier.discard_carried()
            told = exc if self._on_fault is None or not is_fault(exc) else self._on_fault(exc)
            _settle(done, told)
            return
        _settle(done, None)

    def _one_by_one(self, batch: list[_Pending]) -> None:
        for operation, done in batch:
            if done.done():
                continue
            try:
                with self._transaction() as conn:
                    result = operation(conn)
            except Exception as exc:
                told = exc if self._on_fault is None or not is_fault(exc) else self._on_fault(exc)
                done.set_exception(told)
            else:
                done.set_result(result)


def _settle(done: asyncio.Future[None] | None, exc: BaseException | None) -> None:
    if done is None or done.done():
        return
    if exc is None:
        done.set_result(None)
    else:
        done.set_exception(exc)


def _run(
    conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] | list[tuple[Any, ...]]
) -> None:
    if isinstance(params, list):
        conn.executemany(sql, params)
    else:
        conn.execute(sql, params)
