"""``server.store_sync`` sets SQLite's ``synchronous`` level: "normal" by default (an answered
write survives yspbx being killed), "full" for surviving a machine crash (docs/deploy.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from yspbx.settings import load_settings
from yspbx.store import StoreUrlError, open_store
from yspbx.store.sqlite import SqliteStore

LEVELS = {"normal": 1, "full": 2}


@pytest.mark.parametrize("sync", ["normal", "full"])
async def test_the_setting_reaches_the_connection(tmp_path: Path, sync: str) -> None:
    settings = load_settings(
        overrides={"server": {"store": f"sqlite:///{tmp_path / 's.db'}", "store_sync": sync}}
    )
    server = settings.server
    store = open_store(server.store, sync=server.store_sync)
    assert isinstance(store, SqliteStore)
    try:
        assert store.conn.execute("PRAGMA synchronous").fetchone() == (LEVELS[sync],)
    finally:
        await store.close()


def test_the_default_is_normal_and_other_levels_are_refused(tmp_path: Path) -> None:
    assert load_settings().server.store_sync == "normal"
    with pytest.raises(StoreUrlError, match="store sync"):
        open_store(f"sqlite:///{tmp_path / 's.db'}", sync="off")
