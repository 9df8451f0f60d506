"""The report outbox in Redis; every change is one Lua script, so it is atomic across processes.

Keys (``P`` is the prefix): ``P o:seq`` (the last id), ``P o:r:<id>`` (a report's fields),
``P o:ids`` (every kept id), ``P o:done`` (finished ids, for trimming), ``P o:q:<token>`` (a
session's pending ids, in order), ``P o:tokens`` (sessions with pending reports, scored by their
oldest pending id) and ``P o:leased:<owner>`` (what an owner holds, for :meth:`release`);
the event log ``P o:ev`` (sequence number -> the event as JSON; ``P o:evseq`` the last number)
and ``P o:parked`` (parked session -> the sequence number it caught up to).
Numbers are written as Python's ``repr`` and handed back as stored, so no precision is lost.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from redis.asyncio import Redis

from yspbx.store.base import (
    AttemptOutcome,
    Claim,
    LoggedEvent,
    NewReport,
    ReportState,
    StoredReport,
)
from yspbx.store.redis.connection import delete_matching, glob_escape, guarded, text
from yspbx.store.redis.sessions import ENLIST

_FIELDS = (
    "token",
    "action",
    "body",
    "target",
    "created_at",
    "attempts",
    "last_status",
    "state",
    "next_at",
    "refusals",
)

# ARGV: prefix, count, then token, action, body, target, created_at per report.
_ADD = """
local p = ARGV[1]
local n = tonumber(ARGV[2])
local last = redis.call('INCRBY', p .. 'o:seq', n)
local ids = {}
for i = 0, n - 1 do
  local at = 3 + i * 5
  local id = last - n + 1 + i
  local token = ARGV[at]
  redis.call('HSET', p .. 'o:r:' .. id, 'token', token, 'action', ARGV[at + 1],
    'body', ARGV[at + 2], 'target', ARGV[at + 3], 'created_at', ARGV[at + 4],
    'attempts', 0, 'last_status', '', 'state', 0, 'next_at', ARGV[at + 4],
    'lease_owner', '', 'lease_until', 0)
  redis.call('ZADD', p .. 'o:ids', id, id)
  redis.call('ZADD', p .. 'o:q:' .. token, id, id)
  redis.call('ZADD', p .. 'o:tokens', 'NX', id, token)
  ids[#ids + 1] = id
end
return ids
"""

# ARGV: prefix, token, owner, now, lease_until.
# Answers {} (nothing pending), {wait_until} or {id, fields...} (leased to the caller).
_CLAIM = """
local p = ARGV[1]
local head = redis.call('ZRANGE', p .. 'o:q:' .. ARGV[2], 0, 0)
if #head == 0 then return {} end
local key = p .. 'o:r:' .. head[1]
local f = redis.call('HMGET', key, 'next_at', 'lease_owner', 'lease_until')
local now = tonumber(ARGV[4])
if f[2] ~= '' and f[2] ~= ARGV[3] and tonumber(f[3]) > now then return {f[3]} end
if tonumber(f[1]) > now then return {f[1]} end
redis.call('HSET', key, 'lease_owner', ARGV[3], 'lease_until', ARGV[5])
redis.call('SADD', p .. 'o:leased:' .. ARGV[3], head[1])
local out = redis.call('HMGET', key, 'token', 'action', 'body', 'target', 'created_at',
  'attempts', 'last_status', 'state', 'next_at', 'refusals')
table.insert(out, 1, head[1])
return out
"""

# ARGV: prefix, id, owner, target, status ('' for none), delivered (1/0), next_at, refused
# (1/0), given up (1/0). Answers -1 (no such report), 1 (it was pending) or 0.
_FINISH = """
local p = ARGV[1]
local id = ARGV[2]
local key = p .. 'o:r:' .. id
local f = redis.call('HMGET', key, 'state', 'token', 'lease_owner')
if not f[1] then return -1 end
local state = tonumber(f[1])
local pending = state == 0
if pending and (ARGV[6] == '1' or ARGV[9] == '1') then
  if ARGV[6] == '1' then state = 1 else state = 3 end
  local queue = p .. 'o:q:' .. f[2]
  redis.call('ZREM', queue, id)
  local head = redis.call('ZRANGE', queue, 0, 0)
  if #head == 0 then
    redis.call('ZREM', p .. 'o:tokens', f[2])
  else
    redis.call('ZADD', p .. 'o:tokens', head[1], f[2])
  end
  redis.call('ZADD', p .. 'o:done', id, id)
elseif state == 2 and ARGV[6] == '1' then
  -- Dropped while its attempt was in flight (the session ended), yet the 200 came: it
  -- was delivered, and the log says so.
  state = 1
end
redis.call('HSET', key, 'target', ARGV[4], 'state', state, 'next_at', ARGV[7])
redis.call('HINCRBY', key, 'attempts', 1)
if ARGV[8] == '1' then redis.call('HINCRBY', key, 'refusals', 1) end
if ARGV[5] ~= '' then redis.call('HSET', key, 'last_status', ARGV[5]) end
if f[3] == ARGV[3] then
  redis.call('HSET', key, 'lease_owner', '', 'lease_until', 0)
  redis.call('SREM', p .. 'o:leased:' .. ARGV[3], id)
end
if pending then return 1 end
return 0
"""

# ARGV: prefix, owner.
_RELEASE = """
local p = ARGV[1]
local set = p .. 'o:leased:' .. ARGV[2]
local released = 0
for _, id in ipairs(redis.call('SMEMBERS', set)) do
  local key = p .. 'o:r:' .. id
  if redis.call('HGET', key, 'lease_owner') == ARGV[2] then
    redis.call('HSET', key, 'lease_owner', '', 'lease_until', 0)
    released = released + 1
  end
end
redis.call('DEL', set)
return released
"""

# ARGV: prefix, token.
_DROP = (
    ENLIST
    + """
local p = ARGV[1]
local queue = p .. 'o:q:' .. ARGV[2]
local ids = redis.call('ZRANGE', queue, 0, -1)
for _, id in ipairs(ids) do
  redis.call('HSET', p .. 'o:r:' .. id, 'state', 2)
  redis.call('ZADD', p .. 'o:done', id, id)
end
redis.call('DEL', queue)
redis.call('ZREM', p .. 'o:tokens', ARGV[2])
if redis.call('HDEL', p .. 'o:parked', ARGV[2]) == 1 then enlist(p, ARGV[2]) end
return #ids
"""
)

# ARGV: prefix, token.
_UNPARK = (
    ENLIST
    + """
redis.call('HDEL', ARGV[1] .. 'o:parked', ARGV[2])
enlist(ARGV[1], ARGV[2])
return 0
"""
)

# ARGV: prefix, keep, then the tokens. Answers token, count, token, count... for the
# sessions that lost reports.
_SHED = """
local p = ARGV[1]
local keep = tonumber(ARGV[2])
local out = {}
for i = 3, #ARGV do
  local token = ARGV[i]
  local queue = p .. 'o:q:' .. token
  local excess = redis.call('ZCARD', queue) - keep
  if excess > 0 then
    for _, id in ipairs(redis.call('ZRANGE', queue, 0, excess - 1)) do
      redis.call('HSET', p .. 'o:r:' .. id, 'state', 2)
      redis.call('ZADD', p .. 'o:done', id, id)
    end
    redis.call('ZREMRANGEBYRANK', queue, 0, excess - 1)
    local head = redis.call('ZRANGE', queue, 0, 0)
    if #head == 0 then
      redis.call('ZREM', p .. 'o:tokens', token)
    else
      redis.call('ZADD', p .. 'o:tokens', head[1], token)
    end
    out[#out + 1] = token
    out[#out + 1] = excess
  end
end
return out
"""

# ARGV: prefix, keep.
# ARGV: prefix, then tokens. Answers, per token, its newest pending report's action ('' none).
_NEWEST = """
local p = ARGV[1]
local out = {}
for i = 2, #ARGV do
  local tail = redis.call('ZRANGE', p .. 'o:q:' .. ARGV[i], -1, -1)
  if #tail == 0 then
    out[#out + 1] = ''
  else
    out[#out + 1] = redis.call('HGET', p .. 'o:r:' .. tail[1], 'action') or ''
  end
end
return out
"""

_TRIM = """
local p = ARGV[1]
local excess = redis.call('ZCARD', p .. 'o:done') - tonumber(ARGV[2])
if excess <= 0 then return 0 end
local ids = redis.call('ZRANGE', p .. 'o:done', 0, excess - 1)
for _, id in ipairs(ids) do
  redis.call('DEL', p .. 'o:r:' .. id)
  redis.call('ZREM', p .. 'o:ids', id)
end
redis.call('ZREMRANGEBYRANK', p .. 'o:done', 0, excess - 1)
return #ids
"""


def _report(report_id: int, values: Sequence[bytes | None]) -> StoredReport:
    token, action, body, target, created, attempts, status, state, next_at, refusals = values
    return StoredReport(
        id=report_id,
        token=text(token),
        action=text(action),
        body=bytes(body or b""),
        target=text(target),
        created_at=float(text(created)),
        attempts=int(text(attempts)),
        last_status=int(status) if status else None,
        state=ReportState(int(text(state))),
        next_attempt_at=float(text(next_at)),
        refusals=int(refusals) if refusals else 0,
    )


class RedisOutbox:
    def __init__(self, client: Redis, prefix: str) -> None:
        self._client = client
        self._prefix = prefix
        self._add = client.register_script(_ADD)
        self._claim = client.register_script(_CLAIM)
        self._finish = client.register_script(_FINISH)
        self._release = client.register_script(_RELEASE)
        self._drop = client.register_script(_DROP)
        self._shed = client.register_script(_SHED)
        self._trim = client.register_script(_TRIM)
        self._newest = client.register_script(_NEWEST)
        self._unpark = client.register_script(_UNPARK)

    @guarded
    async def add(self, reports: Sequence[NewReport]) -> list[int]:
        if not reports:
            return []
        args: list[str | bytes | int] = [self._prefix, len(reports)]
        for new in reports:
            args += [new.token, new.action, new.body, new.target, repr(new.created_at)]
        return [int(i) for i in await self._add(keys=[], args=args)]

    @guarded
    async def claim(self, token: str, owner: str, now: float, lease_until: float) -> Claim:
        answer = await self._claim(
            keys=[], args=[self._prefix, token, owner, repr(now), repr(lease_until)]
        )
        if not answer:
            return Claim(None)
        if len(answer) == 1:
            return Claim(None, float(answer[0]))
        return Claim(_report(int(answer[0]), answer[1:]))

    @guarded
    async def finish(self, report_id: int, owner: str, outcome: AttemptOutcome) -> bool:
        status = "" if outcome.status is None else str(outcome.status)
        answer = await self._finish(
            keys=[],
            args=[
                self._prefix,
                report_id,
                owner,
                outcome.target,
                status,
                "1" if outcome.delivered else "0",
                repr(outcome.next_attempt_at),
                "1" if outcome.refused else "0",
                "1" if outcome.given_up else "0",
            ],
        )
        return int(answer) == 1

    @guarded
    async def release(self, owner: str) -> int:
        return int(await self._release(keys=[], args=[self._prefix, owner]))

    @guarded
    async def drop(self, token: str) -> int:
        return int(await self._drop(keys=[], args=[self._prefix, token]))

    @guarded
    async def shed(self, tokens: Sequence[str], keep: int) -> dict[str, int]:
        if not tokens:
            return {}
        answer = await self._shed(keys=[], args=[self._prefix, keep, *tokens])
        return {text(answer[i]): int(answer[i + 1]) for i in range(0, len(answer), 2)}

    @guarded
    async def pending_tokens(self) -> list[str]:
        return [text(t) for t in await self._client.zrange(f"{self._prefix}o:tokens", 0, -1)]

    @guarded
    async def newest_pending(self, tokens: Sequence[str]) -> dict[str, str]:
        if not tokens:
            return {}
        answer = await self._newest(keys=[], args=[self._prefix, *tokens])
        return {token: text(action) for token, action in zip(tokens, answer, strict=True) if action}

    @guarded
    async def reports(self, after_id: int = 0) -> list[StoredReport]:
        ids = [
            int(text(i))
            for i in await self._client.zrangebyscore(
                f"{self._prefix}o:ids", f"({after_id}", "+inf"
            )
        ]
        if not ids:
            return []
        async with self._client.pipeline(transaction=False) as pipe:
            for report_id in ids:
                pipe.hmget(f"{self._prefix}o:r:{report_id}", list(_FIELDS))
            rows = await pipe.execute()
        # A report trimmed between the two reads comes back empty: it is gone, skip it.
        return [_report(i, row) for i, row in zip(ids, rows, strict=True) if row[0] is not None]

    @guarded
    async def trim(self, keep: int) -> int:
        return int(await self._trim(keys=[], args=[self._prefix, keep]))

    @guarded
    async def log_event(self, action: str, bodies: Mapping[str, bytes], created_at: float) -> int:
        seq = int(await self._client.incr(f"{self._prefix}o:evseq"))
        payload = {
            "action": action,
            "created_at": repr(created_at),
            "bodies": {f: b.decode("utf-8", "surrogateescape") for f, b in bodies.items()},
        }
        await self._client.hset(f"{self._prefix}o:ev", str(seq), json.dumps(payload))
        return seq

    async def _seqs(self) -> list[int]:
        return sorted(int(text(k)) for k in await self._client.hkeys(f"{self._prefix}o:ev"))

    @guarded
    async def events_after(self, seq: int, limit: int | None = None) -> list[LoggedEvent]:
        wanted = [n for n in await self._seqs() if n > seq]
        if limit is not None:
            wanted = wanted[max(0, len(wanted) - limit) :]
        if not wanted:
            return []
        values = await self._client.hmget(f"{self._prefix}o:ev", [str(n) for n in wanted])
        events = []
        for n, value in zip(wanted, values, strict=True):
            if value is None:
                continue
            loaded = json.loads(text(value))
            bodies = {f: b.encode("utf-8", "surrogateescape") for f, b in loaded["bodies"].items()}
            events.append(LoggedEvent(n, loaded["action"], float(loaded["created_at"]), bodies))
        return events

    @guarded
    async def count_events_after(self, seq: int) -> int:
        return sum(1 for n in await self._seqs() if n > seq)

    @guarded
    async def last_event_seq(self) -> int:
        return int(text(await self._client.get(f"{self._prefix}o:evseq")) or 0)

    @guarded
    async def forget_events(self, upto: int) -> int:
        old = [str(n) for n in await self._seqs() if n <= upto]
        if old:
            await self._client.hdel(f"{self._prefix}o:ev", *old)
        return len(old)

    @guarded
    async def park(self, token: str, seq: int) -> None:
        # Off the sessions' reporting list in the same step (redis/sessions.py).
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.hset(f"{self._prefix}o:parked", token, str(seq))
            pipe.zrem(f"{self._prefix}s:rep", token)
            await pipe.execute()

    @guarded
    async def unpark(self, token: str) -> None:
        await self._unpark(keys=[], args=[self._prefix, token])

    @guarded
    async def parked(self) -> dict[str, int]:
        found = await self._client.hgetall(f"{self._prefix}o:parked")
        return {text(token): int(text(seq)) for token, seq in found.items()}

    @guarded
    async def clear(self) -> None:
        # Ids keep growing across a reset, as the other stores' do.
        sequence = f"{self._prefix}o:seq"
        await delete_matching(self._client, glob_escape(self._prefix) + "o:*", keep=sequence)
        # Nobody is parked now: every stored session is on the reporting list again.
        reporting, by_expiry = f"{self._prefix}s:rep", f"{self._prefix}s:exp"
        await self._client.zunionstore(reporting, [reporting, by_expiry], aggregate="MAX")
