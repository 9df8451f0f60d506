"""The SDK's ``recordings`` and ``cdr`` against the real server (both twins): one-time tickets,
a real WAV and a real CSV, and every refusal (docs/pbx-api/files.md). A recorded call is made
through the SDK's ``Simulator``: extension 1000 and trunk SIP-Carrier record (default config).
"""

from __future__ import annotations

import csv
import io
import re
import wave
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.support.sdk_live import OUTSIDE, Wire, assert_read_whole, raised, talking
from yspbx.client import (
    CdrTicket,
    Client,
    InvalidValueError,
    NotFoundError,
    RecordingTicket,
    Simulator,
)

RANDOM = re.compile(r"^[0-9a-f]{32}$")
CDR_COLUMNS = [
    "callid",
    "timestart",
    "callfrom",
    "callto",
    "callduraction",
    "talkduraction",
    "srctrunkname",
    "dsttrunkname",
    "status",
    "type",
    "pincode",
    "recording",
    "didnumber",
    "sn",
]


def pbx_now(simulator: Simulator) -> datetime:
    """The server clock as the PBX's local time (the default config's zone is UTC+0)."""
    return datetime.fromtimestamp(simulator.now(), UTC).replace(tzinfo=None)


def recorded_call(simulator: Simulator, seconds: float = 2) -> str:
    """An inbound call that 1000 answers and that lasts ``seconds``; its call id."""
    callid = simulator.start_call(OUTSIDE, "5503301", trunk="SIP-Carrier")
    assert simulator.answer(callid) == "1000"
    simulator.advance(seconds)
    simulator.hang_up(callid)
    return callid


def records(content: bytes) -> list[dict[str, str]]:
    text = content.decode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == CDR_COLUMNS
    return list(reader)


def test_cdr_fetch_a_real_csv(sdk: Client, simulator: Simulator) -> None:
    start = pbx_now(simulator) - timedelta(minutes=1)
    callid = recorded_call(simulator)
    talking(simulator, "1001", "1002")
    simulator.hang_up(simulator.calls()[0].callid, party="1002")
    end = pbx_now(simulator) + timedelta(minutes=1)

    rows = records(sdk.cdr.fetch(start, end))
    assert [(r["callfrom"], r["callto"], r["type"]) for r in rows] == [
        (OUTSIDE, "1000", "Inbound"),
        ("1001", "1002", "Internal"),
    ]
    inbound = rows[0]
    assert inbound["callid"] == callid
    assert (inbound["status"], inbound["talkduraction"]) == ("ANSWERED", "2")
    assert (inbound["srctrunkname"], inbound["didnumber"]) == ("SIP-Carrier", "5503301")
    assert inbound["recording"].endswith(f"-{callid}-{OUTSIDE}-1000-Inbound.wav")
    assert rows[1]["recording"] == ""  # neither 1001 nor 1002 records

    # One extension's records only; times as the PBX's strings work as well.
    only = sdk.cdr.fetch(
        f"{start:%Y-%m-%d %H:%M:%S}", f"{end:%Y-%m-%d %H:%M:%S}", extensions="1002"
    )
    assert [r["callto"] for r in records(only)] == ["1002"]
    both = sdk.cdr.fetch(start, end, extensions=["1000", "1001"])
    assert len(records(both)) == 2


def test_cdr_ticket_then_download(sdk: Client, wire: Wire, simulator: Simulator) -> None:
    recorded_call(simulator)
    start, end = (pbx_now(simulator) + timedelta(hours=h) for h in (-1, 1))
    ticket = sdk.cdr.ticket(start, end, extensions=["1000"])
    assert isinstance(ticket, CdrTicket)
    sent = wire.last("cdr/get_random")
    assert sent.pop("status") == "Success"
    assert_read_whole([ticket], [sent])
    assert ticket.extensions == "1000"
    assert (ticket.start, ticket.end) == (f"{start:%Y-%m-%d %H:%M:%S}", f"{end:%Y-%m-%d %H:%M:%S}")
    assert RANDOM.match(ticket.random)
    assert len(records(sdk.cdr.download(ticket))) == 1
    # A ticket is good for one download.
    raised(lambda: sdk.cdr.download(ticket), InvalidValueError, "20020", "cdr/download")
    expired = sdk.cdr.ticket(start, end)
    simulator.advance(31)
    raised(lambda: sdk.cdr.download(expired), InvalidValueError, "20020")


