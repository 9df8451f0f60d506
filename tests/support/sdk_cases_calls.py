"""Endpoint cases for calls, prompts, SMS, hotel, recordings, CDR (docs/pbx-api/)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.support.sdk_cases import (
    CALLID,
    CSV,
    RANDOM,
    RECORDING,
    WAV,
    Case,
    callid_is,
    equal,
    none,
)
from yspbx.client import CdrTicket, RecordingTicket


def _inbound_calls(found: Any) -> None:
    (call,) = found
    assert (call.id, call.from_number, call.to_number) == ("1709283312.41", "0612345678", "4420001")
    assert (call.trunk, call.status) == ("SIP-Carrier", "Talking")
    assert [p.extension for p in call.callee] == ["2001"]


def _outbound_calls(found: Any) -> None:
    (call,) = found
    assert (call.id, call.from_number, call.to_number) == ("1709283400.45", "2002", "0698765432")
    assert (call.trunk, call.status) == ("SIP-Carrier", "Talking")


def _alarms(found: Any) -> None:
    (entry,) = found
    assert entry.extension == "2001"
    (alarm,) = entry.alarms
    assert (alarm.id, alarm.time, alarm.schedule) == ("3", "06:45", "onetime")
    assert (alarm.repeats, alarm.repeat_interval, alarm.prompt) == (3, 5, "macroform-cold_day")


def _recording_ticket(ticket: Any) -> None:
    assert (ticket.recording, ticket.random) == (RECORDING, RANDOM)


def _cdr_ticket(ticket: Any) -> None:
    assert ticket.extensions == "all"
    assert (ticket.start, ticket.end) == ("2024-03-01 00:00:00", "2024-03-01 23:59:59")
    assert ticket.random == RANDOM


CDR_TICKET_ANSWER = {
    "extid": "all",
    "starttime": "2024-03-01 00:00:00",
    "endtime": "2024-03-01 23:59:59",
    "random": RANDOM,
}

CALL_CASES: dict[str, Case] = {
    # 9. live calls
    "calls.inbound": Case(
        lambda c: c.calls.inbound(),
        "inbound/query",
        None,
        {
            "inbound": [
                {
                    "inboundid": "1709283312.41",
                    "from": "0612345678",
                    "to": "4420001",
                    "trunk": "SIP-Carrier",
                    "status": "Talking",
                    "callee": [{"extid": "2001"}],
                }
            ]
        },
        _inbound_calls,
    ),
    "calls.outbound": Case(
        lambda c: c.calls.outbound("1709283400.45"),
        "outbound/query",
        {"outboundid": "1709283400.45"},
        {
            "outbound": [
                {
                    "outboundid": "1709283400.45",
                    "from": "2002",
                    "to": "0698765432",
                    "trunk": "SIP-Carrier",
                    "status": "Talking",
                }
            ]
        },
        _outbound_calls,
    ),
    # 10. hang up, hold, mute
    "calls.hang_up": Case(
        lambda c: c.calls.hang_up("2001"), "extension/hangup", {"extid": "2001"}, check=none
    ),
    "calls.hang_up_inbound": Case(
        lambda c: c.calls.hang_up_inbound("1709283312.41"),
        "inbound/hangup",
        {"inboundid": "1709283312.41"},
        check=none,
    ),
    "calls.hang_up_outbound": Case(
        lambda c: c.calls.hang_up_outbound("1709283400.45"),
        "outbound/hangup",
        {"outboundid": "1709283400.45"},
        check=none,
    ),
    "calls.hold": Case(
        lambda c: c.calls.hold("2001"), "extension/hold", {"extid": "2001"}, check=none
    ),
    "calls.unhold": Case(
        lambda c: c.calls.unhold("2001"), "extension/unhold", {"extid": "2001"}, check=none
    ),
    "calls.mute": Case(
        lambda c: c.calls.mute("2001"), "extension/mute", {"extid": "2001"}, check=none
    ),
    "calls.unmute": Case(
        lambda c: c.calls.unmute("2001"), "extension/unmute", {"extid": "2001"}, check=none
    ),
    # 11. monitoring
    "calls.listen": Case(
        lambda c: c.calls.listen("2003", "2001"),
        "extension/listen",
        {"listener": "2003", "listenedext": "2001"},
        check=none,
    ),
    "calls.whisper": Case(
        lambda c: c.calls.whisper("2003", "2001"),
        "extension/whisper",
        {"whisperer": "2003", "whisperedext": "2001"},
        check=none,
    ),
    "calls.barge": Case(
        lambda c: c.calls.barge("2003", "2001"),
        "extension/barge",
        {"bargein": "2003", "bargedext": "2001"},
        check=none,
    ),
    # 12. origination
    "calls.dial_extension": Case(
        lambda c: c.calls.dial_extension("2001", "2002"),
        "extension/dial_extension",
        {"caller": "2001", "callee": "2002", "autoanswer": "no"},
        {"callid": CALLID},
        callid_is,
    ),
    "calls.dial_outbound": Case(
        lambda c: c.calls.dial_outbound("2001", "0698765432", auto_answer=True),
        "extension/dial_outbound",
        {"extid": "2001", "outto": "0698765432", "autoanswer": "yes"},
        {"callid": CALLID},
        callid_is,
    ),
    "calls.callback": Case(
        lambda c: c.calls.callback("0611223344", "0698765432", "2001"),
        "outbound/dial_outbound",
        {"caller": "0611223344", "outto": "0698765432", "fromext": "2001"},
        {"callid": CALLID},
        callid_is,
    ),
    "calls.dial_extension_to_ivr": Case(
        lambda c: c.calls.dial_extension_to_ivr("6500", "2001"),
        "ivr/dial_extension",
        {"ivrid": "6500", "extid": "2001", "autoanswer": "no"},
        {"callid": CALLID},
        callid_is,
    ),
    "calls.dial_number_to_ivr": Case(
        lambda c: c.calls.dial_number_to_ivr("6500", "0611223344", "2001"),
        "ivr/dial_outbound",
        {"ivrid": "6500", "outto": "0611223344", "fromext": "2001"},
        {"callid": CALLID},
        callid_is,
    ),
    "calls.dial_number_to_queue": Case(
        lambda c: c.calls.dial_number_to_queue("6701", "0611223344", "2001"),
        "queue/dial_outbound",
        {"queueid": "6701", "outto": "0611223344", "fromext": "2001"},
        {"callid": CALLID},
        callid_is,
    ),
    "calls.dial_number_to_ring_group": Case(
        lambda c: c.calls.dial_number_to_ring_group("6300", "0611223344", "2001"),
        "ringgroup/dial_outbound",
        {"ringgroupid": "6300", "outto": "0611223344", "fromext": "2001"},
        {"callid": CALLID},
        callid_is,
    ),
    # 13. transfer
    "calls.transfer": Case(
        lambda c: c.calls.transfer(CALLID, "2001", "2003"),
        "calltransfer",
        {"callid": CALLID, "transferor": "2001", "transferto": "2003"},
        {"callid": CALLID},
        callid_is,
    ),
    "calls.transfer_inbound": Case(
        lambda c: c.calls.transfer_inbound("1709283312.41", "2003"),
        "inbound/transfer_number",
        {"inboundid": "1709283312.41", "number": "2003", "fromext": ""},
        {"callid": CALLID},
        callid_is,
    ),
    "calls.transfer_outbound": Case(
        lambda c: c.calls.transfer_outbound("1709283400.45", "0611223344", "2002"),
        "outbound/transfer_number",
        {"outboundid": "1709283400.45", "number": "0611223344", "fromext": "2002"},
        {"callid": CALLID},
        callid_is,
    ),
    # 14. inbound call control
    "calls.accept_inbound": Case(
        lambda c: c.calls.accept_inbound("1709284000.90"),
        "inbound/accept",
        {"inboundid": "1709284000.90"},
        check=none,
    ),
    "calls.refuse_inbound": Case(
        lambda c: c.calls.refuse_inbound("1709284000.90"),
        "inbound/refuse",
        {"inboundid": "1709284000.90"},
        check=none,
    ),
    # 15. prompts
    "prompts.play_to_extension": Case(
        lambda c: c.prompts.play_to_extension("2001", ["welcome", "menu"]),
        "extension/playprompt",
        {"extid": "2001", "prompt": "welcome+menu", "autoanswer": "no"},
        {"callid": CALLID},
        callid_is,
    ),
    "prompts.play_to_number": Case(
        lambda c: c.prompts.play_to_number("0611223344", "welcome", from_extension="2001"),
        "outbound/playprompt",
        {"outto": "0611223344", "prompt": "welcome", "fromext": "2001"},
        {"callid": CALLID},
        callid_is,
    ),
    # 16. SMS
    "sms.send": Case(
        lambda c: c.sms.send("GSM2-7", "0611223344", "Your code is 4821"),
        "sms/send",
        {"trunk": "GSM2-7", "phonenumber": "0611223344", "message": "Your%20code%20is%204821"},
        {"smsid": "0611223344-1709284000"},
        lambda smsid: equal(smsid, "0611223344-1709284000"),
    ),
    # 17. hotel
    "hotel.add_alarm": Case(
        lambda c: c.hotel.add_alarm(
            "2001", "06:45", repeats=3, repeat_interval=5, prompt="macroform-cold_day"
        ),
        "wakeupcall/create",
        {
            "extid": "2001",
            "wakeup": [
                {
                    "time": "06:45",
                    "type": "onetime",
                    "repeats": "3",
                    "repeatinterval": "5",
                    "prompt": "macroform-cold_day",
                }
            ],
        },
        check=none,
    ),
    "hotel.alarms": Case(
        lambda c: c.hotel.alarms("2001"),
        "wakeupcall/query",
        {"extid": "2001"},
        {
            "wakeups": [
                {
                    "extid": "2001",
                    "wakeup": [
                        {
                            "wakeupid": "3",
                            "time": "06:45",
                            "type": "onetime",
                            "prompt": "macroform-cold_day",
                            "repeats": "3",
                            "repeatinterval": "5",
                        }
                    ],
                }
            ]
        },
        _alarms,
    ),
    "hotel.update_alarm": Case(
        lambda c: c.hotel.update_alarm("2001", "3", "07:00", "custom", weekdays=[1, 2, 3]),
        "wakeupcall/update",
        {
            "extid": "2001",
            "wakeupid": "3",
            "wakeup": [{"time": "07:00", "type": "custom", "weekdays": "1,2,3"}],
        },
        check=none,
    ),
    "hotel.delete_alarms": Case(
        lambda c: c.hotel.delete_alarms("2001", "3"),
        "wakeupcall/delete",
        {"extid": "2001", "wakeupid": "3"},
        check=none,
    ),
    "hotel.check_out": Case(
        lambda c: c.hotel.check_out(["2001", "2002"]),
        "hotel/checkout",
        {"extid": "2001,2002"},
        check=none,
    ),
    # 18. recordings
    "recordings.ticket": Case(
        lambda c: c.recordings.ticket(RECORDING, allowed_ip="10.0.0.9"),
        "recording/get_random",
        {"recording": RECORDING, "allowedip": "10.0.0.9"},
        {"recording": RECORDING, "random": RANDOM},
        _recording_ticket,
    ),
    "recordings.download": Case(
        lambda c: c.recordings.download(RecordingTicket(recording=RECORDING, random=RANDOM)),
        "recording/download",
        method="GET",
        params={"recording": RECORDING, "random": RANDOM},
        content=WAV,
        check=lambda data: equal(data, WAV),
    ),
    # 19. CDR
    "cdr.ticket": Case(
        lambda c: c.cdr.ticket(datetime(2024, 3, 1), "2024-03-01 23:59:59"),
        "cdr/get_random",
        {"extid": "all", "starttime": "2024-03-01 00:00:00", "endtime": "2024-03-01 23:59:59"},
        CDR_TICKET_ANSWER,
        _cdr_ticket,
    ),
    "cdr.download": Case(
        lambda c: c.cdr.download(CdrTicket.model_validate(CDR_TICKET_ANSWER)),
        "cdr/download",
        method="GET",
        params={**CDR_TICKET_ANSWER},
        content=CSV,
        check=lambda data: equal(data, CSV),
    ),
}
