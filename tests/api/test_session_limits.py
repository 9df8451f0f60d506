"""Bounds on what one client can make the server keep: live sessions (per client IP and in all)
and undelivered reports per session, over real HTTP against a real ``yspbx serve``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.helpers import Api, Sim, failed
from tests.support.receivers import Receiver, head_attempted, log_in, wait_for_log
from tests.support.stores import free_port
from yspbx.testing import ServerProcess

pytestmark = pytest.mark.slow

TOTAL, PER_IP, PENDING = 3, 2, 3


@pytest.fixture(scope="module", params=["memory", "sqlite"])
def bounded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """The memory store counts live sessions itself; SQLite keeps stored-session counts."""
    env = {
        "YSPBX_API_MAX_SESSIONS": str(TOTAL),
        "YSPBX_API_MAX_SESSIONS_PER_IP": str(PER_IP),
        "YSPBX_REPORTS_MAX_PENDING": str(PENDING),
    }
    store = "memory://"
    if request.param == "sqlite":
        store = f"sqlite:///{tmp_path_factory.mktemp('bounded') / 'state.db'}"
    with ServerProcess(store=store, env=env) as process:
        yield process


@pytest.fixture
def control(bounded: ServerProcess) -> Iterator[Sim]:
    sim = Sim(bounded.url)
    sim.reset()
    yield sim
    sim.close()


def test_live_sessions_are_bounded_per_ip_and_in_all(bounded: ServerProcess, control: Sim) -> None:
    first, second, third = (Api(bounded.url, f"127.0.0.{n}") for n in (11, 12, 13))
    try:
        tokens = [first.token(), first.token()]
        # The IP's bound: one more login from it is refused with 20010, the others go on.
        assert first.login() == failed("20010")
        tokens.append(second.token())
        # The total bound.
        assert third.login() == failed("20010")
        # Refused logins are not failed logins: no lockout however many there are.
        for _ in range(6):
            assert first.login() == failed("20010")
        assert control.get("/state")["blocked_ips"] == []
        # A logout frees a place, for the IP and in all.
        assert first.call("logout", token=tokens[0])["status"] == "Success"
        assert third.token()
        assert first.login() == failed("20010")  # the total is full again
        # An expired session frees its place too.
        control.advance(1801)
        assert first.token()
        assert first.token()
    finally:
        for api in (first, second, third):
            api.close()


def test_the_oldest_undelivered_reports_beyond_the_bound_are_dropped(
    bounded: ServerProcess, control: Sim
) -> None:
    port = free_port()  # nobody listens there yet: the receiver is down
    receiver = Receiver("127.0.0.21", port)
    log_in(bounded.url, receiver, version="1.0.2")
    control.post("/extensions/1001/unregister")
    wait_for_log(control, head_attempted(1))  # refused connection: backing off
    for action in ("register", "unregister", "register", "unregister", "register"):
        control.post(f"/extensions/1001/{action}")
    # Parked: its head is stored; the newest events wait in the event log, listed (id null).
    log = control.get("/reports")
    assert [(entry["id"] is None, entry["state"]) for entry in log] == [(False, "pending")] + [
        (True, "pending")
    ] * PENDING
    kept = [entry["body"] for entry in log[-PENDING:]]
    # The receiver comes back: it gets the newest reports, in order, and nothing else (the
    # head, pushed out by them, is not tried again).
    with receiver:
        control.advance(60)
        delivered = receiver.wait_for_acknowledged(PENDING)
        assert [r.body.decode() for r in delivered] == kept
        assert len(receiver.received) == PENDING
    settled = ["dropped"] * 3 + ["delivered"] * PENDING
    wait_for_log(control, lambda log: [entry["state"] for entry in log] == settled)
