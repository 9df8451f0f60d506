"""The session rules: login, the sliding token lifetime, heartbeat and logout.

A token lives ``api.token_ttl`` seconds after the last interaction. Sliding the expiry on every
request must not cost a store write per request, so a request rewrites the stored expiry only
when it would move by at least ``api.token_refresh_interval`` seconds (1 s by default): a
token in constant use costs at most one write per second, and its expiry is never more than
that interval short of the exact sliding rule. Heartbeat always writes.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from yspbx.clock import Clock
from yspbx.errors import Errno, PbxError
from yspbx.sessions.lockout import LockoutPolicy
from yspbx.sessions.models import LEGACY_FORMAT, ReportTarget, Session
from yspbx.sessions.targets import (
    build_target,
    check_host,
    is_absolute,
    parse_ip,
    parse_port,
)
from yspbx.store.base import NO_LIMITS, Admission, SessionLimits, SessionStore

log = logging.getLogger(__name__)

_HEX32 = re.compile(r"[0-9a-f]{32}")

# An expired token keeps answering 20006 (not 20004) for this long before it is forgotten.
TOMBSTONE_SECONDS = 86400.0

SessionEndHook = Callable[[Session, str], Awaitable[None]]


def new_token(now: float) -> str:
    """32 lowercase hex: the login's millisecond (48 bits), then 80 bits from :func:`os.urandom`.

    The layout of a UUIDv7. Fully random tokens land on random pages of a store's session
    table, so every login dirties pages of its own and a durable store writes about two pages
    per login; tokens that start with the time are appended side by side. 80 random bits stay
    far beyond guessing, and the token's first characters only tell when it was issued.
    """
    millisecond = int(now * 1000) & 0xFFFF_FFFF_FFFF
    return f"{millisecond:012x}{_random_bytes(10).hex()}"


class _RandomPool:
    """Bytes from :func:`os.urandom` (what :mod:`secrets` reads), drawn 4 KiB at a time: one
    system call per 400 logins instead of one per login. A forked child starts with an empty
    pool, so no two processes ever hand out the same bytes."""

    SIZE = 4096

    def __init__(self) -> None:
        self._pool = b""
        self._at = 0
        os.register_at_fork(after_in_child=self.empty)

    def empty(self) -> None:
        self._pool = b""
        self._at = 0

    def take(self, count: int) -> bytes:
        at = self._at
        if at + count > len(self._pool):
            self._pool, at = os.urandom(self.SIZE), 0
        self._at = at + count
        return self._pool[at : at + count]


_random_bytes = _RandomPool().take


def is_token_shaped(value: str) -> bool:
    return len(value) == 32 and _HEX32.fullmatch(value) is not None


def report_format(version: str | None) -> str:
    """The report format a login's ``version`` asks for: "1.0.2" and later are well formed."""
    if not version or not version.strip():
        return LEGACY_FORMAT
    try:
        parts = tuple(int(p) for p in version.strip().split("."))
    except ValueError:
        return LEGACY_FORMAT
    return version.strip() if parts >= (1, 0, 2) else LEGACY_FORMAT


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str
    password_md5: str


@dataclass(frozen=True, slots=True)
class LoginRequest:
    username: str
    password: str
    port: str
    version: str | None = None
    url: str | None = None
    urltag: str | None = None


@dataclass(frozen=True, slots=True)
class HeartbeatRequest:
    ipaddr: str | None = None
    port: str | None = None
    url: str | None = None
    urlflag: str | None = None


