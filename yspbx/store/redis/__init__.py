"""The Redis store (``redis://HOST:PORT/DB``, ``rediss://`` for TLS, ``unix://PATH``): what a
fleet of yspbx processes on several hosts shares.

Every key starts with a prefix (``server.store_prefix``, ``yspbx:`` by default), so several
PBXs, or several test runs, can share one Redis. A standalone Redis (or a primary with
replicas) is what this is written for: the Lua scripts name keys they compute, which Redis
Cluster does not allow.
"""

from __future__ import annotations

from redis.asyncio import Redis

from yspbx.store.redis.connection import connect, guarded
from yspbx.store.redis.outbox import RedisOutbox
from yspbx.store.redis.sessions import RedisLockouts, RedisSessions
from yspbx.store.redis.state import RedisJournal, RedisLeases, RedisState

DEFAULT_PREFIX = "yspbx:"


class RedisStore:
    shareable = True

    def __init__(self, url: str, prefix: str = DEFAULT_PREFIX, timeout: float = 2.0) -> None:
        self.url = url
        self.prefix = prefix
        self.client: Redis = connect(url, timeout)
        self.lockouts = RedisLockouts(self.client, prefix)
        self.sessions = RedisSessions(self.client, prefix, self.lockouts)
        self.state = RedisState(self.client, prefix)
        self.outbox = RedisOutbox(self.client, prefix)
        self.leases = RedisLeases(self.client, prefix)
        self.journal = RedisJournal(self.client, prefix)

    @guarded
    async def ping(self) -> None:
        await self.client.ping()

    async def close(self) -> None:
        await self.client.aclose()


__all__ = ["DEFAULT_PREFIX", "RedisStore"]
