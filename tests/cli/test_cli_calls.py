"""The command line's call verbs against the real server, through Typer's runner: the client
verbs (``extensions``, ``calls``, ``dial``, ``hangup``, ``transfer``) and the control plane's
(``sim call|calls|answer|hangup|dtmf|transfer``), checked against what the PBX then holds."""

from __future__ import annotations

import json

import pytest

from tests.support.cli_support import creds, run
from tests.support.sdk_live import FAR_END, OUTSIDE, talking
from yspbx.client import Simulator
from yspbx.testing import ServerProcess


@pytest.fixture
def pbx(server: ServerProcess, simulator: Simulator) -> list[str]:
    """The client verbs' connection options for the session's server (reset first)."""
    return creds(server.url)


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.output


# -- client verbs ---------------------------------------------------------------------------


def test_extensions_table_and_json(pbx: list[str], simulator: Simulator) -> None:
    simulator.start_call("1001", "1002")
    table = ok(*pbx, "extensions")
    rows = {line.split()[0]: line for line in table.splitlines() if line[:1].isdigit()}
    assert "Ana Lopez" in rows["1001"]
    assert "Ringing" in rows["1002"]
    listed = json.loads(ok(*pbx, "extensions", "--json"))
    assert [e["number"] for e in listed][:3] == ["1000", "1001", "1002"]
    assert {e["number"]: e["status"] for e in listed}["1002"] == "Ringing"


def test_calls_lists_both_directions(pbx: list[str], simulator: Simulator) -> None:
    assert "no calls in progress" in ok(*pbx, "calls")
    inbound = talking(simulator, OUTSIDE, "1001", trunk="SIP-Carrier")
    outbound = simulator.start_call("1002", FAR_END)
    outboundid = simulator.call(outbound).leg(FAR_END).id
    in_ivr = simulator.start_call("0611111111", "5503302", trunk="SIP-Carrier")
    table = ok(*pbx, "calls")
    assert inbound in table
    ivr_row = next(line for line in table.splitlines() if in_ivr in line)
    assert "ivr 6200" in ivr_row  # who has the call
    assert outboundid is not None
    assert outboundid in table
    assert "Talking" in table
    assert "Progress" in table
    listed = json.loads(ok(*pbx, "calls", "--json"))
    assert [(c["id"], c["from_number"], c["status"]) for c in listed["inbound"]] == [
        (inbound, OUTSIDE, "Talking"),
        (in_ivr, "0611111111", "Wait"),
    ]
    assert listed["inbound"][0]["callee"][0]["extension"] == "1001"
    assert [(c["id"], c["to_number"]) for c in listed["outbound"]] == [(outboundid, FAR_END)]


def test_dial_then_hang_up(pbx: list[str], simulator: Simulator) -> None:
    callid = ok(*pbx, "dial", "1001", "1002").strip()
    call = simulator.call(callid)
    assert (call.parties, call.type) == (["1001"], "Internal")
    assert "OK" in ok(*pbx, "hangup", "1001")
    assert simulator.calls() == []

    outside = ok(*pbx, "dial", "--external", "--auto-answer", "1001", FAR_END).strip()
    assert simulator.call(outside).leg("1001").state == "dialing"  # picked up by itself
    outboundid = simulator.call(outside).leg(FAR_END).id
    assert outboundid is not None
    ok(*pbx, "hangup", "--outbound", outboundid)
    assert simulator.calls() == []

    inbound = simulator.start_call(OUTSIDE, "1003", trunk="SIP-Carrier")
    ok(*pbx, "hangup", "--inbound", inbound)
    assert simulator.calls() == []


def test_hangup_needs_exactly_one_call(pbx: list[str]) -> None:
    assert run(*pbx, "hangup").exit_code == 2
    both = run(*pbx, "hangup", "1001", "--inbound", "1.1")
    assert both.exit_code == 2
    assert "exactly one" in both.output


def test_transfer(pbx: list[str], simulator: Simulator) -> None:
    callid = talking(simulator, OUTSIDE, "1001", trunk="SIP-Carrier")
    assert ok(*pbx, "transfer", callid, "1001", "1002").strip() == callid
    assert simulator.call(callid).parties == [OUTSIDE, "1002"]
    simulator.answer(callid)
    ok(*pbx, "transfer", callid, "1002", FAR_END, "--from-ext", "1002")
    assert simulator.call(callid).parties == [OUTSIDE, FAR_END]


def test_a_refused_request_shows_the_errno_and_its_meaning(
    pbx: list[str], simulator: Simulator
) -> None:
    talking(simulator, "1001", "1002")
    busy = run(*pbx, "dial", "1001", "1003")
    assert busy.exit_code == 1
    assert "refused extension/dial_extension: errno 10008 (extension is not idle)" in busy.output
    unknown = run(*pbx, "hangup", "9999")
    assert unknown.exit_code == 1
    assert "errno 10006" in unknown.output
    forbidden = run(*pbx, "dial", "--external", "1006", FAR_END)
    assert "errno 10024" in forbidden.output
    gone = run(*pbx, "transfer", "1.1", "1001", "1003")
    assert "errno 10007" in gone.output
    assert "Traceback" not in busy.output + unknown.output + forbidden.output + gone.output


