"""The SDK's call-service methods against the real server (both twins): inbound call control,
prompts and SMS (docs/pbx-api/call-services.md). The application's side goes through the SDK, the
outside world through its :class:`~yspbx.client.Simulator`, and the reports the PBX sends
arrive at a real :class:`~yspbx.client.ReportReceiver` (``reports``), as they would in an
application: an ``Invite``'s inbound id is what the application accepts.

Default config: trunk SIP-Screened asks before answering (``Invite``), SIP-Directed asks where
a call goes (``Incoming``), SIP-Carrier asks nothing; every call they bring goes to 1000.
GSM1 is the GSM trunk; the prompts are ``welcome``, ``menu``, ``goodbye`` and
``macroform-cold_day``, each playing 5 s of the server clock.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.support.sdk_live import FAR_END, OUTSIDE, Wire, assert_read_whole, raised, talking
from yspbx.client import (
    ApiError,
    BusyError,
    CallParty,
    Client,
    Event,
    Incoming,
    InvalidValueError,
    Invite,
    NotFoundError,
    NotPermittedError,
    PlayPromptEnd,
    SimFeature,
    SimService,
    Simulator,
    SmsResult,
)
from yspbx.testing import ReportCollector


def about(callid: str) -> Callable[[Event], bool]:
    """A ``wait_for`` filter: reports of one call."""
    return lambda event: getattr(event, "callid", None) == callid


def actions(simulator: Simulator, callid: str) -> list[str]:
    """Every report the PBX produced about ``callid`` (the simulator's log), in order."""
    return [r.action for r in simulator.reports() if f'"callid":"{callid}"' in r.body]


# -- inbound call control (14) ----------------------------------------------------------------


def invited(reports: ReportCollector, callid: str) -> str:
    """The inbound id the ``Invite`` report of ``callid`` gives the application."""
    event = reports.wait_for(Invite, where=lambda e: isinstance(e, Invite) and e.callid == callid)
    assert isinstance(event, Invite)
    assert event.inbound is not None
    return event.inbound.id


def test_an_invited_call_is_accepted(
    sdk: Client, wire: Wire, reports: ReportCollector, simulator: Simulator
) -> None:
    callid = simulator.start_call(OUTSIDE, "5503310", trunk="SIP-Screened")
    invite = reports.wait_for(Invite)
    assert isinstance(invite, Invite)
    assert invite.inbound is not None
    assert (invite.callid, invite.inbound.from_number, invite.inbound.to_number) == (
        callid,
        OUTSIDE,
        "5503310",
    )
    assert (invite.inbound.trunk, invite.inbound.id) == ("SIP-Screened", callid)
    # While the application decides, the call waits unanswered and nobody rings.
    (waiting,) = sdk.calls.inbound()
    assert_read_whole([waiting], wire.items("inbound/query", "inbound"))
    assert (waiting.id, waiting.status, waiting.callee) == (callid, "Progress", [])
    assert simulator.call(callid).offer == "answer"

    sdk.calls.accept_inbound(invite.inbound.id)
    call = simulator.call(callid)
    assert (call.offer, call.parties, call.leg("1000").state) == (
        None,
        [OUTSIDE, "1000"],
        "ringing",
    )
    assert sdk.calls.inbound()[0].callee == [CallParty(extid="1000")]
    # Decided: neither answer can change it any more.
    raised(lambda: sdk.calls.accept_inbound(callid), ApiError, "10016", "inbound/accept")
    raised(lambda: sdk.calls.refuse_inbound(callid), ApiError, "10016", "inbound/refuse")
    assert simulator.answer(callid) == "1000"


def test_a_refused_call_leaves_no_trace(
    sdk: Client, reports: ReportCollector, simulator: Simulator
) -> None:
    callid = simulator.start_call(OUTSIDE, "5503310", trunk="SIP-Screened")
    sdk.calls.refuse_inbound(invited(reports, callid))
    assert simulator.calls() == []
    assert sdk.calls.inbound() == []
    simulator.advance(30)
    assert actions(simulator, callid) == ["Invite"]  # no BYE, no CallFailed, no record
    raised(lambda: sdk.calls.accept_inbound(callid), ApiError, "10016", "inbound/accept")


def test_the_pbx_accepts_when_the_window_closes(sdk: Client, simulator: Simulator) -> None:
    callid = simulator.start_call(OUTSIDE, "5503310", trunk="SIP-Screened")
    simulator.advance(9.5)
    assert simulator.call(callid).offer == "answer"
    simulator.advance(0.5)  # 10 s: too late for the application
    assert (simulator.call(callid).offer, simulator.call(callid).state) == (None, "ringing")
    raised(lambda: sdk.calls.accept_inbound(callid), ApiError, "10016", "inbound/accept")
    raised(lambda: sdk.calls.refuse_inbound(callid), ApiError, "10016", "inbound/refuse")
    assert simulator.answer(callid) == "1000"


def test_only_a_call_waiting_for_an_answer_is_accepted(
    sdk: Client, reports: ReportCollector, simulator: Simulator
) -> None:
    raised(lambda: sdk.calls.accept_inbound("1.1"), NotFoundError, "10007", "inbound/accept")
    raised(lambda: sdk.calls.refuse_inbound("1.1"), NotFoundError, "10007", "inbound/refuse")
    raised(lambda: sdk.calls.accept_inbound(""), InvalidValueError, "10004")
    plain = simulator.start_call(OUTSIDE, "5503301", trunk="SIP-Carrier")  # asks nothing
    raised(lambda: sdk.calls.accept_inbound(plain), ApiError, "10016")
    # A call waiting to be directed is directed by a transfer, not accepted.
    directed = simulator.start_call("0622222222", "5503320", trunk="SIP-Directed")
    incoming = reports.wait_for(Incoming)
    assert isinstance(incoming, Incoming)
    assert incoming.inbound is not None
    assert (incoming.callid, incoming.inbound.id) == (directed, directed)
    assert simulator.call(directed).offer == "destination"
    raised(lambda: sdk.calls.refuse_inbound(directed), ApiError, "10016", "inbound/refuse")
    sdk.calls.transfer_inbound(incoming.inbound.id, "1002")
    assert simulator.call(directed).parties == ["0622222222", "1002"]
    assert [c.callid for c in simulator.calls()] == [plain, directed]


# -- prompts (15) ------------------------------------------------------------------------------


def test_a_prompt_played_to_an_extension(
    sdk: Client, reports: ReportCollector, simulator: Simulator
) -> None:
    callid = sdk.prompts.play_to_extension("1001", ["welcome", "menu"])
    ringing = simulator.call(callid)
    assert ringing.service == SimService(type="prompt", prompt="welcome+menu")
    assert (ringing.parties, ringing.state, ringing.leg("1001").state) == (
        ["1001"],
        "ringing",
        "ringing",
    )
    assert simulator.answer(callid) == "1001"
    assert simulator.call(callid).feature == SimFeature(type="prompt", prompt="welcome+menu")
    simulator.advance(9.5)
    assert simulator.calls() != []
    simulator.advance(0.5)  # two files of 5 s: played to the end, the PBX hangs up
    end = reports.wait_for(PlayPromptEnd, where=about(callid))
    assert isinstance(end, PlayPromptEnd)
    assert (end.prompt, end.extensions, end.ivr, end.played_to) == (
        "welcome+menu",
        ["1001"],
        None,
        None,
    )
    reports.wait_for("NewCdr", where=about(callid))
    assert simulator.calls() == []
    assert actions(simulator, callid) == ["PlayPromptEnd", "BYE", "NewCdr"]


def test_a_prompt_to_an_extension_that_answers_by_itself(sdk: Client, simulator: Simulator) -> None:
    callid = sdk.prompts.play_to_extension("1002", "goodbye", auto_answer=True)
    call = simulator.call(callid)
    assert (call.state, call.feature) == ("talking", SimFeature(type="prompt", prompt="goodbye"))
    simulator.advance(5)
    assert simulator.calls() == []


def test_a_prompt_played_to_a_number_outside(
    sdk: Client, reports: ReportCollector, simulator: Simulator
) -> None:
    callid = sdk.prompts.play_to_number(FAR_END, "goodbye", from_extension="1002")
    (dialling,) = sdk.calls.outbound()
    assert (dialling.from_number, dialling.to_number, dialling.trunk, dialling.status) == (
        "1002",
        FAR_END,
        "SIP-Carrier",
        "Progress",
    )
    assert simulator.call(callid).service == SimService(type="prompt", prompt="goodbye")
    assert simulator.answer(callid, party=FAR_END) == FAR_END
    simulator.advance(5)
    end = reports.wait_for(PlayPromptEnd, where=about(callid))
    assert isinstance(end, PlayPromptEnd)
    assert end.outbound is not None
    assert (end.prompt, end.outbound.trunk) == ("goodbye", "SIP-Carrier")
    assert simulator.calls() == []
    # Without an extension any route may carry it: this number goes out on the GSM route.
    gsm = sdk.prompts.play_to_number("90611223344", ["menu", "goodbye"])
    leg = simulator.call(gsm).leg("90611223344")
    assert (leg.kind, leg.trunk, leg.trunk_number) == ("outbound", "GSM1", "0611223344")


def test_prompt_refusals(sdk: Client, simulator: Simulator) -> None:
    ext, out = "extension/playprompt", "outbound/playprompt"
    raised(lambda: sdk.prompts.play_to_extension("9999", "welcome"), NotFoundError, "10006", ext)
    raised(lambda: sdk.prompts.play_to_extension("1001", "hold-music"), NotFoundError, "10023")
    raised(lambda: sdk.prompts.play_to_extension("1001", "1234"), NotFoundError, "10023")
    raised(
        lambda: sdk.prompts.play_to_extension("1001", ["welcome", "nope"]), NotFoundError, "10023"
    )
    raised(lambda: sdk.prompts.play_to_extension("", "welcome"), InvalidValueError, "10004", ext)
    raised(lambda: sdk.prompts.play_to_extension("1001", ""), InvalidValueError, "10004", ext)
    busy = talking(simulator, "1001", "1002")
    raised(lambda: sdk.prompts.play_to_extension("1002", "welcome"), BusyError, "10008", ext)

    raised(
        lambda: sdk.prompts.play_to_number(FAR_END, "welcome", from_extension="9999"),
        NotFoundError,
        "10006",
        out,
    )
    raised(lambda: sdk.prompts.play_to_number(FAR_END, "nope"), NotFoundError, "10023", out)
    # 1003 may not use the GSM route; no route at all takes 12345.
    raised(
        lambda: sdk.prompts.play_to_number("90611223344", "welcome", from_extension="1003"),
        NotPermittedError,
        "10024",
        out,
    )
    raised(lambda: sdk.prompts.play_to_number("12345", "welcome"), NotPermittedError, "10024")
    raised(lambda: sdk.prompts.play_to_number("", "welcome"), InvalidValueError, "10004", out)
    assert [c.callid for c in simulator.calls()] == [busy]


# -- SMS (16) ---------------------------------------------------------------------------------


def sms_sent(reports: ReportCollector, smsid: str) -> SmsResult:
    """The ``sms-send`` report of ``smsid``."""

    def mine(event: Event) -> bool:
        return isinstance(event, SmsResult) and event.sms_id == smsid

    found = reports.wait_for(SmsResult, where=mine)
    assert isinstance(found, SmsResult)
    return found


def test_an_sms_is_sent_and_its_outcome_reported(
    sdk: Client, reports: ReportCollector, simulator: Simulator
) -> None:
    text = 'Code 4821: 50% off + "free" café & more?\nReply STOP'
    before = simulator.now()
    smsid = sdk.sms.send("GSM1", "0611223344", text)
    after = simulator.now()
    number, seconds = smsid.rsplit("-", 1)
    assert number == "0611223344"
    # The id carries the PBX's time of sending, in whole seconds (a loaded machine may take
    # more than a second between the reads around the send).
    assert int(before) <= int(seconds) <= after
    (sending,) = simulator.sms()
    assert sending.model_dump(exclude={"sent_at"}) == {
        "smsid": smsid,
        "trunk": "GSM1",
        "phonenumber": "0611223344",
        "message": text,  # what the phone gets: the SDK's encoding was undone exactly
        "status": "sending",
    }
    simulator.advance(3)
    result = sms_sent(reports, smsid)
    assert (result.status, result.succeeded) == ("Success", True)
    assert simulator.sms()[0].status == "Success"
    # The module is free again; an international number, non-Latin text.
    second = sdk.sms.send("GSM1", "+33611223344", "Ваш код 4821")
    assert second.startswith("+33611223344-")
    assert simulator.sms()[1].message == "Ваш код 4821"


def test_an_sms_that_fails(sdk: Client, reports: ReportCollector, simulator: Simulator) -> None:
    smsid = sdk.sms.send("GSM1", "0611223344", "hello")
    settled = simulator.settle_sms(smsid, "Failed")
    assert (settled.smsid, settled.status) == (smsid, "Failed")
    result = sms_sent(reports, smsid)
    assert (result.status, result.succeeded) == ("Failed", False)
    simulator.advance(3)
    assert [s.status for s in simulator.sms()] == ["Failed"]
    assert [r.action for r in simulator.reports()].count("sms-send") == 1


def test_sms_refusals(sdk: Client, simulator: Simulator) -> None:
    send = "sms/send"
    raised(lambda: sdk.sms.send("GSM9", "0611223344", "hi"), NotFoundError, "10026", send)
    raised(lambda: sdk.sms.send("SIP-Carrier", "0611223344", "hi"), NotFoundError, "10026")
    raised(lambda: sdk.sms.send("", "0611223344", "hi"), InvalidValueError, "10004", send)
    raised(lambda: sdk.sms.send("GSM1", "", "hi"), InvalidValueError, "10028", send)
    raised(lambda: sdk.sms.send("GSM1", "06-11-22", "hi"), InvalidValueError, "10031", send)
    raised(lambda: sdk.sms.send("GSM1", "12", "hi"), InvalidValueError, "10031")
    raised(lambda: sdk.sms.send("GSM1", "0611223344", ""), InvalidValueError, "10030", send)
    raised(lambda: sdk.sms.send("GSM1", "0611223344", "   "), InvalidValueError, "10030")
    # What the PBX cannot send: emoji, more than 2000 characters, or 1000 beyond Latin-1.
    raised(lambda: sdk.sms.send("GSM1", "0611223344", "hi 👋"), InvalidValueError, "10029", send)
    raised(lambda: sdk.sms.send("GSM1", "0611223344", "x" * 2001), InvalidValueError, "10029")
    raised(lambda: sdk.sms.send("GSM1", "0611223344", "€" * 1001), InvalidValueError, "10029")
    assert simulator.sms() == []
    longest = sdk.sms.send("GSM1", "0611223344", "é" * 2000)  # Latin-1: 2000 fit
    # One message at a time: the module is busy until the first one's outcome.
    raised(lambda: sdk.sms.send("GSM1", "0622334455", "next"), BusyError, "10027", send)
    assert [s.smsid for s in simulator.sms()] == [longest]
    simulator.advance(3)
    sdk.sms.send("GSM1", "0622334455", "next")


def test_a_gsm_trunk_carrying_a_call_is_busy(sdk: Client, simulator: Simulator) -> None:
    talking(simulator, "1002", "90611223344")  # out through GSM1
    raised(lambda: sdk.sms.send("GSM1", "0611223344", "hi"), BusyError, "10027")
    assert simulator.sms() == []
