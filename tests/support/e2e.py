"""The end-to-end harness: the real server, and two application servers logged in to it.

Each scenario test gets a :class:`Line`: two real HTTP receivers on their own loopback IPs,
one logged in with ``version`` ``1.0.2`` and one without (the legacy format), so every report
arrives twice, once in each format. The test acts through the API (with the 1.0.2 session's
token, from its IP) and through the control plane (the phones, the outside world, the clock),
then reads what arrived on the receivers' sockets, in arrival order.

:meth:`Line.take` reads the report log (``GET /sim/v1/reports``: every report is in it by the
time the request that caused it has been answered) and hands back the 1.0.2 reports that are new
since the last take, after checking that the legacy body of each says the same as its 1.0.2 twin
(the same members in the same order, the ``call`` array written out as repeated keys, ``sn``
last in both, and ``DTMF`` without ``flag``/``infos``). It does not wait for delivery, so a scenario
moves on at once and the durations in its records are the clock advances it made, however slow
the machine. :meth:`Line.delivered` (used by :meth:`Line.bodies`, :meth:`Line.reports`, and
after every test by the ``line`` fixture) waits until the log shows everything delivered and
checks that each receiver got exactly the logged bodies: in order, each once, byte for byte.
:func:`step` sums a report up (its action and its parties in order) so a test can assert a
whole sequence in one line. Long clock advances keep both sessions alive with heartbeats, as a
real application server does.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

from tests.support.helpers import API, Api, Sim
from tests.support.receivers import Received, Receiver, log_in, wait_for_log

SN = "369300000001"
MODERN_HOST = "127.0.0.41"
LEGACY_HOST = "127.0.0.42"
# Seconds of server clock between the application servers' heartbeats in a long advance.
HEARTBEAT = 20 * 60

# A JSON object as the ordered list of its members (repeated keys kept).
Pairs = list[tuple[str, Any]]


def pairs(body: bytes) -> Pairs:
    """``body`` parsed keeping every member in order, repeated keys included."""
    parsed = json.loads(body, object_pairs_hook=list)
    assert isinstance(parsed, list), body
    return parsed


def flattened(modern: Pairs) -> Pairs:
    """A 1.0.2 report with the parties of ``call`` written straight in, in the same place."""
    flat: Pairs = []
    for key, value in modern:
        if key == "call":
            for party in value:
                assert len(party) == 1, party
                flat.extend(party)
        else:
            flat.append((key, value))
    return flat


# Members the old guide's DTMF does not have: the key's position and the keys collected (its
# example carries ``info`` alone; docs/reports.md). Both formats end with ``sn``.
LEGACY_DTMF_LACKS = {"flag", "infos"}


def as_legacy(modern: Pairs) -> Pairs:
    """What the legacy format must say for a 1.0.2 report: the parties of ``call`` written
    straight into the report, in the same place, and ``DTMF`` with ``info`` only."""
    lacks = LEGACY_DTMF_LACKS if ("action", "DTMF") in modern else set()
    return [(key, value) for key, value in flattened(modern) if key not in lacks]


def label(kind: str, fields: Pairs) -> str:
    """A party in a few characters: ``1001``, ``in:0612345678``, ``out:0698765432``, or
    ``trunk:SIP-Carrier`` for the outbound party of ``PlayPromptEnd`` (a trunk name alone)."""
    values = dict(fields)
    if kind == "ext":
        return str(values["extid"])
    if kind == "inbound":
        return f"in:{values['from']}"
    if "to" not in values:
        return f"trunk:{values['trunkname']}"
    return f"out:{values['to']}"


PARTY_KINDS = ("ext", "inbound", "outbound")


def step(report: Pairs) -> tuple[str, ...]:
    """The report summed up: ``("RING", "1002", "1001")``, ``("ExtensionStatus", "1001",
    "Busy")``, ``("CallFailed", "DND", "1004")``, ``("NewCdr", "ANSWERED")``, ``("DTMF",
    "2", "0", "2", "in:0612345678")`` (``info``, ``flag``, ``infos``, who pressed),
    ``("PlayPromptEnd", "welcome", "1001")``, ``("satisfaction", "4")``, ``("sms-send",
    "Success", "0611223344-1709284000")``..."""
    members = flattened(report)
    values: dict[str, str] = {k: v for k, v in members if isinstance(v, str)}
    action = str(values["action"])
    parties = [label(key, value) for key, value in members if key in PARTY_KINDS]
    if action == "ExtensionStatus":
        return (action, values["extension"], values["status"])
    if action == "ConfigChange":
        key = values["extid"] if values["type"] == "extension" else values["trunkname"]
        return (action, values["type"], key, values["operation"])
    if action == "NewCdr":
        return (action, values["status"])
    if action == "CallFailed":
        return (action, values["reason"], *parties)
    if action == "DTMF":
        return (action, values["info"], values["flag"], values.get("infos", ""), *parties)
    if action == "PlayPromptEnd":
        return (action, values["prompt"], *parties)
    if action == "satisfaction":
        return (action, values["surveyresult"])
    if action == "sms-send":
        return (action, values["status"], values["smsid"])
    return (action, *parties)


class Line:
    """Two application servers logged in to the server, one per report format."""

    def __init__(self, server_url: str, sim: Sim) -> None:
        self.sim = sim
        self.modern = Receiver(MODERN_HOST).start()
        self.legacy = Receiver(LEGACY_HOST).start()
        self.token = log_in(server_url, self.modern, version="1.0.2")
        self.legacy_token = log_in(server_url, self.legacy)
        self.api = Api(server_url, MODERN_HOST)
        self.legacy_api = Api(server_url, LEGACY_HOST)
        self._taken = 0

    def close(self) -> None:
        self.api.close()
        self.legacy_api.close()
        self.modern.stop()
        self.legacy.stop()

    # -- the application, through the API --------------------------------------------------

    def __call__(self, endpoint: str, **body: Any) -> dict[str, Any]:
        """An API request that must succeed; its answer."""
        answer = self.api.call(endpoint, body, self.token)
        assert answer["status"] == "Success", (endpoint, body, answer)
        return answer

    def refused(self, endpoint: str, **body: Any) -> str:
        """An API request that must fail; its errno."""
        answer = self.api.call(endpoint, body, self.token)
        assert answer == {"status": "Failed", "errno": answer.get("errno")}, answer
        return str(answer["errno"])

    def records(self) -> list[dict[str, str]]:
        """Every call record of the last day, as ``cdr/download`` serves them (the PBX runs on
        UTC+0 in the default config)."""
        now = float(self.sim.get("/clock")["now"])
        start, end = (
            f"{datetime.fromtimestamp(now + shift, UTC):%Y-%m-%d %H:%M:%S}"
            for shift in (-86400, 60)
        )
        fields = {"extid": "all", "starttime": start, "endtime": end}
        ticket = self("cdr/get_random", **fields)
        params = fields | {"random": ticket["random"], "token": self.token}
        response = self.api.http.get(API + "cdr/download", params=params)
        assert response.status_code == 200
        if response.headers["content-type"].startswith("application/json"):
            assert response.json() == {"status": "Failed", "errno": "20021"}
            return []
        return list(csv.DictReader(io.StringIO(response.text)))

    # -- the phones, the outside world and the clock, through the control plane ------------

    def place(self, caller: str, to: str, trunk: str | None = None) -> str:
        body = {"from": caller, "to": to} | ({"trunk": trunk} if trunk else {})
        return str(self.sim.post("/calls", body)["callid"])

    def answer(self, callid: str, party: str | None = None) -> None:
        self.sim.post(f"/calls/{callid}/answer", {"party": party} if party else {})

    def hangup(self, callid: str, party: str | None = None) -> None:
        self.sim.post(f"/calls/{callid}/hangup", {"party": party} if party else {})

    def press(self, callid: str, digits: str) -> None:
        """The caller presses keys on its phone."""
        self.sim.post(f"/calls/{callid}/dtmf", {"digits": digits})

    def advance(self, seconds: float) -> None:
        """Move the server clock. Over long stretches both application servers stay logged in
        as real ones do: a ``heartbeat`` every :data:`HEARTBEAT` seconds of the clock (a token
        lives 30 minutes without interaction)."""
        while seconds > HEARTBEAT:
            self.sim.advance(HEARTBEAT)
            seconds -= HEARTBEAT
            self.heartbeat()
        self.sim.advance(seconds)

    def heartbeat(self) -> None:
        for api, token in ((self.api, self.token), (self.legacy_api, self.legacy_token)):
            assert api.call("heartbeat", {}, token) == {"status": "Success"}

    def live_calls(self) -> list[dict[str, Any]]:
        calls: list[dict[str, Any]] = self.sim.get("/calls")
        return calls

    # -- what arrived ------------------------------------------------------------------------

    def delivered(self) -> tuple[list[Received], list[Received]]:
        """Every report produced so far as each receiver got it, once all are delivered."""
        log = wait_for_log(self.sim, lambda log: all(entry["delivered"] for entry in log))
        got = []
        for receiver in (self.modern, self.legacy):
            sent = [entry["body"].encode() for entry in log if entry["target"] == receiver.url]
            received = receiver.wait_for_acknowledged(len(sent))
            # Each report once, in the order produced, exactly the bytes the log shows.
            assert [r.body for r in receiver.received] == sent
            got.append(received)
        return got[0], got[1]

    def take(self) -> list[Pairs]:
        """The 1.0.2 reports produced since the last take (their legacy twins checked)."""
        log = self.sim.get("/reports")
        modern, legacy = (
            [entry["body"].encode() for entry in log if entry["target"] == receiver.url]
            for receiver in (self.modern, self.legacy)
        )
        assert len(modern) == len(legacy), log
        fresh = slice(self._taken, None)
        self._taken = len(modern)
        reports = []
        for new, old in zip(modern[fresh], legacy[fresh], strict=True):
            report = pairs(new)
            assert report[-1] == ("sn", SN), new
            assert pairs(old) == as_legacy(report), (new, old)
            reports.append(report)
        return reports

    def steps(self) -> list[tuple[str, ...]]:
        """:meth:`take`, summed up."""
        return [step(report) for report in self.take()]

    def reports(self) -> list[Pairs]:
        """Every 1.0.2 report so far, parsed."""
        modern, _ = self.delivered()
        return [pairs(r.body) for r in modern]

    def bodies(self) -> tuple[list[bytes], list[bytes]]:
        """The raw bodies of every report so far: (1.0.2, legacy)."""
        modern, legacy = self.delivered()
        return [r.body for r in modern], [r.body for r in legacy]


def of(reports: list[Pairs], action: str) -> list[dict[str, Any]]:
    """The reports of one action, as dicts (for reports that repeat no key)."""
    return [dict(r) for r in reports if dict(r)["action"] == action]
