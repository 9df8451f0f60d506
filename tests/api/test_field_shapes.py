"""What units in the field answer, over HTTP: the shapes docs/fidelity.md settles from captured
answers and deployed clients, each beside its captured example (this suite's own data)."""

from __future__ import annotations

import re
from datetime import timedelta, timezone

import pytest

from tests.support.helpers import Api, Sim, failed
from tests.support.hosted import hosted
from yspbx.pbx.timefmt import format_zone, parse_zone
from yspbx.pbx.vocabulary import trunk_status_word
from yspbx.testing import ServerProcess

# deviceinfo.systemtime of a unit set to UTC, as an integration captured it.
CAPTURED_UTC_SYSTEMTIME = "2022-04-06 13:10:17 UTC"
SYSTEMTIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (UTC(?:[+-]\d{1,2}(?::\d\d)?)?)")
# An inbound route to an extension range, as a unit answers inroute/query.
CAPTURED_EXTRANGE_ROUTE = {"did": "1001-1015", "trunks": "", "desttype": "extrange",
                           "dest": "1001-1015"}  # fmt: skip


def device_time(api: Api, token: str) -> str:
    return str(api.call("deviceinfo/query", None, token)["deviceinfo"]["systemtime"])


def test_a_unit_on_utc_writes_no_offset(api: Api, token: str) -> None:
    captured = SYSTEMTIME.fullmatch(CAPTURED_UTC_SYSTEMTIME)
    assert captured is not None
    ours = SYSTEMTIME.fullmatch(device_time(api, token))  # the default config: UTC+0
    assert ours is not None
    assert ours.group(1) == captured.group(1) == "UTC"


def test_other_zones_keep_their_offset(server: ServerProcess) -> None:
    with hosted(server, '[device]\ntimezone = "UTC+8"\n') as pbx:
        api = Api(pbx.url)
        try:
            assert device_time(api, api.token()).endswith(" UTC+8")
        finally:
            api.close()


@pytest.mark.parametrize(
    ("written", "offset", "shown"),
    [("UTC", 0, "UTC"), ("UTC+0", 0, "UTC"), ("UTC-8", -480, "UTC-8"),
     ("UTC+5:30", 330, "UTC+5:30"), ("UTC-3:30", -210, "UTC-3:30")],
)  # fmt: skip
def test_zones_read_and_written(written: str, offset: int, shown: str) -> None:
    zone = parse_zone(written)
    assert zone == timezone(timedelta(minutes=offset))
    assert format_zone(zone) == shown


# -- trunk status words --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trunk_type", "configured", "written"),
    [
        ("SIP", "Registered", "registered"),  # the old guide's spelling, then a unit's
        ("SIP", "Failure", "failure"),  # the vendor's cloud example answers "failure"
        ("IAX", "Registering", "registering"),
        ("SIP", "Unmonitored", "unmonitored"),
        ("FXO", "Idle", "idle"),
        ("FXO", "Fault", "fault"),
        ("E1", "Down", "down"),
        ("BRI", "Up", "up"),
        ("GSM", "No SIM", "nosim"),
        ("GSM", "Power Off", "poweroff"),
        ("LTE", "No Signal", "nosignal"),
        ("GSM", "Pin Error", "pinerror"),
        ("GSM", "Unregister", "unregister"),
        ("SIP", "Custom word", "Custom word"),  # not a word of the type: as configured
        ("FXO", "registered", "registered"),
    ],
)
def test_trunk_status_words_as_units_write_them(
    trunk_type: str, configured: str, written: str
) -> None:
    assert trunk_status_word(trunk_type, configured) == written


# -- inbound routes to an extension range ------------------------------------------------


def test_an_extrange_route_maps_did_n_to_extension_n(api: Api, sim: Sim, token: str) -> None:
    route = {"name": "Range", "did": "5503401-5503403", "caller_id": "", "trunks": "SIP-Carrier",
             "desttype": "extrange", "dest": "1001-1003"}  # fmt: skip
    assert api.call("inroute/add", route, token) == {"status": "Success"}
    (shown,) = api.call("inroute/query", {"name": "Range"}, token)["inroutes"]
    assert {k: shown[k] for k in CAPTURED_EXTRANGE_ROUTE} == {
        **CAPTURED_EXTRANGE_ROUTE,
        "did": "5503401-5503403",
        "dest": "1001-1003",
        "trunks": "SIP-Carrier",
    }
    for did, extension in (("5503401", "1001"), ("5503402", "1002"), ("5503403", "1003")):
        callid = sim.post("/calls", {"from": "0612345678", "to": did, "trunk": "SIP-Carrier"})[
            "callid"
        ]
        assert sim.get(f"/calls/{callid}")["parties"] == ["0612345678", extension]
        sim.post(f"/calls/{callid}/hangup", {})
    # A DID outside the range is not this route's: the trunk's catch-all route takes it.
    callid = sim.post("/calls", {"from": "0612345678", "to": "5503404", "trunk": "SIP-Carrier"})[
        "callid"
    ]
    assert sim.get(f"/calls/{callid}")["parties"] == ["0612345678", "1000"]


