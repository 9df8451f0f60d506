"""The SDK's ``trunks`` methods against the real server (both twins), on the default config:
SIP-Carrier (register, id 1), SIP-Screened (peer, 2), SIP-Directed (account, 3), GSM1 (4)."""

from __future__ import annotations

import pytest

from tests.support.sdk_live import FAR_END, OUTSIDE, Wire, assert_read_whole, raised
from yspbx.client import BusyError, Client, InvalidValueError, NotFoundError, Simulator, SipTrunk


def test_trunk_list(sdk: Client, wire: Wire) -> None:
    found = sdk.trunks.list()
    assert_read_whole(found, wire.items("trunklist/query", "trunklist"))
    assert [(t.name, t.type, t.status, t.port) for t in found] == [
        ("SIP-Carrier", "SIP", "registered", ""),
        ("SIP-Screened", "SIP", "registered", ""),
        ("SIP-Directed", "SIP", "registered", ""),
        ("GSM1", "GSM", "idle", "Span2-Port1"),
    ]


def test_sip_trunk_query_reads_each_type(sdk: Client, wire: Wire) -> None:
    found = sdk.trunks.query_sip()
    assert_read_whole(found, wire.items("siptrunk/query", "trunks"))
    carrier, screened, directed = found
    assert isinstance(carrier, SipTrunk)
    assert (carrier.id, carrier.name, carrier.trunk_type) == ("1", "SIP-Carrier", "register")
    assert (carrier.host, carrier.port, carrier.domain) == (
        "sip.example.net",
        "5060",
        "sip.example.net",
    )
    assert (carrier.username, carrier.auth_name, carrier.from_user, carrier.password) == (
        "5503301",
        "5503301",
        "",
        "carrier-secret",
    )
    assert (carrier.extension_dods, carrier.extension_group_dods) == (["5503301-main-1000"], [])
    assert (screened.id, screened.trunk_type, screened.host) == ("2", "peer", "203.0.113.10")
    assert screened.username == ""  # not sent for a peer trunk
    assert (directed.id, directed.trunk_type, directed.username, directed.password) == (
        "3",
        "account",
        "office-b",
        "directed-secret",
    )
    assert [t.name for t in sdk.trunks.query_sip(["SIP-Directed", "SIP-Carrier"])] == [
        "SIP-Directed",
        "SIP-Carrier",
    ]


@pytest.mark.parametrize("names", ["GSM1", "nope", ["SIP-Carrier", "nope"]])
def test_unknown_sip_trunks_are_not_found(sdk: Client, names: str | list[str]) -> None:
    with pytest.raises(NotFoundError) as caught:
        sdk.trunks.query_sip(names)
    assert (caught.value.errno, caught.value.endpoint) == ("10062", "siptrunk/query")
    with pytest.raises(NotFoundError) as caught:
        sdk.trunks.delete_sip(names)
    assert caught.value.errno == "10062"
    assert len(sdk.trunks.query_sip()) == 3  # nothing deleted


def test_sip_trunks_add_update_delete(sdk: Client, wire: Wire) -> None:
    sdk.trunks.add_sip(
        "ITSP-2",
        "register",
        host="sip.itsp.example",
        port=5080,
        domain="itsp.example",
        username="7700",
        auth_name="7700a",
        from_user="7700f",
        password="pw-7700",
        extension_dods=["5550001-desk-1000", "5550002-ana-1001"],
        extension_group_dods="5550003-sales-Sales",
    )
    sdk.trunks.add_sip("peer-office", "peer", host="203.0.113.9", port="5060", domain="203.0.113.9")
    sdk.trunks.add_sip("acct", "account", username="u1", auth_name="u1", password="pw")
    found = sdk.trunks.query_sip("ITSP-2,peer-office,acct")
    assert_read_whole(found, wire.items("siptrunk/query", "trunks"))
    itsp, peer, account = found
    assert (itsp.id, peer.id, account.id) == ("5", "6", "7")  # after GSM1's 4
    assert (itsp.host, itsp.port, itsp.domain, itsp.from_user) == (
        "sip.itsp.example",
        "5080",
        "itsp.example",
        "7700f",
    )
    assert (itsp.username, itsp.auth_name, itsp.password) == ("7700", "7700a", "pw-7700")
    assert itsp.extension_dods == ["5550001-desk-1000", "5550002-ana-1001"]
    assert itsp.extension_group_dods == ["5550003-sales-Sales"]
    assert (peer.trunk_type, peer.host) == ("peer", "203.0.113.9")
    assert (account.trunk_type, account.username) == ("account", "u1")
    assert ("acct", "SIP", "registered") in [(t.name, t.type, t.status) for t in sdk.trunks.list()]

    sdk.trunks.update_sip("5", "register", name="ITSP-B", password="rotated", extension_dods=[])
    sdk.trunks.update_sip(
        "7", "register", host="sip.b.example", port=5060, domain="sip.b.example"
    )  # an account trunk becomes a register trunk
    itsp, account = sdk.trunks.query_sip(["ITSP-B", "acct"])
    assert (itsp.id, itsp.password, itsp.extension_dods) == ("5", "rotated", [])
    assert itsp.host == "sip.itsp.example"  # unchanged
    assert (account.trunk_type, account.host, account.username) == (
        "register",
        "sip.b.example",
        "u1",
    )
    with pytest.raises(NotFoundError):
        sdk.trunks.query_sip("ITSP-2")

    sdk.trunks.delete_sip(["ITSP-B", "peer-office"])
    assert [t.name for t in sdk.trunks.query_sip()] == [
        "SIP-Carrier",
        "SIP-Screened",
        "SIP-Directed",
        "acct",
    ]
    sdk.trunks.delete_sip("all")
    assert sdk.trunks.query_sip() == []
    assert [t.name for t in sdk.trunks.list()] == ["GSM1"]  # "all" means every SIP trunk


