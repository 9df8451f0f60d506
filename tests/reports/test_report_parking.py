"""Parked sessions (issue 17, point 7): a session whose receiver is down costs an event no stored
report; the event is logged once, and the session catches up from the log when its receiver
answers again, in order, after a restart too. Against a real ``yspbx serve`` on a real SQLite
file, which the test reads to count what each event stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.helpers import Api, Sim
from tests.support.polling import wait_until
from tests.support.receivers import Receiver, log_in, wait_for_log
from tests.support.stores import free_port
from yspbx.testing import ServerProcess

pytestmark = pytest.mark.slow

EVENTS = 10


def rows(path: Path, query: str, *args: object) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(query, args).fetchone()[0])


def test_a_down_receiver_costs_an_event_no_report_and_catches_up_in_order(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.db"
    with (
        ServerProcess(store=f"sqlite:///{path}") as server,
        Receiver("127.0.0.41") as up,
    ):
        sim = Sim(server.url)
        down = Receiver("127.0.0.42", free_port())  # nobody listens there yet
        log_in(server.url, up, version="1.0.2")
        parked = log_in(server.url, down, version="1.0.2")
        sim.post("/extensions/1001/unregister")
        # Its first report attempted and refused: the session backs off, it is parked.
        wait_until(
            lambda: rows(path, "SELECT attempts FROM reports WHERE token = ?", parked),
            until=lambda attempts: attempts >= 1,
            what="the down receiver's first attempt",
        )
        statuses = ["Unregistered"]
        for n in range(EVENTS):
            action = "register" if n % 2 == 0 else "unregister"
            sim.post(f"/extensions/1001/{action}")
            statuses.append("Registered" if n % 2 == 0 else "Unregistered")
        assert len(up.wait_for_acknowledged(EVENTS + 1)) == EVENTS + 1
        # The parked session still has its one report; the events are in the log once each.
        assert rows(path, "SELECT COUNT(*) FROM reports WHERE token = ?", parked) == 1
        assert rows(path, "SELECT COUNT(*) FROM report_events") == EVENTS
        assert rows(path, "SELECT COUNT(*) FROM report_parked WHERE token = ?", parked) == 1
        # A restart keeps the marker and the log: nothing is lost, BootUp comes after.
        server.restart()
        sim.close()
        sim = Sim(server.url)
        down.start()
        try:
            sim.advance(60)
            got = down.wait_for_acknowledged(EVENTS + 2)
            assert [r.json().get("status") for r in got] == [*statuses, None]
            assert got[-1].json()["action"] == "BootUp"
            assert len(down.received) == EVENTS + 2
            # Caught up: unparked, and the report log lists each report once, delivered.
            log = wait_for_log(
                sim,
                lambda log: len(log) == 2 * (EVENTS + 2) and all(e["delivered"] for e in log),
            )
            mine = [e for e in log if e["target"] == down.url]
            assert [e["body"] for e in mine] == [r.body.decode() for r in got]
            assert rows(path, "SELECT COUNT(*) FROM report_parked") == 0
        finally:
            down.stop()
            sim.close()


def test_the_report_log_lists_a_parked_sessions_reports_and_logout_drops_them(
    tmp_path: Path,
) -> None:
    with ServerProcess(store=f"sqlite:///{tmp_path / 'state.db'}") as server:
        sim = Sim(server.url)
        down = Receiver("127.0.0.43", free_port())
        token = log_in(server.url, down, version="1.0.2")
        sim.post("/extensions/1001/unregister")
        wait_for_log(sim, lambda log: bool(log) and log[0]["attempts"] >= 1)
        sim.post("/extensions/1001/register")
        sim.post("/extensions/1001/unregister")
        log = sim.get("/reports")
        assert [e["state"] for e in log] == ["pending"] * 3
        assert [e["body"].split('"status":"')[1].split('"')[0] for e in log] == [
            "Unregistered",
            "Registered",
            "Unregistered",
        ]
        # Listed once each, however often the log is read.
        assert len(sim.get("/reports")) == 3
        api = Api(server.url, down.host)
        try:
            assert api.call("logout", token=token)["status"] == "Success"
        finally:
            api.close()
        assert [e["state"] for e in sim.get("/reports")] == ["dropped"] * 3
        sim.close()
