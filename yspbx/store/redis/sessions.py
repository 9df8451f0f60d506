"""Sessions and lockouts in Redis: a hash per token or IP, a sorted set to list them by time.

Keys (``P`` is the prefix): ``P s:<token>`` (the session's fields), ``P s:exp`` (token ->
expiry), ``P s:rep`` (token -> expiry, the sessions that are not parked: what an event is
fanned out to, :meth:`RedisSessions.reporting`; the outbox's ``park`` takes a token out, its
``unpark`` and ``drop`` put it back), ``P s:ip:<ip>`` (the IP's tokens -> expiry, for the
per-IP bound), ``P l:<ip>``
(failures, until), ``P l:blocked`` (ip -> until). Read-modify-writes run
as Lua scripts, so a lockout counted by several processes at once stays exact.

Times are the server clock's. A session key also expires in Redis at ``expires_at`` plus the
tombstone (read as a Unix time): the server clock is never behind wall time, so Redis never
forgets a token before the rules would, and a store nobody purges still empties itself.
"""

from __future__ import annotations

from redis.asyncio import Redis

from yspbx.sessions.manager import TOMBSTONE_SECONDS
from yspbx.sessions.models import ReportTarget, Session
from yspbx.store.base import (
    NO_LIMITS,
    Admission,
    BlockedIp,
    FailureOutcome,
    LockoutState,
    SessionLimits,
)
from yspbx.store.redis.connection import delete_matching, glob_escape, guarded, raw, text

_TARGET_FIELDS = ("ip", "port", "url", "absolute", "host", "host_port")

# Lua: move the session's entry in its IP's index to a new expiry (ARGV-free: the caller
# passes the session key, prefix, token, expiry and the second its key may be forgotten). The
# index key lives as long as its longest-lived session.
_BY_IP = """
local function index_ip(session_key, prefix, token, expires_at, forget_at, add)
  local ip = redis.call('HGET', session_key, 'client_ip')
  if not ip then return end
  local key = prefix .. 's:ip:' .. ip
  if add then
    redis.call('ZADD', key, expires_at, token)
  else
    redis.call('ZADD', key, 'XX', expires_at, token)
  end
  local ttl = redis.call('TTL', key)
  local wanted = tonumber(forget_at) - tonumber(redis.call('TIME')[1])
  if ttl < 0 or ttl < wanted then redis.call('EXPIREAT', key, forget_at) end
end
"""

# Lua: put a stored session that is not parked on the reporting list, at its expiry.
ENLIST = """
local function enlist(prefix, token)
  if redis.call('HEXISTS', prefix .. 'o:parked', token) == 1 then return end
  local expires_at = redis.call('HGET', prefix .. 's:' .. token, 'expires_at')
  if expires_at then redis.call('ZADD', prefix .. 's:rep', expires_at, token) end
end
"""

# KEYS: none. ARGV: prefix, token.
_ENLIST = ENLIST + "enlist(ARGV[1], ARGV[2])\nreturn 0\n"

# KEYS: session, by-expiry. ARGV: token, expires_at, tombstone, prefix.
_EXTEND = (
    _BY_IP
    + """
local current = redis.call('HGET', KEYS[1], 'expires_at')
if current and tonumber(current) < tonumber(ARGV[2]) then
  local forget_at = math.ceil(tonumber(ARGV[2]) + tonumber(ARGV[3]))
  redis.call('HSET', KEYS[1], 'expires_at', ARGV[2])
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
  redis.call('EXPIREAT', KEYS[1], forget_at)
  index_ip(KEYS[1], ARGV[4], ARGV[1], ARGV[2], forget_at, false)
  redis.call('ZADD', ARGV[4] .. 's:rep', 'XX', ARGV[2], ARGV[1])
end
return 0
"""
)

