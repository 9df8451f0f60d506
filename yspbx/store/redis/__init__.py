"""The Redis store (``redis://HOST:PORT/DB``, ``rediss://`` for TLS, ``unix://PATH``): what a
fleet of yspbx processes on several hosts shares.

Every key starts with a prefix (``server.store_prefix``, ``yspbx:`` by default), so several
PBXs, or several test runs, can share one Redis. A standalone Redis (or a primary with
replicas) is what this is written for: the Lua scripts name keys they compute, which Redis
Cluster does not allow.
"""

from __future__ import annotations

from redis.asyncio import Redis

from yspbx.store.redis.connection import connect, delete_matching, glob_escape, guarded
from yspbx.store.redis.outbox import RedisOutbox
from yspbx.store.redis.sessions import RedisLockouts, RedisSessions
from yspbx.store.redis.state import RedisJournal, RedisLeases, RedisState

DEFAULT_PREFIX = "yspbx:"


class RedisStore:
    shareable = True

    def __init__(
        self,
        url: str,
        prefix: str = DEFAULT_PREFIX,
        timeout: float = 2.0,
        client: Redis | None = None,
    ) -> None:
        """``client``: a connection to share (a hosted PBX's namespace), which this store
        then does not close."""
        self.url = url
        self.prefix = prefix
        self._owns_client = client is None
        self.client: Redis = client if client is not None else connect(url, timeout)
        self.lockouts = RedisLockouts(self.client, prefix)
        self.sessions = RedisSessions(self.client, prefix, self.lockouts)
        self.state = RedisState(self.client, prefix)
        self.outbox = RedisOutbox(self.client, prefix)
        self.leases = RedisLeases(self.client, prefix)
        self.journal = RedisJournal(self.client, prefix)

    def _space_prefix(self, name: str) -> str:
        return f"{self.prefix}pbx:{name}:"

    def namespace(self, name: str) -> RedisStore:
        """A hosted PBX's keys start with ``P pbx:<name>:``; the default PBX's keep ``P``."""
        return RedisStore(self.url, self._space_prefix(name), client=self.client)

    @guarded
    async def forget_namespace(self, name: str) -> None:
        await delete_matching(self.client, glob_escape(self._space_prefix(name)) + "*")

    @guarded
    async def ping(self) -> None:
        await self.client.ping()

    async def close(self) -> None:
        if self._owns_client:
            await self.client.aclose()


__all__ = ["DEFAULT_PREFIX", "RedisStore"]
