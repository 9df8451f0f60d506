"""The PBX's documents, the fleet's leases and the request journal, in Redis.

Keys (``P`` is the prefix): ``P doc:<key>`` (a document) with ``P docs`` (every document key, for
prefix scans in key order), ``P lease:<name>`` (holder, address and end, timed by Redis's own
clock, ``TIME``) with ``P lease:<name>:last`` (the last holder, kept), and ``P j`` (the
journal, a list).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from redis.asyncio import Redis

from yspbx.store.base import JournalEntry, LeaseGrant
from yspbx.store.redis.connection import guarded, raw, text

_NOW_MS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: lease, last holder. ARGV: owner, address, ttl ms, steal_from ('' for none).
# Answers {1, owner, address, previous or ''} when taken, {0, holder, address} when not.
_ACQUIRE = (
    _NOW_MS
    + """
local holder = redis.call('HMGET', KEYS[1], 'owner', 'address', 'until')
if holder[1] and holder[1] ~= ARGV[1] and holder[1] ~= ARGV[4]
    and tonumber(holder[3]) > now then
  return {0, holder[1], holder[2]}
end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'address', ARGV[2], 'until', now + ARGV[3])
local previous = redis.call('GET', KEYS[2]) or ''
redis.call('SET', KEYS[2], ARGV[1])
if previous == ARGV[1] then previous = '' end
return {1, ARGV[1], ARGV[2], previous}
"""
)

# KEYS: lease. ARGV: owner, ttl ms ('0': release).
_RENEW = (
    _NOW_MS
    + """
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'until', now + ARGV[2])
end
return 1
"""
)

# KEYS: lease. Answers {owner, address} while the lease runs, {} otherwise.
_HOLDER = (
    _NOW_MS
    + """
local holder = redis.call('HMGET', KEYS[1], 'owner', 'address', 'until')
if holder[1] and tonumber(holder[3]) > now then return {holder[1], holder[2]} end
return {}
"""
)


def _pack(entry: JournalEntry) -> bytes:
    return json.dumps(
        [
            entry.time,
            entry.client_ip,
            entry.method,
            entry.path,
            entry.query.decode("latin-1"),
            entry.body.decode("latin-1"),
            entry.http_status,
            entry.response.decode("latin-1"),
        ],
        separators=(",", ":"),
    ).encode()


def _unpack(raw: bytes) -> JournalEntry:
    time, ip, method, path, query, body, status, response = json.loads(raw)
    return JournalEntry(
        float(time),
        str(ip),
        str(method),
        str(path),
        str(query).encode("latin-1"),
        str(body).encode("latin-1"),
        int(status),
        str(response).encode("latin-1"),
    )


class RedisState:
    def __init__(self, client: Redis, prefix: str) -> None:
        self._client = client
        self._prefix = f"{prefix}doc:"
        self._index = f"{prefix}docs"

    @guarded
    async def get(self, key: str) -> bytes | None:
        value = await self._client.get(self._prefix + key)
        return None if value is None else raw(value)

    @guarded
    async def put(self, key: str, value: bytes) -> None:
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.set(self._prefix + key, value)
            pipe.zadd(self._index, {key: 0})
            await pipe.execute()

    @guarded
    async def delete(self, key: str) -> None:
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.delete(self._prefix + key)
            pipe.zrem(self._index, key)
            await pipe.execute()

    @guarded
    async def scan(self, prefix: str) -> list[tuple[str, bytes]]:
        low = b"[" + prefix.encode()
        high = b"(" + prefix.encode() + b"\xff"
        keys = [text(k) for k in await self._client.zrangebylex(self._index, low, high)]
        if not keys:
            return []
        values = await self._client.mget([self._prefix + k for k in keys])
        return [(k, raw(v)) for k, v in zip(keys, values, strict=True) if v is not None]

    @guarded
    async def clear(self) -> None:
        keys = [self._prefix + text(k) for k in await self._client.zrange(self._index, 0, -1)]
        for start in range(0, len(keys), 500):
            await self._client.unlink(*keys[start : start + 500])
        await self._client.delete(self._index)


class RedisLeases:
    """Leases timed by Redis's clock (``TIME``): one clock for every host of the fleet."""

    def __init__(self, client: Redis, prefix: str) -> None:
        self._client = client
        self._prefix = f"{prefix}lease:"
        self._acquire = client.register_script(_ACQUIRE)
        self._renew = client.register_script(_RENEW)
        self._holder = client.register_script(_HOLDER)

    @guarded
    async def acquire(
        self, name: str, owner: str, address: str, ttl: float, steal_from: str | None = None
    ) -> LeaseGrant:
        key = self._prefix + name
        answer = await self._acquire(
            keys=[key, key + ":last"],
            args=[owner, address, max(1, int(ttl * 1000)), steal_from or ""],
        )
        if int(answer[0]) == 0:
            return LeaseGrant(False, text(answer[1]), text(answer[2]))
        return LeaseGrant(True, owner, address, text(answer[3]) or None)

    @guarded
    async def renew(self, name: str, owner: str, ttl: float) -> bool:
        ttl_ms = max(1, int(ttl * 1000))
        return bool(await self._renew(keys=[self._prefix + name], args=[owner, ttl_ms]))

    @guarded
    async def release(self, name: str, owner: str) -> bool:
        return bool(await self._renew(keys=[self._prefix + name], args=[owner, 0]))

    @guarded
    async def holder(self, name: str) -> LeaseGrant | None:
        answer = await self._holder(keys=[self._prefix + name], args=[])
        if not answer:
            return None
        return LeaseGrant(True, text(answer[0]), text(answer[1]))


class RedisJournal:
    def __init__(self, client: Redis, prefix: str) -> None:
        self._client = client
        self._key = f"{prefix}j"

    @guarded
    async def append(self, entries: Sequence[JournalEntry], keep: int) -> None:
        if not entries:
            return
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.rpush(self._key, *[_pack(e) for e in entries])
            pipe.ltrim(self._key, -keep, -1)
            await pipe.execute()

    @guarded
    async def entries(self, keep: int) -> list[JournalEntry]:
        return [_unpack(raw(item)) for item in await self._client.lrange(self._key, -keep, -1)]

    @guarded
    async def clear(self) -> None:
        await self._client.delete(self._key)