# KEYS: session, by-expiry. ARGV: token, expires_at, tombstone, then the target's fields,
# then the prefix.
_SET_TARGET = (
    _BY_IP
    + """
local current = redis.call('HGET', KEYS[1], 'expires_at')
if not current then return {} end
redis.call('HSET', KEYS[1], 'ip', ARGV[4], 'port', ARGV[5], 'url', ARGV[6],
  'absolute', ARGV[7], 'host', ARGV[8], 'host_port', ARGV[9])
if tonumber(current) < tonumber(ARGV[2]) then
  local forget_at = math.ceil(tonumber(ARGV[2]) + tonumber(ARGV[3]))
  redis.call('HSET', KEYS[1], 'expires_at', ARGV[2])
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
  redis.call('EXPIREAT', KEYS[1], forget_at)
  index_ip(KEYS[1], ARGV[10], ARGV[1], ARGV[2], forget_at, false)
  redis.call('ZADD', ARGV[10] .. 's:rep', 'XX', ARGV[2], ARGV[1])
end
return redis.call('HGETALL', KEYS[1])
"""
)

# KEYS: by-expiry. ARGV: prefix, expired_before.
_PURGE = """
local tokens = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2])
for _, token in ipairs(tokens) do
  local key = ARGV[1] .. 's:' .. token
  local ip = redis.call('HGET', key, 'client_ip')
  if ip then redis.call('ZREM', ARGV[1] .. 's:ip:' .. ip, token) end
  redis.call('DEL', key)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2])
redis.call('ZREMRANGEBYSCORE', ARGV[1] .. 's:rep', '-inf', '(' .. ARGV[2])
return #tokens
"""

# KEYS: the IP's entry, blocked set. ARGV: ip, now, threshold, until-if-locked-now.
# Answers {failures, until or '', newly blocked, already blocked}.
_RECORD_FAILURE = """
local entry = redis.call('HMGET', KEYS[1], 'failures', 'until')
local failures = tonumber(entry[1]) or 0
local locked = entry[2]
if locked and locked ~= '' then
  if tonumber(locked) > tonumber(ARGV[2]) then
    return {failures, locked, 0, 1}
  end
  failures = 0
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
end
failures = failures + 1
if failures >= tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], 'failures', failures, 'until', ARGV[4])
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
  return {failures, ARGV[4], 1, 0}
end
redis.call('HSET', KEYS[1], 'failures', failures, 'until', '')
return {failures, '', 0, 0}
"""

# KEYS: the session, the expiry index, the IP's lockout entry, the blocked set, the IP's
# session index. ARGV: token, expires_at, expire-at second, ip, now, the per-IP and total
# bounds ('' for none), prefix, then the session's field/value pairs.
# Answers 1 (added); nothing is written when it answers 0 (the IP is locked), 2 (the IP has
# its bound of live sessions) or 3 (the total bound is reached).
_ADD_UNLESS_LOCKED = (
    _BY_IP
    + ENLIST
    + """
local locked = redis.call('HGET', KEYS[3], 'until')
if locked and locked ~= '' and tonumber(locked) > tonumber(ARGV[5]) then return 0 end
local live = '(' .. ARGV[5]
if ARGV[6] ~= '' and redis.call('ZCOUNT', KEYS[5], live, '+inf') >= tonumber(ARGV[6]) then
  return 2
end
if ARGV[7] ~= '' and redis.call('ZCOUNT', KEYS[2], live, '+inf') >= tonumber(ARGV[7]) then
  return 3
end
if redis.call('DEL', KEYS[3]) == 1 then redis.call('ZREM', KEYS[4], ARGV[4]) end
redis.call('HSET', KEYS[1], unpack(ARGV, 9))
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('EXPIREAT', KEYS[1], ARGV[3])
index_ip(KEYS[1], ARGV[8], ARGV[1], ARGV[2], ARGV[3], true)
enlist(ARGV[8], ARGV[1])
return 1
"""
)

# KEYS: the session, the expiry index. ARGV: token, prefix. Answers 1 when it existed.
_REMOVE = """
local ip = redis.call('HGET', KEYS[1], 'client_ip')
if ip then redis.call('ZREM', ARGV[2] .. 's:ip:' .. ip, ARGV[1]) end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', ARGV[2] .. 's:rep', ARGV[1])
return redis.call('DEL', KEYS[1])
"""

_ADMISSIONS = {0: Admission.LOCKED, 1: Admission.ADDED, 2: Admission.IP_FULL, 3: Admission.FULL}

