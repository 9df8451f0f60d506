"""Receivers that misbehave: the report is retried, never lost, and the server stays responsive.

A server of its own with a short send deadline (``reports.timeout = 0.5``) and few delivery
slots (``reports.concurrency = 3``), so hanging receivers cost fractions of a second; it also
lets absolute report URLs name one more host (``reports.allowed_hosts``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import write_config
from tests.support.helpers import Api, Sim
from tests.support.polling import wait_until
from tests.support.receivers import (
    CLOSE,
    CUT_BODY,
    HANG,
    Receiver,
    ReportLog,
    Slow,
    log_in,
    wait_for_log,
)
from yspbx.testing import ServerProcess

CONFIG = """
[reports]
timeout = 0.5
concurrency = 3
allowed_hosts = ["127.0.0.35"]
"""


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    directory = tmp_path_factory.mktemp("faults")
    config = write_config(directory, CONFIG)
    with ServerProcess(config=config, store=f"sqlite:///{directory / 'state.db'}") as process:
        yield process


@pytest.fixture
def control(faulty: ServerProcess) -> Iterator[Sim]:
    sim = Sim(faulty.url)
    sim.reset()
    yield sim
    sim.close()


@pytest.fixture
def receiver(control: Sim) -> Iterator[Receiver]:
    with Receiver("127.0.0.31") as rx:
        yield rx


def head(log: ReportLog) -> dict[str, object]:
    assert log, "no report yet"
    return log[0]


def delivered(log: ReportLog) -> bool:
    return bool(log) and all(e["delivered"] for e in log)


def test_a_hanging_receiver_times_out_and_gets_the_report_again(
    faulty: ServerProcess, control: Sim, receiver: Receiver
) -> None:
    api = Api(faulty.url, receiver.host)
    token = api.token(port=str(receiver.port), version="1.0.2")
    receiver.queue(HANG)
    control.post("/extensions/1001/unregister")
    receiver.wait_for_requests(1)
    # While the report hangs, the API answers at once.
    started = time.monotonic()
    assert api.call("deviceinfo/query", None, token)["status"] == "Success"
    assert time.monotonic() - started < 0.4
    log = wait_for_log(control, lambda log: head(log)["attempts"] == 1)
    assert (head(log)["last_status"], head(log)["delivered"]) == (None, False)
    control.advance(1)
    receiver.wait_for_acknowledged(1)
    log = wait_for_log(control, delivered)
    assert (head(log)["attempts"], head(log)["last_status"]) == (2, 200)
    first, second = receiver.received
    assert first.raw == second.raw


def test_cut_answers_and_dropped_connections_are_not_acknowledgements(
    faulty: ServerProcess, control: Sim, receiver: Receiver
) -> None:
    log_in(faulty.url, receiver, version="1.0.2")
    receiver.queue(CUT_BODY, CLOSE)
    control.post("/extensions/1001/unregister")
    wait_for_log(control, lambda log: head(log)["attempts"] == 1)
    control.advance(1)
    wait_for_log(control, lambda log: head(log)["attempts"] == 2)
    assert head(control.get("/reports"))["last_status"] is None
    control.advance(2)
    log = wait_for_log(control, delivered)
    assert (head(log)["attempts"], head(log)["last_status"]) == (3, 200)
    assert len(receiver.acknowledged()) == 1


def test_an_attempt_without_answer_keeps_the_last_status(
    faulty: ServerProcess, control: Sim, receiver: Receiver
) -> None:
    log_in(faulty.url, receiver, version="1.0.2")
    receiver.queue(500, HANG)
    control.post("/extensions/1001/unregister")
    wait_for_log(control, lambda log: head(log)["attempts"] == 1)
    control.advance(1)
    log = wait_for_log(control, lambda log: head(log)["attempts"] == 2)
    assert (head(log)["last_status"], head(log)["delivered"]) == (500, False)
    control.advance(2)
    log = wait_for_log(control, delivered)
    assert (head(log)["attempts"], head(log)["last_status"]) == (3, 200)


def test_a_slow_answer_within_the_deadline_is_one_delivery(
    faulty: ServerProcess, control: Sim, receiver: Receiver
) -> None:
    log_in(faulty.url, receiver, version="1.0.2")
    receiver.queue(Slow(0.2, 200))
    control.post("/extensions/1001/unregister")
    log = wait_for_log(control, delivered)
    assert (head(log)["attempts"], head(log)["last_status"]) == (1, 200)


def test_an_answer_after_the_deadline_counts_as_none(
    faulty: ServerProcess, control: Sim, receiver: Receiver
) -> None:
    log_in(faulty.url, receiver, version="1.0.2")
    receiver.queue(Slow(2.0, 200))
    control.post("/extensions/1001/unregister")
    log = wait_for_log(control, lambda log: head(log)["attempts"] == 1)
    assert (head(log)["last_status"], head(log)["delivered"]) == (None, False)
    control.advance(1)
    log = wait_for_log(control, delivered)
    assert head(log)["attempts"] == 2


def test_refused_connections_until_the_receiver_comes_up(
    faulty: ServerProcess, control: Sim, receiver: Receiver
) -> None:
    log_in(faulty.url, receiver, version="1.0.2")
    receiver.stop()
    control.post("/extensions/1001/unregister")
    control.post("/extensions/1001/register")
    wait_for_log(control, lambda log: len(log) == 2 and head(log)["attempts"] == 1)
    control.advance(1)
    log = wait_for_log(control, lambda log: head(log)["attempts"] == 2)
    assert [e["attempts"] for e in log] == [2, 0]  # the second waits behind the first
    receiver.start()
    control.advance(2)
    got = receiver.wait_for_acknowledged(2)
    assert [r.json()["status"] for r in got] == ["Unregistered", "Registered"]
    log = wait_for_log(control, delivered)
    assert [e["attempts"] for e in log] == [3, 1]


@pytest.mark.parametrize("status", [204, 302, 404, 500])
def test_only_200_acknowledges_and_redirects_are_not_followed(
    faulty: ServerProcess, control: Sim, receiver: Receiver, status: int
) -> None:
    with Receiver("127.0.0.32") as elsewhere:
        log_in(faulty.url, receiver, version="1.0.2")
        receiver.queue(status)
        control.post("/extensions/1001/unregister")
        log = wait_for_log(control, lambda log: head(log)["attempts"] == 1)
        assert (head(log)["last_status"], head(log)["delivered"]) == (status, False)
        control.advance(1)
        wait_for_log(control, delivered)
        assert [r.answer for r in receiver.received] == [status, 200]
        assert elsewhere.received == []


def test_delivery_slots_are_bounded_and_the_server_stays_responsive(
    faulty: ServerProcess, control: Sim
) -> None:
    """Five hanging receivers, three slots: never more than three posts hang at once, a healthy
    session still gets its report, and the API keeps answering meanwhile."""
    hanging = [Receiver(f"127.0.0.{40 + i}").start() for i in range(5)]
    healthy = Receiver("127.0.0.50").start()
    try:
        for rx in hanging:
            rx.policy = lambda request: HANG
            log_in(faulty.url, rx, version="1.0.2")
        log_in(faulty.url, healthy, version="1.0.2")
        api = Api(faulty.url, "127.0.0.51")
        token = api.token()
        control.post("/extensions/1001/unregister")
        most = 0

        def answering_while_waiting() -> bool:
            nonlocal most
            most = max(most, sum(rx.open_requests() for rx in hanging))
            started = time.monotonic()
            assert api.call("deviceinfo/query", None, token)["status"] == "Success"
            assert time.monotonic() - started < 0.4
            return bool(healthy.acknowledged())

        wait_until(answering_while_waiting, timeout=5, what="the healthy receiver's report")
        assert most == 3
        assert sum(len(rx.received) for rx in hanging) >= 3
    finally:
        for rx in [*hanging, healthy]:
            rx.stop()


def test_an_allowed_host_may_receive_another_sessions_reports(
    faulty: ServerProcess, control: Sim, receiver: Receiver
) -> None:
    with Receiver("127.0.0.35") as allowed, Receiver("127.0.0.36") as refused:
        api = Api(faulty.url, receiver.host)
        url = f"{allowed.host}:{allowed.port}/crm"
        token = api.token(port=str(receiver.port), version="1.0.2", url=url, urltag="1")
        control.post("/extensions/1001/unregister")
        (report,) = allowed.wait_for_acknowledged(1)
        assert report.path == "/crm"
        beat = {"url": f"{refused.host}:{refused.port}/x", "urlflag": "1"}
        assert api.call("heartbeat", beat, token) == {"status": "Failed", "errno": "20015"}
        control.post("/extensions/1001/register")
        allowed.wait_for_acknowledged(2)
        assert receiver.received == []
        assert refused.received == []


def test_restart_delivers_what_was_pending_in_order_then_bootup(tmp_path: Path) -> None:
    config = write_config(tmp_path, CONFIG)
    store = f"sqlite:///{tmp_path / 'state.db'}"
    with (
        ServerProcess(config=config, store=store) as server,
        Receiver("127.0.0.33") as modern,
        Receiver("127.0.0.34") as legacy,
    ):
        sim = Sim(server.url)
        log_in(server.url, modern, version="1.0.2")
        log_in(server.url, legacy)
        modern.stop()
        legacy.stop()
        for _ in range(3):
            sim.post("/extensions/1001/unregister")
            sim.post("/extensions/1001/register")
        wait_for_log(sim, lambda log: len(log) == 12 and log[0]["attempts"] >= 1)
        server.restart()
        modern.start()
        legacy.start()
        sim.advance(60)
        got_modern = modern.wait_for_acknowledged(7)
        got_legacy = legacy.wait_for_acknowledged(7)
        statuses = ["Unregistered", "Registered"] * 3
        assert [r.json().get("status") for r in got_modern] == [*statuses, None]
        assert got_modern[-1].body == b'{"action":"BootUp","sn":"369300000001"}'
        assert got_legacy[-1].body == b'{"action":"BootUp","sn":"369300000001"}'
        assert [r.json().get("status") for r in got_legacy[:-1]] == statuses
        log = wait_for_log(sim, lambda log: len(log) == 14 and delivered(log))
        # Nothing sent twice: once up, each receiver read each report exactly once.
        assert (len(modern.received), len(legacy.received)) == (7, 7)
        assert log[0]["attempts"] >= 2  # refused before the restart, delivered after it
