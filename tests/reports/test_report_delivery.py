"""Event reports over real HTTP: targets, formats on the wire, retries, order, token rules.

Reports come from the real event sources: phones registering through ``/sim/v1`` give
``ExtensionStatus``. Each application server is a :class:`~tests.support.receivers.Receiver` on its
own loopback IP, logged in from that IP. Retries are brought forward with ``clock/advance``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest

from tests.support.helpers import Api, Sim, failed
from tests.support.polling import wait_until
from tests.support.receivers import HANG, Receiver, ReportLog, log_in, wait_for_log
from yspbx.testing import ServerProcess

SN = "369300000001"


def status_body(extension: str, status: str) -> bytes:
    """``ExtensionStatus`` has no party, so both formats write it alike, ``sn`` included."""
    return (
        f'{{"action":"ExtensionStatus","extension":"{extension}","status":"{status}","sn":"{SN}"}}'
    ).encode()


@pytest.fixture
def receiver(sim: Sim) -> Iterator[Receiver]:
    with Receiver("127.0.0.21") as rx:
        yield rx


@pytest.fixture
def other(sim: Sim) -> Iterator[Receiver]:
    with Receiver("127.0.0.22") as rx:
        yield rx


def toggle(sim: Sim, extension: str = "1001") -> None:
    """Unregister then register the phone: two ExtensionStatus reports."""
    sim.post(f"/extensions/{extension}/unregister")
    sim.post(f"/extensions/{extension}/register")


def attempted(count: int) -> Callable[[ReportLog], bool]:
    return lambda log: only(log)["attempts"] == count


def delivered_count(count: int) -> Callable[[ReportLog], bool]:
    return lambda log: sum(e["delivered"] for e in log) == count


def only(log: ReportLog) -> dict[str, object]:
    assert len(log) == 1, log
    return log[0]


def test_reports_go_to_each_session_in_its_format(
    server_url: str, sim: Sim, receiver: Receiver, other: Receiver
) -> None:
    log_in(server_url, receiver, version="1.0.2")
    log_in(server_url, other)  # no version: legacy format
    toggle(sim)
    modern = receiver.wait_for_acknowledged(2)
    legacy = other.wait_for_acknowledged(2)
    assert [r.body for r in modern] == [
        status_body("1001", "Unregistered"),
        status_body("1001", "Registered"),
    ]
    assert [r.body for r in legacy] == [
        status_body("1001", "Unregistered"),
        status_body("1001", "Registered"),
    ]
    first = modern[0]
    assert (first.method, first.path) == ("POST", "/")
    assert first.header("User-Agent") == "WebAPI"
    assert first.header("Content-Type") == "application/json"
    assert first.header("Accept") == "application/json"
    assert first.header("Host") == f"127.0.0.21:{receiver.port}"
    assert first.header("Content-Length") == str(len(first.body))
    log = wait_for_log(sim, lambda log: all(e["delivered"] for e in log))
    assert len(log) == 4
    for entry in log:
        assert set(entry) >= {"id", "action", "target", "body", "attempts", "delivered"}
        assert entry["action"] == "ExtensionStatus"
        assert (entry["attempts"], entry["delivered"], entry["last_status"]) == (1, True, 200)
    assert [e["id"] for e in log] == sorted(e["id"] for e in log)
    sent = {r.body.decode() for r in modern + legacy}
    assert {e["body"] for e in log} == sent
    assert {e["target"] for e in log} == {receiver.url, other.url}


def test_relative_url(server_url: str, sim: Sim, receiver: Receiver) -> None:
    log_in(server_url, receiver, version="1.0.2", url="events/pbx", urltag="0")
    sim.post("/extensions/1002/unregister")
    (report,) = receiver.wait_for_acknowledged(1)
    assert report.path == "/events/pbx"
    assert only(sim.get("/reports"))["target"] == f"{receiver.url}events/pbx"


def test_absolute_url_naming_the_own_ip(server_url: str, sim: Sim, receiver: Receiver) -> None:
    api = Api(server_url, receiver.host)
    url = f"{receiver.host}:{receiver.port}/hooks/pbx"
    token = api.token(port="9", version="1.0.2", url=url, urltag="1")
    assert token
    sim.post("/extensions/1002/unregister")
    (report,) = receiver.wait_for_acknowledged(1)
    assert report.path == "/hooks/pbx"
    assert only(sim.get("/reports"))["target"] == f"http://{url}"


def test_absolute_url_to_another_host_is_refused(
    server_url: str, sim: Sim, receiver: Receiver, other: Receiver
) -> None:
    api = Api(server_url, receiver.host)
    elsewhere = f"{other.host}:{other.port}/steal"
    answer = api.login(port=str(receiver.port), url=elsewhere, urltag="1")
    assert answer == failed("20015")
    token = api.token(port=str(receiver.port), version="1.0.2")
    beat = api.call("heartbeat", {"url": elsewhere, "urlflag": "1"}, token)
    assert beat == failed("20015")
    sim.post("/extensions/1002/unregister")
    receiver.wait_for_acknowledged(1)
    assert other.received == []
    assert only(sim.get("/reports"))["target"] == receiver.url


def test_heartbeat_moves_the_target_and_pending_reports_follow(
    server_url: str, sim: Sim, receiver: Receiver, other: Receiver
) -> None:
    api = Api(server_url, receiver.host)
    token = api.token(port=str(receiver.port), version="1.0.2")
    receiver.queue(500)
    sim.post("/extensions/1002/unregister")
    wait_for_log(sim, lambda log: only(log)["attempts"] == 1)
    moved = {"ipaddr": other.host, "port": str(other.port), "url": "moved", "urlflag": "0"}
    # The application server moved: it tells the PBX from its new address.
    assert Api(server_url, other.host).call("heartbeat", moved, token) == {"status": "Success"}
    sim.advance(1)
    (report,) = other.wait_for_acknowledged(1)
    assert report.path == "/moved"
    assert report.body == status_body("1002", "Unregistered")
    entry = only(wait_for_log(sim, lambda log: only(log)["delivered"] is True))
    assert entry["target"] == f"{other.url}moved"
    assert (entry["attempts"], entry["delivered"], entry["last_status"]) == (2, True, 200)
    assert len(receiver.received) == 1


def test_500_three_times_then_200_is_one_delivery_after_four_attempts(
    server_url: str, sim: Sim, receiver: Receiver
) -> None:
    log_in(server_url, receiver, version="1.0.2")
    receiver.queue(500, 500, 500)
    sim.post("/extensions/1001/unregister")
    for attempts, backoff in ((1, 1), (2, 2), (3, 4)):
        log = wait_for_log(sim, attempted(attempts))
        assert only(log)["last_status"] == 500
        assert only(log)["delivered"] is False
        sim.advance(backoff)
    receiver.wait_for_acknowledged(1)
    entry = only(wait_for_log(sim, lambda log: only(log)["delivered"] is True))
    assert (entry["attempts"], entry["last_status"]) == (4, 200)
    assert [r.answer for r in receiver.received] == [500, 500, 500, 200]
    assert {r.raw for r in receiver.received} == {receiver.received[0].raw}
    # Acknowledged means done: a long jump later, the next report is the only new request.
    sim.advance(1000)
    sim.post("/extensions/1001/register")
    receiver.wait_for_acknowledged(2)
    assert len(receiver.received) == 5
    assert receiver.received[-1].body == status_body("1001", "Registered")


def test_retries_follow_the_backoff_schedule(server_url: str, sim: Sim, receiver: Receiver) -> None:
    """Advancing less than the pending delay sends nothing; reaching it sends the retry."""
    log_in(server_url, receiver, version="1.0.2")
    receiver.queue(500, 500)
    sim.post("/extensions/1001/unregister")
    wait_for_log(sim, lambda log: only(log)["attempts"] == 1)
    sim.advance(1)
    wait_for_log(sim, lambda log: only(log)["attempts"] == 2)
    sim.advance(0.5)  # the second retry waits 2 s
    # The log answering here proves the advance is done; any retry would show as attempt 3.
    assert only(sim.get("/reports"))["attempts"] == 2
    sim.advance(1.5)
    wait_for_log(sim, lambda log: only(log)["delivered"] is True)
    assert len(receiver.received) == 3


def drive_retries(sim: Sim, receiver: Receiver, count: int) -> None:
    """Advance the clock whenever the session's head waits for a retry, until all are delivered.

    The head is waiting (and its timer armed) once the log shows its failed attempt and every
    request the receiver read is recorded; advancing earlier could miss the timer.
    """

    def settled(log: ReportLog) -> bool:
        pending = [e for e in log if not e["delivered"]]
        recorded = sum(e["attempts"] for e in log) == len(receiver.received)
        return len(log) == count and recorded and (not pending or pending[0]["attempts"] > 0)

    for _ in range(10 * count):
        log = wait_for_log(sim, settled)
        if all(e["delivered"] for e in log):
            return
        sim.advance(1)
    raise AssertionError("reports were not delivered")


def test_order_of_50_reports_survives_intermittent_failures(
    server_url: str, sim: Sim, receiver: Receiver
) -> None:
    log_in(server_url, receiver, version="1.0.2")
    receiver.policy = lambda request: 500 if request.number % 3 == 0 else 200
    expected = []
    for _ in range(25):
        toggle(sim)
        expected += [status_body("1001", "Unregistered"), status_body("1001", "Registered")]
    drive_retries(sim, receiver, 50)
    delivered = receiver.wait_for_acknowledged(50)
    assert [r.body for r in delivered] == expected
    received = receiver.received
    assert any(r.answer == 500 for r in received)
    log = wait_for_log(sim, lambda log: all(e["delivered"] for e in log))
    assert len(log) == 50
    assert sum(e["attempts"] for e in log) == len(received)
    # A 500 is followed by a resend of the same report; a 200 by the next report (the bodies
    # alternate), so nothing is ever sent again once acknowledged.
    for before, after in itertools.pairwise(received):
        if before.answer == 500:
            assert after.body == before.body
        else:
            assert after.body != before.body


def test_logout_drops_pending_reports(server: ServerProcess, sim: Sim, receiver: Receiver) -> None:
    api = Api(server.url, receiver.host)
    token = api.token(port=str(receiver.port), version="1.0.2")
    receiver.policy = lambda request: 500
    toggle(sim)
    wait_for_log(sim, lambda log: log[0]["attempts"] == 1)
    assert api.call("logout", None, token) == {"status": "Success"}
    log = sim.get("/reports")
    assert [(e["delivered"], e["dropped"]) for e in log] == [(False, True), (False, True)]
    sim.advance(3600)
    sim.post("/extensions/1002/unregister")  # no session left: nothing new is queued
    assert len(sim.get("/reports")) == 2
    assert len(receiver.received) == 1
    # The server's output is read by a thread: the line may trail the answers above.
    wait_until(
        lambda: any("dropped 2 undelivered reports" in line for line in server.output),
        what="the log line counting the dropped reports",
    )


def test_delivered_reports_keep_the_token_alive(
    server_url: str, sim: Sim, receiver: Receiver, other: Receiver
) -> None:
    api = Api(server_url, receiver.host)
    quiet = Api(server_url, other.host)
    token = api.token(port=str(receiver.port), version="1.0.2")
    unheard = quiet.token(port=str(other.port), version="1.0.2")
    other.stop()  # its reports are refused, so they never count as interaction
    for delivered, extension_change in enumerate(("unregister", "register"), start=1):
        sim.advance(1000)
        sim.post(f"/extensions/1003/{extension_change}")
        receiver.wait_for_acknowledged(delivered)
        wait_for_log(sim, delivered_count(delivered))
    sim.advance(1000)  # 3000 s after login, 1000 s after the last delivery, no request between
    assert api.call("deviceinfo/query", None, token)["status"] == "Success"
    assert quiet.call("deviceinfo/query", None, unheard) == failed("20006")
    # The expired session's report was dropped, not retried for ever; the later event never
    # reached it.
    log = wait_for_log(sim, lambda log: any(e["dropped"] for e in log))
    assert [(e["target"], e["delivered"], e["dropped"]) for e in log] == [
        (receiver.url, True, False),
        (other.url, False, True),
        (receiver.url, True, False),
    ]


def test_a_hanging_receiver_does_not_delay_another_session(
    server_url: str, sim: Sim, receiver: Receiver, other: Receiver
) -> None:
    log_in(server_url, receiver, version="1.0.2")
    log_in(server_url, other, version="1.0.2")
    receiver.queue(HANG)
    sim.post("/extensions/1001/unregister")
    receiver.wait_for_requests(1)
    (report,) = other.wait_for_acknowledged(1, timeout=2)
    assert report.body == status_body("1001", "Unregistered")
    assert receiver.acknowledged() == []


def test_unmonitored_extensions_are_not_reported(
    server_url: str, sim: Sim, receiver: Receiver
) -> None:
    log_in(server_url, receiver, version="1.0.2")
    sim.post("/extensions/1010/unregister")  # status_monitor = false in the default config
    sim.post("/extensions/1001/unregister")
    (report,) = receiver.wait_for_acknowledged(1)
    assert report.body == status_body("1001", "Unregistered")
    assert [e["body"] for e in sim.get("/reports")] == [report.body.decode()]


def test_no_session_no_report_and_reset_clears_the_log(
    server_url: str, sim: Sim, receiver: Receiver
) -> None:
    sim.post("/extensions/1001/unregister")
    assert sim.get("/reports") == []
    log_in(server_url, receiver, version="1.0.2")
    sim.post("/extensions/1001/register")
    receiver.wait_for_acknowledged(1)
    assert len(sim.get("/reports")) == 1
    sim.post("/extensions/1001/unregister")
    sim.reset()
    assert sim.get("/reports") == []