# KEYS: the IP's entry, blocked set. ARGV: ip. Answers 1 when the IP was locked.
_FORGET = """
local locked = redis.call('HGET', KEYS[1], 'until')
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if locked and locked ~= '' then return 1 end
return 0
"""


def _session(token: str, fields: dict[bytes, bytes]) -> Session:
    get = {key.decode(): value.decode() for key, value in fields.items()}.__getitem__
    return Session(
        token=token,
        client_ip=get("client_ip"),
        created_at=float(get("created_at")),
        expires_at=float(get("expires_at")),
        target=ReportTarget(
            ip=get("ip"),
            port=int(get("port")),
            url=get("url"),
            absolute=get("absolute") == "1",
            absolute_host=get("host"),
            absolute_port=int(get("host_port")),
        ),
        version=get("version"),
    )


def _target_values(target: ReportTarget) -> list[str]:
    return [
        target.ip,
        str(target.port),
        target.url,
        "1" if target.absolute else "0",
        target.absolute_host,
        str(target.absolute_port),
    ]


def _pairs(values: list[bytes]) -> dict[bytes, bytes]:
    return dict(zip(values[::2], values[1::2], strict=True))


def _fields(session: Session) -> dict[str, str]:
    return dict(
        zip(_TARGET_FIELDS, _target_values(session.target), strict=True),
        client_ip=session.client_ip,
        created_at=repr(session.created_at),
        expires_at=repr(session.expires_at),
        version=session.version,
    )


def _forgotten_at(session: Session) -> int:
    """When the store may drop the session's key: a day after its expiry (see the tombstone)."""
    return int(session.expires_at + TOMBSTONE_SECONDS) + 1


class RedisSessions:
    def __init__(self, client: Redis, prefix: str, lockouts: RedisLockouts) -> None:
        self._client = client
        self._prefix = prefix
        self._lockouts = lockouts
        self._by_expiry = f"{prefix}s:exp"
        self._reporting = f"{prefix}s:rep"
        self._enlist = client.register_script(_ENLIST)
        self._add_unless_locked = client.register_script(_ADD_UNLESS_LOCKED)
        self._extend = client.register_script(_EXTEND)
        self._set_target = client.register_script(_SET_TARGET)
        self._purge = client.register_script(_PURGE)
        self._remove = client.register_script(_REMOVE)

    def _key(self, token: str) -> str:
        return f"{self._prefix}s:{token}"

    def _ip_key(self, ip: str) -> str:
        return f"{self._prefix}s:ip:{ip}"

    @guarded
    async def add(self, session: Session) -> None:
        key = self._key(session.token)
        ip_key = self._ip_key(session.client_ip)
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping=_fields(session))  # type: ignore[arg-type]
            pipe.zadd(self._by_expiry, {session.token: session.expires_at})
            pipe.expireat(key, _forgotten_at(session))
            pipe.zadd(ip_key, {session.token: session.expires_at})
            pipe.expireat(ip_key, _forgotten_at(session))
            await pipe.execute()
        # Then on the reporting list, unless the token is parked (stored again under its token).
        await self._enlist(keys=[], args=[self._prefix, session.token])

    @guarded
    async def add_unless_locked(
        self, session: Session, now: float, limits: SessionLimits = NO_LIMITS
    ) -> Admission:
        pairs = [part for item in _fields(session).items() for part in item]
        answer = await self._add_unless_locked(
            keys=[
                self._key(session.token),
                self._by_expiry,
                *self._lockouts.keys_for(session.client_ip),
                self._ip_key(session.client_ip),
            ],
            args=[
                session.token,
                repr(session.expires_at),
                _forgotten_at(session),
                session.client_ip,
                repr(now),
                "" if limits.per_ip is None else limits.per_ip,
                "" if limits.total is None else limits.total,
                self._prefix,
                *pairs,
            ],
        )
        return _ADMISSIONS[int(answer)]

    @guarded
    async def get(self, token: str) -> Session | None:
        fields = await self._client.hgetall(self._key(token))
        return _session(token, {raw(k): raw(v) for k, v in fields.items()}) if fields else None

    @guarded
    async def extend(self, token: str, expires_at: float) -> None:
        await self._extend(
            keys=[self._key(token), self._by_expiry],
            args=[token, repr(expires_at), TOMBSTONE_SECONDS, self._prefix],
        )

    @guarded
    async def set_target(
        self, token: str, target: ReportTarget, expires_at: float
    ) -> Session | None:
        values = await self._set_target(
            keys=[self._key(token), self._by_expiry],
            args=[
                token,
                repr(expires_at),
                TOMBSTONE_SECONDS,
                *_target_values(target),
                self._prefix,
            ],
        )
        return _session(token, _pairs(values)) if values else None

    @guarded
    async def remove(self, token: str) -> bool:
        deleted = await self._remove(
            keys=[self._key(token), self._by_expiry], args=[token, self._prefix]
        )
        return bool(deleted)

    @guarded
    async def live(self, now: float) -> list[Session]:
        return await self._listed(self._by_expiry, now)

    @guarded
    async def reporting(self, now: float) -> list[Session]:
        return await self._listed(self._reporting, now)

    async def _listed(self, index: str, now: float) -> list[Session]:
        """The sessions of ``index`` (token -> expiry) that are live at ``now``, oldest first."""
        tokens = [text(t) for t in await self._client.zrangebyscore(index, f"({now!r}", "+inf")]
        if not tokens:
            return []
        async with self._client.pipeline(transaction=False) as pipe:
            for token in tokens:
                pipe.hgetall(self._key(token))
            found = await pipe.execute()
        sessions = [_session(t, f) for t, f in zip(tokens, found, strict=True) if f]
        return sorted((s for s in sessions if s.expires_at > now), key=lambda s: s.created_at)

    @guarded
    async def count_live(self, now: float) -> int:
        return int(await self._client.zcount(self._by_expiry, f"({now!r}", "+inf"))

    @guarded
    async def purge(self, expired_before: float) -> int:
        return int(
            await self._purge(keys=[self._by_expiry], args=[self._prefix, repr(expired_before)])
        )

    @guarded
    async def clear(self) -> None:
        await delete_matching(self._client, glob_escape(self._prefix) + "s:*")