def test_a_range_route_whose_trunk_was_deleted_reads_as_captured(api: Api, token: str) -> None:
    route = {"name": "Range", "did": "1001-1015", "trunks": "SIP-Directed", "desttype": "extrange",
             "dest": "1001-1015"}  # fmt: skip
    assert api.call("inroute/add", route, token)["status"] == "Success"
    assert api.call("siptrunk/delete", {"trunkname": "SIP-Directed"}, token)["status"] == "Success"
    (shown,) = api.call("inroute/query", {"name": "Range"}, token)["inroutes"]
    assert {k: shown[k] for k in CAPTURED_EXTRANGE_ROUTE} == CAPTURED_EXTRANGE_ROUTE


@pytest.mark.parametrize(
    "changes",
    [
        {"did": "5503401-5503405"},  # five DIDs, three extensions
        {"did": "5503401"},  # one DID for three extensions
        {"did": ""},  # any DID: no position to map
        {"dest": "1003-1001"},  # not a range
    ],
)
def test_ranges_that_cannot_map_one_to_one_are_refused(
    api: Api, token: str, changes: dict[str, str]
) -> None:
    route = {"name": "Range", "did": "5503401-5503403", "trunks": "SIP-Carrier",
             "desttype": "extrange", "dest": "1001-1003", **changes}  # fmt: skip
    assert api.call("inroute/add", route, token) == failed("10069")
    assert api.call("inroute/query", {"name": "Range"}, token) == failed("10072")


def test_updating_an_extrange_route_keeps_it_one_to_one(api: Api, token: str) -> None:
    route = {"name": "Range", "did": "5503401-5503403", "trunks": "SIP-Carrier",
             "desttype": "extrange", "dest": "1001-1003"}  # fmt: skip
    assert api.call("inroute/add", route, token)["status"] == "Success"
    assert api.call("inroute/update", {"name": "Range", "did": "5503401-5503402"}, token) == (
        failed("10069")
    )
    both = {"name": "Range", "did": "5503501-5503502", "dest": "1008-1009"}
    assert api.call("inroute/update", both, token) == {"status": "Success"}


# -- outbound dial patterns as units write them ------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "strip", "prepend", "dialled", "trunk_number"),
    [
        ("0X.", "0", "", "0698765432", "0698765432"),
        ("89X.", "2", "", "89123456", "123456"),  # a unit's access code, stripped
        ("7[1-5]XX", "1", "00", "7399", "00399"),
        ("6NXX!", "1", "", "6234", "234"),  # "!": nothing more, or anything more
        ("6NXX!", "1", "", "623456", "23456"),
    ],
)
def test_outbound_route_patterns_strip_and_prepend(
    api: Api, sim: Sim, token: str, prefix: str, strip: str, prepend: str, dialled: str,
    trunk_number: str,
) -> None:  # fmt: skip
    route = {"name": "Pattern", "prefix": prefix, "strip": strip, "prepend": prepend,
             "trunks": "SIP-Carrier", "extensions": "1003"}  # fmt: skip
    assert api.call("outroute/add", route, token) == {"status": "Success"}
    if prefix != "0X.":  # the default route "0" comes first for numbers starting with 0
        api.call("outroute/delete", {"name": "External"}, token)
    callid = sim.post("/calls", {"from": "1003", "to": dialled})["callid"]
    leg = next(leg for leg in sim.get(f"/calls/{callid}")["legs"] if leg["kind"] == "outbound")
    assert (leg["number"], leg["trunk_number"], leg["trunk"]) == (
        dialled,
        trunk_number,
        "SIP-Carrier",
    )


def test_a_number_no_pattern_takes_is_not_found(api: Api, sim: Sim, token: str) -> None:
    route = {"name": "Pattern", "prefix": "89X.", "strip": "2", "trunks": "SIP-Carrier",
             "extensions": "1003"}  # fmt: skip
    assert api.call("outroute/add", route, token)["status"] == "Success"
    # "89X." needs at least two more digits after 89 ("." is one or more).
    callid = sim.post("/calls", {"from": "1003", "to": "891"})["callid"]
    assert sim.get("/calls") == []
    assert any(r["action"] == "CallFailed" and callid in r["body"] for r in sim.get("/reports"))