def test_cdr_refusals(sdk: Client, simulator: Simulator) -> None:
    now = pbx_now(simulator)
    later = now + timedelta(hours=1)
    raised(lambda: sdk.cdr.ticket(now, later, extensions="9999"), NotFoundError, "10006")
    raised(lambda: sdk.cdr.ticket("yesterday", later), InvalidValueError, "20019", "cdr/get_random")
    raised(lambda: sdk.cdr.ticket(later, now), InvalidValueError, "20019")  # ends before it starts
    raised(lambda: sdk.cdr.ticket(now, later, allowed_ip="not-an-ip"), InvalidValueError, "20015")
    # No record in the range.
    raised(lambda: sdk.cdr.fetch(now, later), NotFoundError, "20021", "cdr/download")


def test_recording_fetch_a_real_wav(sdk: Client, simulator: Simulator) -> None:
    recorded_call(simulator, seconds=2)
    start, end = (pbx_now(simulator) + timedelta(hours=h) for h in (-1, 1))
    (row,) = records(sdk.cdr.fetch(start, end))
    audio = sdk.recordings.fetch(row["recording"])
    with wave.open(io.BytesIO(audio)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 8000)
        assert wav.getnframes() == 2 * 8000  # as long as the conversation


def test_recording_ticket_then_download(sdk: Client, wire: Wire, simulator: Simulator) -> None:
    recorded_call(simulator, seconds=1)
    start, end = (pbx_now(simulator) + timedelta(hours=h) for h in (-1, 1))
    name = records(sdk.cdr.fetch(start, end))[0]["recording"]
    ticket = sdk.recordings.ticket(name)
    assert isinstance(ticket, RecordingTicket)
    sent = wire.last("recording/get_random")
    assert sent.pop("status") == "Success"
    assert_read_whole([ticket], [sent])
    assert ticket.recording == name
    assert RANDOM.match(ticket.random)
    audio = sdk.recordings.download(ticket)
    assert audio[:4] == b"RIFF"
    assert audio[8:12] == b"WAVE"
    raised(lambda: sdk.recordings.download(ticket), InvalidValueError, "20012")
    stale = sdk.recordings.ticket(name)
    simulator.advance(31)
    raised(lambda: sdk.recordings.download(stale), InvalidValueError, "20012", "recording/download")


def test_a_ticket_for_another_address(sdk: Client, simulator: Simulator) -> None:
    """``allowed_ip`` lets one more machine download with the application server's token."""
    recorded_call(simulator, seconds=1)
    start, end = (pbx_now(simulator) + timedelta(hours=h) for h in (-1, 1))
    name = records(sdk.cdr.fetch(start, end))[0]["recording"]
    ticket = sdk.recordings.ticket(name, allowed_ip="127.0.0.41")
    transport = httpx.HTTPTransport(local_address="127.0.0.41")
    params = {"recording": name, "random": ticket.random, "token": sdk.token or ""}
    with httpx.Client(base_url=simulator.base_url, transport=transport) as other:
        answer = other.get("/api/v1.1.0/recording/download", params=params)
    assert answer.headers["content-type"] == "audio/wav"
    assert answer.content == sdk.recordings.fetch(name)


@pytest.mark.parametrize("name", ["20240301091502-1.1-0611-1000-Inbound.wav", "../state.db"])
def test_an_unknown_recording_is_not_found(sdk: Client, name: str) -> None:
    raised(lambda: sdk.recordings.ticket(name), NotFoundError, "20014", "recording/get_random")


def test_recording_ticket_refuses_a_bad_allowed_ip(sdk: Client, simulator: Simulator) -> None:
    recorded_call(simulator, seconds=1)
    start, end = (pbx_now(simulator) + timedelta(hours=h) for h in (-1, 1))
    name = records(sdk.cdr.fetch(start, end))[0]["recording"]
    raised(
        lambda: sdk.recordings.ticket(name, allowed_ip="300.1.1.1"),
        InvalidValueError,
        "20015",
        "recording/get_random",
    )
