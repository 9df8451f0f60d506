"""Waiting for what happens on its own: the suite's one polling loop.

Timers are driven through the server's clock and never waited for; what is left happens in
real time somewhere else (a report reaching a receiver, a keep-alive thread's heartbeat, a
process taking over an engine, a wall-clock lease running out). Tests wait for those with
:func:`wait_until` (or :func:`wait_until_async`): poll a check until it holds, fail with what
was awaited and the last answer after ``timeout`` seconds, never sleep a fixed time.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio

T = TypeVar("T")

INTERVAL = 0.01


def _expired(timeout: float, what: str, last: object) -> AssertionError:
    return AssertionError(f"not within {timeout} s: {what}; last answer: {last!r}")


def wait_until(
    check: Callable[[], T],
    *,
    until: Callable[[T], object] = bool,
    timeout: float = 10.0,
    what: str = "",
    interval: float = INTERVAL,
) -> T:
    """Call ``check`` until its answer is true (or satisfies ``until``); return that answer."""
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if until(answer):
            return answer
        if time.monotonic() >= deadline:
            raise _expired(timeout, what or getattr(check, "__name__", repr(check)), answer)
        time.sleep(interval)


async def wait_until_async(
    check: Callable[[], Awaitable[T]],
    *,
    until: Callable[[T], object] = bool,
    interval: float = INTERVAL,
) -> T:
    """:func:`wait_until` for a check that is awaited, without blocking the event loop. The
    caller bounds it, as anyio code does: ``with anyio.fail_after(5): await wait_until_async(...)``.
    """
    while True:
        answer = await check()
        if until(answer):
            return answer
        await anyio.sleep(interval)
