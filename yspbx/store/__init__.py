"""Where yspbx keeps what must outlive a request: sessions, lockouts, reports, PBX state."""

from __future__ import annotations

from yspbx.store.base import (
    AttemptOutcome,
    BlockedIp,
    Claim,
    FailureOutcome,
    JournalEntry,
    JournalStore,
    LeaseGrant,
    LeaseStore,
    LockoutState,
    LockoutStore,
    NewReport,
    OutboxStore,
    ReportState,
    SessionStore,
    StateStore,
    Store,
    StoredReport,
    StoreFileError,
    StoreUnavailable,
)

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class StoreUrlError(ValueError):
    """The ``--store`` URL names no backend yspbx has."""


def check_store_url(url: str) -> None:
    """Refuse a URL no backend understands, before anything is started."""
    if url.startswith("memory://"):
        return
    if url.startswith("sqlite:"):
        from yspbx.store.sqlite import path_from_url

        try:
            path_from_url(url)
        except ValueError as exc:
            raise StoreUrlError(str(exc)) from None
        return
    if url.startswith(REDIS_SCHEMES):
        _check_redis_url(url)
        return
    raise StoreUrlError(
        f"unknown store URL {url!r}: use memory://, sqlite:///PATH or redis://HOST:PORT/DB"
    )


def _check_redis_url(url: str) -> None:
    try:
        from redis.asyncio.connection import parse_url
    except ImportError:
        raise StoreUrlError(
            "the Redis store needs the redis extra: pip install 'yspbx[redis]'"
        ) from None
    try:
        parse_url(url)
    except ValueError as exc:
        raise StoreUrlError(f"bad Redis URL {url!r}: {exc}") from None


def open_store(
    url: str, *, prefix: str = "yspbx:", timeout: float = 2.0, sync: str = "normal"
) -> Store:
    """Open the backend a URL names: ``memory://``, ``sqlite:///path`` or ``redis://...``.

    ``prefix`` starts every Redis key; ``timeout`` bounds every Redis call (seconds);
    ``sync``: SQLite's ``synchronous`` level, "normal" or "full" (``server.store_sync``).
    """
    if url.startswith("memory://"):
        from yspbx.store.memory import MemoryStore

        return MemoryStore(url)
    if url.startswith("sqlite:"):
        from yspbx.store.sqlite import SqliteStore

        try:
            return SqliteStore(url, timeout=timeout, sync=sync)
        except ValueError as exc:
            raise StoreUrlError(str(exc)) from None
    check_store_url(url)
    from yspbx.store.redis import RedisStore

    return RedisStore(url, prefix=prefix, timeout=timeout)


__all__ = [
    "AttemptOutcome",
    "BlockedIp",
    "Claim",
    "FailureOutcome",
    "JournalEntry",
    "JournalStore",
    "LeaseGrant",
    "LeaseStore",
    "LockoutState",
    "LockoutStore",
    "NewReport",
    "OutboxStore",
    "ReportState",
    "SessionStore",
    "StateStore",
    "Store",
    "StoreFileError",
    "StoreUnavailable",
    "StoreUrlError",
    "StoredReport",
    "check_store_url",
    "open_store",
]
