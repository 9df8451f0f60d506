"""End to end: a call from the outside world arriving on ``SIP-Carrier`` and routed to an
extension, as the two application servers receive it, and the recording it leaves fetched back
through ``recording/get_random`` and ``recording/download``.

events.md section 2: ``RING`` lists the ``ext`` before the ``inbound`` party for an external
caller; the ``inbound`` object's ``inboundid`` is the callid. The default config routes DID
5503301 (the ``Default`` route) to extension 1000, which records its calls, as does the trunk.
"""

from __future__ import annotations

import io
import re
import wave

from tests.e2e import SN, Line, of
from tests.helpers import API

CALLER = "0612345678"
DID = "5503301"


def test_inbound_call_routed_to_an_extension(line: Line) -> None:
    callid = line.place(CALLER, DID, trunk="SIP-Carrier")
    assert line.steps() == [
        ("ExtensionStatus", "1000", "Ringing"),
        ("RING", "1000", f"in:{CALLER}"),
    ]
    inbound = (
        f'"inbound":{{"from":"{CALLER}","to":"{DID}","trunk":"SIP-Carrier","inboundid":"{callid}"}}'
    )
    ext = '"ext":{"extid":"1000"}'
    modern, legacy = line.bodies()
    assert (
        modern[1]
        == (
            f'{{"action":"RING","callid":"{callid}","call":[{{{ext}}},{{{inbound}}}],"sn":"{SN}"}}'
        ).encode()
    )
    assert legacy[1] == f'{{"action":"RING","callid":"{callid}",{ext},{inbound}}}'.encode()
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
    assert legacy[5] == f'{{"action":"BYE","callid":"{callid}",{inbound},{ext}}}'.encode()
    assert legacy[6] == f'{{"action":"BYE","callid":"{callid}",{ext},{inbound}}}'.encode()

    (cdr,) = of(line.reports(), "NewCdr")
    name = cdr["recording"]
    # The record names the answer time, the call and its parties (events.md 4.14's example).
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