class RedisLockouts:
    def __init__(self, client: Redis, prefix: str) -> None:
        self._client = client
        self._prefix = prefix
        self._blocked = f"{prefix}l:blocked"
        self._record_failure = client.register_script(_RECORD_FAILURE)
        self._forget = client.register_script(_FORGET)

    def _key(self, ip: str) -> str:
        return f"{self._prefix}l:{ip}"

    def keys_for(self, ip: str) -> list[str]:
        """The IP's entry and the blocked set, for scripts that check a lockout."""
        return [self._key(ip), self._blocked]

    @guarded
    async def state(self, ip: str, now: float) -> LockoutState:
        failures, until = await self._client.hmget(self._key(ip), ["failures", "until"])
        if failures is None:
            return LockoutState(0, None)
        if until:
            if float(until) <= now:
                return LockoutState(0, None)
            return LockoutState(int(failures), float(until))
        return LockoutState(int(failures), None)

    @guarded
    async def record_failure(
        self, ip: str, now: float, threshold: int, lock_seconds: float
    ) -> FailureOutcome:
        failures, until, newly, already = await self._record_failure(
            keys=[self._key(ip), self._blocked],
            args=[ip, repr(now), threshold, repr(now + lock_seconds)],
        )
        return FailureOutcome(
            failures=int(failures),
            blocked_until=float(until) if until else None,
            newly_blocked=bool(newly),
            already_blocked=bool(already),
        )

    @guarded
    async def forget(self, ip: str) -> bool:
        return bool(await self._forget(keys=[self._key(ip), self._blocked], args=[ip]))

    @guarded
    async def blocked(self, now: float) -> list[BlockedIp]:
        rows = await self._client.zrangebyscore(self._blocked, f"({now!r}", "+inf", withscores=True)
        return [BlockedIp(text(row[0]), float(row[1])) for row in rows]

    @guarded
    async def clear(self) -> None:
        await delete_matching(self._client, glob_escape(self._prefix) + "l:*")
