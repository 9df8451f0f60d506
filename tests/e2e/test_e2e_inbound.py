"""End to end: a call from the outside world arriving on ``SIP-Carrier`` and routed to an
extension, as the two application servers receive it, and the recording it leaves fetched back
through ``recording/get_random`` and ``recording/download``.

docs/pbx-api/reports.md: ``RING`` lists the ``ext`` before the ``inbound`` party for an external
caller; the ``inbound`` object's ``inboundid`` is the callid. The default config routes DID
5503301 (the ``Default`` route) to extension 1000, which records its calls, as does the trunk.
"""

from __future__ import annotations

import io
import re
import wave

from tests.support.e2e import SN, Line, Pairs, of, step
from tests.support.helpers import API

CALLER = "0612345678"
DID = "5503301"


def test_inbound_call_routed_to_an_extension(line: Line) -> None:
    callid = line.place(CALLER, DID, trunk="SIP-Carrier")
    # The caller hears ring-back (ALERT names the inbound party), the extension rings.
    assert line.steps() == [
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1000", "Ringing"),
        ("RING", "1000", f"in:{CALLER}"),
    ]
    inbound = (
        f'"inbound":{{"from":"{CALLER}","to":"{DID}","trunk":"SIP-Carrier","inboundid":"{callid}"}}'
    )
    ext = '"ext":{"extid":"1000"}'
    modern, legacy = line.bodies()
    assert (
        modern[0]
        == f'{{"action":"ALERT","callid":"{callid}","call":[{{{inbound}}}],"sn":"{SN}"}}'.encode()
    )
    assert legacy[0] == f'{{"action":"ALERT","callid":"{callid}",{inbound},"sn":"{SN}"}}'.encode()
    assert (
        modern[2]
        == (
            f'{{"action":"RING","callid":"{callid}","call":[{{{ext}}},{{{inbound}}}],"sn":"{SN}"}}'
        ).encode()
    )
    assert (
        legacy[2] == f'{{"action":"RING","callid":"{callid}",{ext},{inbound},"sn":"{SN}"}}'.encode()
    )
    (query,) = line("inbound/query")["inbound"]
    assert (query["inboundid"], query["status"]) == (callid, "Progress")

    line.advance(11)
    line.answer(callid)
    assert line.steps() == [
        ("ExtensionStatus", "1000", "Busy"),
        ("ANSWERED", f"in:{CALLER}", "1000"),
        ("ANSWER", "1000", f"in:{CALLER}"),
    ]
    line.advance(50)
    line.hangup(callid)  # the caller hangs up
    assert line.steps() == [
        ("BYE", f"in:{CALLER}", "1000"),
        ("BYE", "1000", f"in:{CALLER}"),
        ("ExtensionStatus", "1000", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    modern, legacy = line.bodies()
    sn = f',"sn":"{SN}"}}'
    assert legacy[6] == f'{{"action":"BYE","callid":"{callid}",{inbound},{ext}{sn}'.encode()
    assert legacy[7] == f'{{"action":"BYE","callid":"{callid}",{ext},{inbound}{sn}'.encode()

    (cdr,) = of(line.reports(), "NewCdr")
    name = cdr["recording"]
    # The record names the answer time, the call and its parties (the vendor's NewCdr example).
    match = re.fullmatch(rf"(\d{{14}})-{re.escape(callid)}-{CALLER}-1000-Inbound\.wav", name)
    assert match is not None, name
    assert list(cdr.items()) == [
        ("action", "NewCdr"),
        ("callid", callid),
        ("timestart", cdr["timestart"]),
        ("callfrom", CALLER),
        ("callto", "1000"),
        ("srctrunkname", "SIP-Carrier"),
        ("callduraction", "61"),
        ("talkduraction", "50"),
        ("status", "ANSWERED"),
        ("type", "Inbound"),
        ("didnumber", DID),
        ("recording", name),
        ("sn", SN),
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", cdr["timestart"])

    # The recording, fetched as an application would: a one-time random, then the download.
    ticket = line("recording/get_random", recording=name)
    params = {"recording": name, "random": ticket["random"], "token": line.token}
    response = line.api.http.get(API + "recording/download", params=params)
    assert response.status_code == 200
    assert response.content[:4] == b"RIFF"
    assert response.content[8:12] == b"WAVE"
    with wave.open(io.BytesIO(response.content)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (1, 2, 8000)
        assert audio.getnframes() > 0


def test_a_call_that_is_not_recorded_names_no_recording(line: Line) -> None:
    """A call that arrives on a trunk that does not record, for an extension that does not
    either, leaves a record without ``recording``."""
    callid = line.place(CALLER, "1002", trunk="GSM1")
    assert line.steps() == [
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1002", "Ringing"),
        ("RING", "1002", f"in:{CALLER}"),
    ]
    line.answer(callid)
    line.advance(3)
    line.hangup(callid, "1002")
    assert line.steps() == [
        ("ExtensionStatus", "1002", "Busy"),
        ("ANSWERED", f"in:{CALLER}", "1002"),
        ("ANSWER", "1002", f"in:{CALLER}"),
        ("BYE", "1002", f"in:{CALLER}"),
        ("BYE", f"in:{CALLER}", "1002"),
        ("ExtensionStatus", "1002", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    (cdr,) = of(line.reports(), "NewCdr")
    assert "recording" not in cdr
    assert (cdr["srctrunkname"], cdr["didnumber"], cdr["type"]) == ("GSM1", "1002", "Inbound")


def test_the_application_hangs_up_the_inbound_party(line: Line) -> None:
    """``inbound/hangup`` releases the caller's side: it is named first in the first ``BYE``."""
    callid = line.place(CALLER, "1002", trunk="SIP-Carrier")
    line.answer(callid)
    line.take()
    line("inbound/hangup", inboundid=callid)
    assert line.steps() == [
        ("BYE", f"in:{CALLER}", "1002"),
        ("BYE", "1002", f"in:{CALLER}"),
        ("ExtensionStatus", "1002", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]


def test_two_calls_at_once_each_keep_their_order(line: Line) -> None:
    """Reports of calls that overlap arrive in the order things happened, whichever call they
    belong to."""
    first = line.place(CALLER, "1002", trunk="SIP-Carrier")
    second = line.place("0611111111", "1003", trunk="SIP-Carrier")
    line.answer(second)
    line.answer(first)
    line.hangup(second)
    line.hangup(first, "1002")
    reports = line.take()
    by_call = {
        callid: [step(r) for r in reports if _callid(r) == callid] for callid in (first, second)
    }
    assert by_call[first] == [
        ("ALERT", f"in:{CALLER}"),
        ("RING", "1002", f"in:{CALLER}"),
        ("ANSWERED", f"in:{CALLER}", "1002"),
        ("ANSWER", "1002", f"in:{CALLER}"),
        ("BYE", "1002", f"in:{CALLER}"),
        ("BYE", f"in:{CALLER}", "1002"),
        ("NewCdr", "ANSWERED"),
    ]
    assert by_call[second] == [
        ("ALERT", "in:0611111111"),
        ("RING", "1003", "in:0611111111"),
        ("ANSWERED", "in:0611111111", "1003"),
        ("ANSWER", "1003", "in:0611111111"),
        ("BYE", "in:0611111111", "1003"),
        ("BYE", "1003", "in:0611111111"),
        ("NewCdr", "ANSWERED"),
    ]
    # Across the two calls, the order of the operations.
    actions = [(_callid(r), step(r)[0]) for r in reports if _callid(r)]
    assert actions == [
        (first, "ALERT"),
        (first, "RING"),
        (second, "ALERT"),
        (second, "RING"),
        (second, "ANSWERED"),
        (second, "ANSWER"),
        (first, "ANSWERED"),
        (first, "ANSWER"),
        (second, "BYE"),
        (second, "BYE"),
        (second, "NewCdr"),
        (first, "BYE"),
        (first, "BYE"),
        (first, "NewCdr"),
    ]


def _callid(report: Pairs) -> str:
    return str(dict(report).get("callid", ""))
