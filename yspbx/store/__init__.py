"""Where yspbx keeps what must outlive a request: sessions, lockouts, reports, PBX state."""

from __future__ import annotations

from yspbx.store.base import (
    AttemptOutcome,
    BlockedIp,
    Claim,
    FailureOutcome,
    LockoutState,
    LockoutStore,
    NewReport,
    OutboxStore,
    ReportState,
    SessionStore,
    StateStore,
    Store,
    StoredReport,
)


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
    if url.startswith(("redis://", "rediss://", "unix://")):
        raise StoreUrlError("the Redis store is not available yet")
    raise StoreUrlError(
        f"unknown store URL {url!r}: use memory://, sqlite:///PATH or redis://HOST:PORT/DB"
    )


def open_store(url: str) -> Store:
    """Open the backend a URL names: ``memory://``, ``sqlite:///path`` or ``redis://...``."""
    if url.startswith("memory://"):
        from yspbx.store.memory import MemoryStore

        return MemoryStore(url)
    if url.startswith("sqlite:"):
        from yspbx.store.sqlite import SqliteStore

        try:
            return SqliteStore(url)
        except ValueError as exc:
            raise StoreUrlError(str(exc)) from None
    check_store_url(url)
    raise StoreUrlError(f"no backend for {url!r}")


__all__ = [
    "AttemptOutcome",
    "BlockedIp",
    "Claim",
    "FailureOutcome",
    "LockoutState",
    "LockoutStore",
    "NewReport",
    "OutboxStore",
    "ReportState",
    "SessionStore",
    "StateStore",
    "Store",
    "StoreUrlError",
    "StoredReport",
    "check_store_url",
    "open_store",
]