@pytest.mark.parametrize(
    ("settings", "errno"),
    [
        ({"name": "SIP-Carrier"}, "10043"),  # taken
        ({"name": "has space"}, "10042"),
        ({"port": 70000}, "10046"),
        ({"host": "bad host!"}, "10045"),
        ({"extension_dods": ["5550001-desk-9999"]}, "10053"),  # no such extension
        ({"extension_dods": ["desk"]}, "10059"),
    ],
)
def test_refused_sip_trunks_raise_invalid_value(
    sdk: Client, settings: dict[str, object], errno: str
) -> None:
    fields: dict[str, object] = {
        "name": "peer-new",
        "host": "203.0.113.9",
        "port": 5060,
        "domain": "203.0.113.9",
        **settings,
    }
    name = fields.pop("name")
    with pytest.raises(InvalidValueError) as caught:
        sdk.trunks.add_sip(name, "peer", **fields)  # type: ignore[arg-type]
    assert (caught.value.errno, caught.value.endpoint) == (errno, "siptrunk/add")
    with pytest.raises(InvalidValueError) as caught:
        sdk.trunks.update_sip("2", "peer", name=name, **fields)  # type: ignore[arg-type]
    assert caught.value.errno == errno
    assert len(sdk.trunks.list()) == 4
    assert sdk.trunks.query_sip("SIP-Screened")[0].host == "203.0.113.10"


def test_updating_an_unknown_sip_trunk_is_not_found(sdk: Client) -> None:
    for trunk_id in ("99", "4"):  # no such trunk; GSM1 is not a SIP trunk
        with pytest.raises(NotFoundError) as caught:
            sdk.trunks.update_sip(trunk_id, "peer", host="203.0.113.9")
        assert (caught.value.errno, caught.value.endpoint) == ("10062", "siptrunk/update")


def test_a_trunk_carrying_a_call_cannot_be_deleted(sdk: Client, simulator: Simulator) -> None:
    """``10061`` (the trunk could not be deleted: a call is on it) is a ``BusyError``: it
    works once the call has ended. Deleting several trunks deletes none of them."""
    inbound = simulator.start_call(OUTSIDE, "5503310", trunk="SIP-Screened")
    raised(lambda: sdk.trunks.delete_sip("SIP-Screened"), BusyError, "10061", "siptrunk/delete")
    raised(lambda: sdk.trunks.delete_sip(["SIP-Directed", "SIP-Screened"]), BusyError, "10061")
    simulator.start_call("1001", FAR_END)  # out through SIP-Carrier
    raised(lambda: sdk.trunks.delete_sip("all"), BusyError, "10061")
    assert [t.name for t in sdk.trunks.query_sip()] == [
        "SIP-Carrier",
        "SIP-Screened",
        "SIP-Directed",
    ]

    simulator.hang_up(inbound)
    sdk.trunks.delete_sip("SIP-Screened")
    raised(lambda: sdk.trunks.delete_sip("SIP-Carrier"), BusyError, "10061")
    sdk.calls.hang_up("1001")
    sdk.trunks.delete_sip("SIP-Carrier")
    assert simulator.calls() == []
    assert [t.name for t in sdk.trunks.query_sip()] == ["SIP-Directed"]
