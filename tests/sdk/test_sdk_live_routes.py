"""The SDK's ``inbound_routes`` and ``outbound_routes`` methods against the real server (both
twins), on the default config's routes: inbound Main-IVR (1), Support-Line (2), Default (3);
outbound External (1), Mobile-GSM (2). Also: an empty selection deletes nothing, in any area."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.sdk_live import Wire, assert_read_whole
from yspbx.client import Client, InboundRoute, InvalidValueError, NotFoundError, OutboundRoute


def test_inbound_route_query(sdk: Client, wire: Wire) -> None:
    found = sdk.inbound_routes.query()
    assert_read_whole(found, wire.items("inroute/query", "inroutes"))
    main, support, default = found
    assert isinstance(main, InboundRoute)
    assert (main.id, main.name, main.did, main.caller_id) == ("1", "Main-IVR", "5503302", "")
    assert (main.trunks, main.destination_type, main.destination) == (
        ["SIP-Carrier"],
        "ivr",
        "6200",
    )
    assert (support.destination_type, support.destination) == ("queue", "6700")
    assert default.trunks == ["SIP-Carrier", "SIP-Screened", "SIP-Directed", "GSM1"]
    assert [r.name for r in sdk.inbound_routes.query(["Default", "Main-IVR"])] == [
        "Default",
        "Main-IVR",
    ]


def test_inbound_routes_add_update_delete(sdk: Client, wire: Wire) -> None:
    sdk.inbound_routes.add(
        "Sales-DID",
        trunks=["SIP-Carrier", "GSM1"],
        destination_type="extension",
        destination="1002",
        did="5503304",
        caller_id="06XXXXXXXX",
    )
    sdk.inbound_routes.add(
        "Night", trunks="SIP-Screened", destination_type="hangup", destination=""
    )
    sales, night = sdk.inbound_routes.query("Sales-DID,Night")
    assert_read_whole([sales, night], wire.items("inroute/query", "inroutes"))
    assert (sales.id, sales.did, sales.caller_id) == ("4", "5503304", "06XXXXXXXX")
    assert (sales.trunks, sales.destination_type, sales.destination) == (
        ["SIP-Carrier", "GSM1"],
        "extension",
        "1002",
    )
    assert (night.id, night.destination_type, night.destination) == ("5", "hangup", "")

    sdk.inbound_routes.update("Sales-DID", destination_type="queue", destination="6700")
    sdk.inbound_routes.update("Sales", route_id="4", did="", trunks="SIP-Carrier")  # renames
    (sales,) = sdk.inbound_routes.query("Sales")
    assert (sales.id, sales.did, sales.trunks) == ("4", "", ["SIP-Carrier"])
    assert (sales.destination_type, sales.destination, sales.caller_id) == (
        "queue",
        "6700",
        "06XXXXXXXX",
    )

    sdk.inbound_routes.delete(["Sales", "Night"])
    assert [r.name for r in sdk.inbound_routes.query()] == ["Main-IVR", "Support-Line", "Default"]
    sdk.inbound_routes.delete("all")
    assert sdk.inbound_routes.query() == []


def test_unknown_inbound_routes_are_not_found(sdk: Client) -> None:
    with pytest.raises(NotFoundError) as caught:
        sdk.inbound_routes.query(["Main-IVR", "nope"])
    assert (caught.value.errno, caught.value.endpoint) == ("10072", "inroute/query")
    updates: list[Callable[[], object]] = [
        lambda: sdk.inbound_routes.update("nope", destination="1001"),
        lambda: sdk.inbound_routes.update("Main-IVR", route_id="99", destination="1001"),
    ]
    for update in updates:
        with pytest.raises(NotFoundError) as caught:
            update()
        assert caught.value.errno == "10072"
    with pytest.raises(NotFoundError) as caught:
        sdk.inbound_routes.delete("Main-IVR,nope")
    assert caught.value.errno == "10072"
    assert len(sdk.inbound_routes.query()) == 3


@pytest.mark.parametrize(
    ("route", "errno"),
    [
        ({"name": "Default"}, "10064"),  # taken
        ({"name": "two words"}, "10063"),
        ({"did": "55-abc"}, "10065"),
        ({"trunks": "SIP-Carrier,nope"}, "10067"),
        ({"destination_type": "fax"}, "10068"),
        ({"destination": "9999"}, "10069"),  # no such extension
    ],
)
def test_refused_inbound_routes_raise_invalid_value(
    sdk: Client, route: dict[str, str], errno: str
) -> None:
    fields = {
        "name": "New",
        "trunks": "SIP-Carrier",
        "destination_type": "extension",
        "destination": "1001",
        **route,
    }
    with pytest.raises(InvalidValueError) as caught:
        sdk.inbound_routes.add(fields.pop("name"), **fields)
    assert (caught.value.errno, caught.value.endpoint) == (errno, "inroute/add")
    assert len(sdk.inbound_routes.query()) == 3


def test_outbound_route_query(sdk: Client, wire: Wire) -> None:
    found = sdk.outbound_routes.query()
    assert_read_whole(found, wire.items("outroute/query", "outroutes"))
    external, mobile = found
    assert isinstance(external, OutboundRoute)
    assert (external.id, external.name, external.prefix, external.strip) == (
        "1",
        "External",
        "0",
        0,
    )
    assert (external.prepend, external.trunks) == ("", ["SIP-Carrier"])
    assert external.extensions == [str(n) for n in range(1000, 1012)]
    assert external.extension_groups == []
    assert (mobile.prefix, mobile.strip, mobile.trunks) == ("9", 1, ["GSM1"])
    assert (mobile.extensions, mobile.extension_groups) == (["1000", "1001", "1002"], ["Support"])


def test_outbound_routes_add_update_delete(sdk: Client, wire: Wire) -> None:
    sdk.outbound_routes.add(
        "International",
        prefix="00",
        trunks=["SIP-Carrier", "GSM1"],
        extensions="1000,1001",
        strip=2,
        prepend="+",
        extension_groups=["Sales", "Support"],
    )
    sdk.outbound_routes.add("Local", prefix="NXXXXXX", trunks="SIP-Carrier", extensions=["1003"])
    found = sdk.outbound_routes.query(["International", "Local"])
    assert_read_whole(found, wire.items("outroute/query", "outroutes"))
    international, local = found
    assert (international.id, international.prefix, international.strip) == ("3", "00", 2)
    assert (international.prepend, international.trunks) == ("+", ["SIP-Carrier", "GSM1"])
    assert international.extensions == ["1000", "1001"]
    assert international.extension_groups == ["Sales", "Support"]
    assert (local.id, local.strip, local.prepend, local.extension_groups) == ("4", 0, "", [])

    sdk.outbound_routes.update("Local", prefix="NXXXXXXX", strip=1, extensions=["1003", "1004"])
    sdk.outbound_routes.update("Intl", route_id="3", prepend="", extension_groups=[])
    local, intl = sdk.outbound_routes.query("Local,Intl")
    assert (local.prefix, local.strip, local.extensions) == ("NXXXXXXX", 1, ["1003", "1004"])
    assert (intl.id, intl.prepend, intl.extension_groups, intl.strip) == ("3", "", [], 2)

    sdk.outbound_routes.delete(["Intl", "Local"])
    assert [r.name for r in sdk.outbound_routes.query()] == ["External", "Mobile-GSM"]


def test_unknown_outbound_routes_raise_invalid_value(sdk: Client) -> None:
    """The vendor has no "does not exist" errno for outbound routes: the server answers
    10073 (route name invalid)."""
    for call in (
        lambda: sdk.outbound_routes.query("nope"),
        lambda: sdk.outbound_routes.update("nope", strip=1),
        lambda: sdk.outbound_routes.delete(["External", "nope"]),
    ):
        with pytest.raises(InvalidValueError) as caught:
            call()
        assert caught.value.errno == "10073"
    assert len(sdk.outbound_routes.query()) == 2


@pytest.mark.parametrize(
    ("route", "errno"),
    [
        ({"name": "External"}, "10074"),  # taken
        ({"prefix": "0a"}, "10075"),
        ({"strip": 25}, "10076"),
        ({"prepend": "12a"}, "10077"),
        ({"trunks": "nope"}, "10078"),
        ({"extensions": "1001,9999"}, "10079"),
        ({"extension_groups": "nope"}, "10080"),
    ],
)
def test_refused_outbound_routes_raise_invalid_value(
    sdk: Client, route: dict[str, object], errno: str
) -> None:
    fields: dict[str, object] = {
        "name": "New",
        "prefix": "8",
        "trunks": "SIP-Carrier",
        "extensions": "1001",
        **route,
    }
    with pytest.raises(InvalidValueError) as caught:
        sdk.outbound_routes.add(fields.pop("name"), **fields)  # type: ignore[arg-type]
    assert (caught.value.errno, caught.value.endpoint) == (errno, "outroute/add")
    if errno != "10074":
        with pytest.raises(InvalidValueError) as caught:
            sdk.outbound_routes.update("Mobile-GSM", **route)  # type: ignore[arg-type]
        assert caught.value.errno == errno
    assert sdk.outbound_routes.query("Mobile-GSM")[0].strip == 1


def test_an_empty_selection_deletes_nothing(sdk: Client) -> None:
    """An empty list is sent as a blank name, which the server refuses (blank is not "all")."""
    deletes: list[Callable[[], object]] = [
        lambda: sdk.trunks.delete_sip([]),
        lambda: sdk.inbound_routes.delete([]),
        lambda: sdk.outbound_routes.delete([]),
        lambda: sdk.paging_groups.delete([]),
    ]
    for delete in deletes:
        with pytest.raises(InvalidValueError) as caught:
            delete()
        assert caught.value.errno == "10004"
    assert (len(sdk.trunks.list()), len(sdk.inbound_routes.query())) == (4, 3)
    assert (len(sdk.outbound_routes.query()), len(sdk.paging_groups.list())) == (2, 1)
