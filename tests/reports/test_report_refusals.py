"""The delivery policy over real HTTP: a refused report does not stall the feed, an unreachable
receiver loses nothing.

A receiver that *answers* with a status other than 200 has refused the report: it is sent again
on the retry backoff counted from its first refusal (1, 2, 4, 8 s with the defaults) and, after
``reports.refused_attempts`` (5) refusals, settled as ``refused``; the session's next report
goes at once. A receiver that cannot be reached gets every report later, in order, however
long it stays away, as long as its session lives. Retries follow the server clock.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.helpers import Api, Sim
from tests.support.receivers import (
    Received,
    Receiver,
    ReportLog,
    head_attempted,
    log_in,
    wait_for_log,
)
from yspbx.testing import ServerProcess

CALLER = "0612345678"
# The longest delay before a refused report's next attempt with the default settings.
LONGEST_REFUSAL_DELAY = 8


@pytest.fixture
def receiver(sim: Sim) -> Iterator[Receiver]:
    with Receiver("127.0.0.23") as rx:
        yield rx


def refuses_extension_status(request: Received) -> int:
    """A CRM connector's rule: a report without a callid is of no use to it (400)."""
    return 200 if "callid" in request.json() else 400


def settle(sim: Sim, receiver: Receiver) -> ReportLog:
    """Advance the clock whenever the session's head waits for a resend, until nothing is
    pending; the final log."""

    def resting(log: ReportLog) -> bool:
        pending = [e for e in log if e["state"] == "pending"]
        recorded = sum(e["attempts"] for e in log) == len(receiver.received)
        return recorded and (not pending or pending[0]["attempts"] > 0)

    for _ in range(200):
        log = wait_for_log(sim, resting)
        if all(e["state"] != "pending" for e in log):
            return log
        sim.advance(LONGEST_REFUSAL_DELAY)
    raise AssertionError("reports were still pending")


def inbound_call(sim: Sim, to: str = "1002") -> None:
    """A call from outside that ``to`` answers and the caller ends: call reports with a callid,
    and ExtensionStatus reports (no callid) between them."""
    callid = sim.post("/calls", {"from": CALLER, "to": to, "trunk": "SIP-Carrier"})["callid"]
    sim.post(f"/calls/{callid}/answer", {})
    sim.post(f"/calls/{callid}/hangup", {})


def test_refused_reports_are_given_up_and_the_calls_behind_them_arrive(
    server: ServerProcess, sim: Sim, receiver: Receiver
) -> None:
    log_in(server.url, receiver, version="1.0.2")
    receiver.policy = refuses_extension_status
    inbound_call(sim)
    log = settle(sim, receiver)

    statuses = [e for e in log if e["action"] == "ExtensionStatus"]
    calls = [e for e in log if e["action"] != "ExtensionStatus"]
    assert len(statuses) >= 2
    assert {"RING", "ANSWER", "BYE", "NewCdr"} <= {e["action"] for e in calls}
    for entry in statuses:
        assert (entry["state"], entry["attempts"], entry["last_status"]) == ("refused", 5, 400)
        assert (entry["delivered"], entry["dropped"]) == (False, False)
    for entry in calls:
        assert (entry["state"], entry["attempts"], entry["last_status"]) == ("delivered", 1, 200)
    # Every call report arrived, once and in the order it was produced.
    assert [r.body.decode() for r in receiver.acknowledged()] == [e["body"] for e in calls]
    # Each refused report was sent exactly five times, one right after the other.
    bodies = [r.body.decode() for r in receiver.received]
    lines = list(server.output)
    for entry in statuses:
        first = bodies.index(entry["body"])
        assert bodies[first : first + 5] == [entry["body"]] * 5
    assert any("refused 5 times (last status 400); given up" in line for line in lines), lines[-20:]


def test_a_refusal_then_a_200_is_one_delivery(
    server_url: str, sim: Sim, receiver: Receiver
) -> None:
    """Fewer refusals than the limit: the resend that gets its 200 delivers the report."""
    log_in(server_url, receiver, version="1.0.2")
    receiver.queue(400, 503, 400)
    sim.post("/extensions/1001/unregister")
    sim.post("/extensions/1001/register")
    log = settle(sim, receiver)
    assert [(e["state"], e["attempts"], e["last_status"]) for e in log] == [
        ("delivered", 4, 200),
        ("delivered", 1, 200),
    ]
    assert [r.answer for r in receiver.received] == [400, 503, 400, 200, 200]


def test_an_unreachable_receiver_gets_everything_later_in_order(
    server_url: str, sim: Sim, receiver: Receiver
) -> None:
    api = Api(server_url, receiver.host)
    token = api.token(port=str(receiver.port), version="1.0.2")
    receiver.stop()
    for extension in ("1001", "1002", "1003"):
        sim.post(f"/extensions/{extension}/unregister")
    # Far more failed attempts than a refusal is allowed, over many minutes of clock.
    for attempts, delay in enumerate((1, 2, 4, 8, 16, 32, 60, 60, 60), start=1):
        wait_for_log(sim, head_attempted(attempts))
        assert api.call("heartbeat", None, token)["status"] == "Success"
        sim.advance(delay)
    log = wait_for_log(sim, lambda log: log[0]["attempts"] == 10)
    assert [(e["state"], e["last_status"]) for e in log] == [("pending", None)] * 3
    assert [e["attempts"] for e in log] == [10, 0, 0]

    receiver.start()
    sim.advance(60)
    delivered = receiver.wait_for_acknowledged(3)
    assert [r.json()["extension"] for r in delivered] == ["1001", "1002", "1003"]
    log = wait_for_log(sim, lambda log: all(e["state"] == "delivered" for e in log))
    assert [(e["attempts"], e["last_status"]) for e in log] == [(11, 200), (1, 200), (1, 200)]
    api.close()