class SessionManager:
    def __init__(
        self,
        store: SessionStore,
        lockout: LockoutPolicy,
        clock: Clock,
        credentials: Credentials,
        token_ttl: float,
        refresh_interval: float,
        allowed_report_hosts: Sequence[str],
        report_transport: str = "http",
        limits: SessionLimits = NO_LIMITS,
    ) -> None:
        self._store = store
        self._lockout = lockout
        self._clock = clock
        self._credentials = credentials
        self.token_ttl = token_ttl
        self._refresh_interval = refresh_interval
        self._allowed_hosts = tuple(allowed_report_hosts)
        # The PBX's report method ("http" or "tcp"): 2.0.0 login answers it.
        self.report_transport = report_transport
        self._limits = limits
        self._end_hooks: list[SessionEndHook] = []

    @staticmethod
    def hash_password(plain: str) -> str:
        return hashlib.md5(plain.encode("utf-8")).hexdigest()

    def on_end(self, hook: SessionEndHook) -> None:
        """Call ``hook(session, reason)`` when a session ends by logout."""
        self._end_hooks.append(hook)

    async def authenticate(self, token: str | None) -> Session:
        """The live session for ``token``, its expiry slid forward; 20005/20004/20006 otherwise."""
        if not token:
            raise PbxError(Errno.TOKEN_BLANK)
        if not is_token_shaped(token):
            raise PbxError(Errno.TOKEN_UNKNOWN, "malformed token")
        session = await self._store.get(token)
        if session is None:
            raise PbxError(Errno.TOKEN_UNKNOWN)
        now = self._clock.now()
        if session.expires_at <= now:
            raise PbxError(Errno.TOKEN_EXPIRED)
        await self.touch(session, now)
        return session

    async def touch(self, session: Session, now: float | None = None) -> None:
        """Count an interaction (a request, a delivered report): slide the expiry, coalesced."""
        now = self._clock.now() if now is None else now
        expires_at = now + self.token_ttl
        if expires_at - session.expires_at >= self._refresh_interval:
            await self._store.extend(session.token, expires_at)
            session.expires_at = expires_at

    async def login(self, client_ip: str, request: LoginRequest) -> Session:
        """A new session, or the errno: a locked-out IP hears 20002 before anything else.

        The lockout is checked where it costs least: a refused request asks the store on its
        way out, a failed password is counted (which answers 20002 if the IP is locked), and a
        good login is checked, reset and stored in one store step.
        """
        try:
            port = parse_port(request.port)
            target = build_target(
                client_ip,
                client_ip,
                port,
                request.url,
                is_absolute(request.urltag),
                self._allowed_hosts,
            )
        except PbxError:
            await self._lockout.check(client_ip)
            raise
        if not self._credentials_match(request.username, request.password):
            raise await self._lockout.failed(client_ip)
        now = self._clock.now()
        session = Session(
            token=new_token(now),
            client_ip=client_ip,
            created_at=now,
            expires_at=now + self.token_ttl,
            target=target,
            version=report_format(request.version),
        )
        admission = await self._store.add_unless_locked(session, now, self._limits)
        if admission is Admission.LOCKED:
            raise PbxError(Errno.LOCKED_OUT, f"{client_ip} is locked")
        if admission is Admission.IP_FULL:
            # The PBX's "could not be handed on" (20010): a full table is a server that cannot
            # take the request now, not a refused login; it counts as no failure.
            raise PbxError(
                Errno.FORWARD_FAILED,
                f"{client_ip} has {self._limits.per_ip} live sessions (api.max_sessions_per_ip)",
            )
        if admission is Admission.FULL:
            raise PbxError(
                Errno.FORWARD_FAILED, f"{self._limits.total} live sessions (api.max_sessions)"
            )
        return session

    async def stream_login(self, client_ip: str, username: str, secret: str) -> None:
        """A TCP event stream's login: ``secret`` is the plain API password or its MD5. A
        failure counts toward the IP's lockout, as a failed HTTP login (20003, 20002)."""
        await self._lockout.check(client_ip)
        digest = secret if _HEX32.fullmatch(secret) else self.hash_password(secret)
        if not self._credentials_match(username, digest) and not self._credentials_match(
            username, self.hash_password(secret)
        ):
            raise await self._lockout.failed(client_ip)

    def _credentials_match(self, username: str, password: str) -> bool:
        # Both comparisons always run, in constant time, whatever the first one says.
        user_ok = hmac.compare_digest(
            username.encode("utf-8"), self._credentials.username.encode("utf-8")
        )
        password_ok = hmac.compare_digest(
            password.encode("utf-8"), self._credentials.password_md5.encode("ascii")
        )
        return user_ok and password_ok

    async def heartbeat(
        self, session: Session, request: HeartbeatRequest, client_ip: str
    ) -> Session:
        """Extend the token by a full lifetime and update whatever part of the target was sent.

        What the heartbeat changes obeys the rule login's target obeys, for the client the
        heartbeat comes from (``client_ip``): a new ``ipaddr`` and a new absolute URL alike.
        """
        current = session.target
        ip = current.ip
        if request.ipaddr is not None:
            ip = parse_ip(request.ipaddr, Errno.HEARTBEAT_FAILED)
            check_host(ip, client_ip, self._allowed_hosts)
        port = current.port if request.port is None else parse_port(request.port)
        target: ReportTarget
        if request.url is None and request.urlflag is None:
            target = _rebase(current, ip, port)
        else:
            url = request.url if request.url is not None else _original_url(current)
            absolute = current.absolute if request.urlflag is None else is_absolute(request.urlflag)
            target = build_target(client_ip, ip, port, url, absolute, self._allowed_hosts)
        updated = await self._store.set_target(
            session.token, target, self._clock.now() + self.token_ttl
        )
        if updated is None:
            raise PbxError(Errno.TOKEN_UNKNOWN)
        return updated

    async def change_version(self, session: Session, version: str) -> Session:
        """A heartbeat's ``version``: the session's reports use that format from now on.

        The store keeps no separate version field to update, so the session is stored again
        under the same token (its target and expiry unchanged)."""
        wanted = report_format(version)
        if wanted == session.version:
            return session
        session.version = wanted
        await self._store.remove(session.token)
        await self._store.add(session)
        return session

    async def logout(self, session: Session) -> None:
        await self._store.remove(session.token)
        for hook in self._end_hooks:
            await hook(session, "logout")

    async def purge_stale(self) -> int:
        """Forget tokens that expired long ago; they answer 20004 from then on."""
        return await self._store.purge(self._clock.now() - TOMBSTONE_SECONDS)

    async def live_count(self) -> int:
        return await self._store.count_live(self._clock.now())


def _rebase(target: ReportTarget, ip: str, port: int) -> ReportTarget:
    """The same URL as before, for a new IP and port (an absolute URL keeps its own host)."""
    return ReportTarget(
        ip=ip,
        port=port,
        url=target.url,
        absolute=target.absolute,
        absolute_host=target.absolute_host,
        absolute_port=target.absolute_port,
    )


def _original_url(target: ReportTarget) -> str | None:
    if not target.url:
        return None
    if target.absolute:
        host = f"[{target.absolute_host}]" if ":" in target.absolute_host else target.absolute_host
        return f"{host}:{target.absolute_port}{target.url}"
    return target.url
