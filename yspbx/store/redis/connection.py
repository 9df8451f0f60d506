"""The Redis connection: time-outs on every call, one quick retry, errors as StoreUnavailable.

Every call is bounded by ``server.store_timeout`` (connect and read alike), so a Redis that is
down or unreachable costs a request that long at most, never a hang. redis-py keeps a pool and
opens fresh connections by itself when Redis comes back; the one retry covers the first call
on a pooled connection that died with the old Redis.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from yspbx.store.base import StoreUnavailable

P = ParamSpec("P")
T = TypeVar("T")

# What "Redis cannot answer now" looks like; anything else (a bad script, a wrong type) is a bug.
UNAVAILABLE: tuple[type[BaseException], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    TimeoutError,
    OSError,
)

_GLOB = re.compile(r"([*?\[\]\\])")


def connect(url: str, timeout: float) -> Redis:
    return Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 1),
        decode_responses=False,
        health_check_interval=0,
    )


def guarded(
    method: Callable[P, Coroutine[Any, Any, T]],
) -> Callable[P, Coroutine[Any, Any, T]]:
    """Turn Redis's connection errors and time-outs into :class:`StoreUnavailable`."""

    @functools.wraps(method)
    async def call(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await method(*args, **kwargs)
        except UNAVAILABLE as exc:
            raise StoreUnavailable(f"Redis: {exc or type(exc).__name__}") from exc

    return call


def glob_escape(text: str) -> str:
    """``text`` as a literal inside a ``SCAN MATCH`` pattern."""
    return _GLOB.sub(r"\\\1", text)


async def delete_matching(client: Redis, pattern: str, keep: str = "") -> None:
    """Delete every key matching ``pattern`` but ``keep`` (a reset; not atomic, and not meant
    to be)."""
    batch: list[bytes] = []
    async for key in client.scan_iter(match=pattern, count=500):
        if key == keep.encode():
            continue
        batch.append(key)
        if len(batch) >= 500:
            await client.unlink(*batch)
            batch.clear()
    if batch:
        await client.unlink(*batch)


def text(value: object) -> str:
    """A Redis reply item as text (``""`` for none)."""
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else str(value)


def raw(value: object) -> bytes:
    """A Redis reply item as bytes (the client never decodes replies)."""
    return value if isinstance(value, bytes) else str(value).encode()