# -- yspbx sim ------------------------------------------------------------------------------


def test_sim_call_verbs(server: ServerProcess, simulator: Simulator) -> None:
    sim = ["--pbx", server.url, "sim"]
    assert "no calls" in ok(*sim, "calls")
    callid = ok(*sim, "call", OUTSIDE, "5503301", "--trunk", "SIP-Carrier").strip()
    assert simulator.call(callid).parties == [OUTSIDE, "1000"]
    listed = ok(*sim, "calls")
    assert callid in listed
    assert f"{OUTSIDE}, 1000" in listed
    assert "ringing" in listed
    assert "SIP-Carrier" in listed
    assert "answered" in ok(*sim, "answer", callid)
    assert f"call {callid}: {OUTSIDE} -> 1000 (talking)" in ok(*sim, "state")
    (call,) = json.loads(ok(*sim, "calls", "--json"))
    assert (call["callid"], call["state"], call["legs"][1]["number"]) == (callid, "talking", "1000")
    assert "sent" in ok(*sim, "dtmf", callid, "12#")
    assert simulator.call(callid).digits == "12#"
    assert "transferred" in ok(*sim, "transfer", callid, "1000", "1002")
    assert simulator.call(callid).parties == [OUTSIDE, "1002"]
    assert "answered" in ok(*sim, "answer", callid, "--party", "1002")
    assert "hung up" in ok(*sim, "hangup", callid, "--party", "1002")
    assert simulator.calls() == []


def test_sim_phone_dials_and_the_callee_declines(
    server: ServerProcess, simulator: Simulator
) -> None:
    sim = ["--pbx", server.url, "sim"]
    callid = ok(*sim, "call", "1001", "1002").strip()
    assert simulator.call(callid).type == "Internal"
    ok(*sim, "hangup", callid, "--party", "1002")  # a ringing phone declines
    assert simulator.calls() == []


def test_sim_refusals_say_why(server: ServerProcess, simulator: Simulator) -> None:
    sim = ["--pbx", server.url, "sim"]
    for args, detail in (
        (("answer", "1.1"), "no live call 1.1 (404)"),
        (("call", "9999", "1002"), "(404)"),
        (("call", "1001", "not a number"), "(400)"),
        (("dtmf", "1.1", "1"), "(404)"),
    ):
        result = run(*sim, *args)
        assert result.exit_code == 1, args
        assert "the simulator refused" in result.output
        assert detail in result.output
    callid = simulator.start_call("1001", "1002")
    refused = run(*sim, "answer", callid, "--party", "1001")  # not ringing
    assert refused.exit_code == 1
    assert "(409)" in refused.output


def test_calls_shows_a_simulators_internal_calls_and_says_where_from(
    pbx: list[str], simulator: Simulator
) -> None:
    callid = simulator.start_call("1001", "1002")
    table = ok(*pbx, "calls")
    row = next(line for line in table.splitlines() if callid in line)
    assert row.split()[:4] == ["int", callid, "1001", "1002"]
    assert "int: a call between extensions, which the API does not list" in table
    listed = json.loads(ok(*pbx, "calls", "--json"))
    assert (listed["inbound"], listed["outbound"]) == ([], [])
    assert [(c["callid"], c["parties"]) for c in listed["internal"]] == [(callid, ["1001", "1002"])]


def test_calls_on_a_pbx_without_a_control_plane_says_what_the_api_lists() -> None:
    """A real PBX: the API answers, ``/sim/v1`` is a page it does not have."""
    import httpx

    from yspbx.cli._common import CliState

    def api(request: httpx.Request) -> httpx.Response:
        path = request.url.path.rsplit("/", 2)
        if path[-1] == "login":
            return httpx.Response(200, json={"status": "Success", "token": "t" * 32})
        if path[-2:] == ["inbound", "query"]:
            return httpx.Response(200, json={"status": "Success", "inbound": []})
        if path[-2:] == ["outbound", "query"]:
            return httpx.Response(200, json={"status": "Success", "outbound": []})
        return httpx.Response(200, json={"status": "Success"})

    def no_control_plane(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, text="<html>Not Found</html>")

    state = CliState(
        transport=httpx.MockTransport(api), sim_transport=httpx.MockTransport(no_control_plane)
    )
    result = run(*creds("https://192.0.2.1:8088"), "calls", state=state)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "no calls through a trunk in progress (the PBX's API lists inbound and outbound calls "
        "only: calls between extensions do not show)\n"
    )
    as_json = json.loads(
        run(*creds("https://192.0.2.1:8088"), "calls", "--json", state=state).output
    )
    assert as_json == {"inbound": [], "outbound": []}


@pytest.mark.parametrize(
    "placement",
    [
        ("--pbx", "{url}", "sim", "calls"),
        ("sim", "--pbx", "{url}", "calls"),
        ("sim", "calls", "--pbx", "{url}"),
    ],
    ids=["before sim", "after sim", "after the verb"],
)
def test_sim_takes_pbx_wherever_it_is_put(
    server: ServerProcess, simulator: Simulator, placement: tuple[str, ...]
) -> None:
    callid = simulator.start_call("1001", "1002")
    listed = ok(*(arg.format(url=server.url) for arg in placement))
    assert callid in listed
