"""The SDK's ``ivrs`` and ``paging_groups`` methods against the real server (both twins), on
the default config: IVR 6200 "Welcome"; paging group 6400 "Floor-1" (id 1)."""

from __future__ import annotations

from collections.abc import Callable

import pydantic
import pytest

from tests.support.sdk_live import Wire, assert_read_whole
from yspbx.client import Client, InvalidValueError, Ivr, NotFoundError, PagingGroup


def test_ivr_query(sdk: Client, wire: Wire) -> None:
    found = sdk.ivrs.query()
    assert_read_whole(found, wire.items("ivr/query", "ivr"))
    (welcome,) = found
    assert isinstance(welcome, Ivr)
    assert (welcome.number, welcome.name, welcome.prompt) == ("6200", "Welcome", "welcome")
    assert (welcome.prompt_repeat, welcome.response_timeout, welcome.digit_timeout) == (3, 3, 3)
    assert (welcome.dial_extensions, welcome.dial_outbound_routes) == (True, False)
    assert (welcome.dial_to_check_voicemail, welcome.selected_routes) == (False, [])
    assert sdk.ivrs.query("6200") == found


def test_ivr_update_round_trip(sdk: Client, wire: Wire) -> None:
    sdk.ivrs.update(
        "6200",
        new_number="6201",
        name="Menu",
        prompt_repeat=5,
        response_timeout=10,
        digit_timeout=1,
        dial_extensions=False,
        dial_to_check_voicemail=True,
    )
    (menu,) = sdk.ivrs.query(["6201"])
    assert_read_whole([menu], wire.items("ivr/query", "ivr"))
    assert (menu.number, menu.name, menu.prompt) == ("6201", "Menu", "welcome")
    assert (menu.prompt_repeat, menu.response_timeout, menu.digit_timeout) == (5, 10, 1)
    assert (menu.dial_extensions, menu.dial_to_check_voicemail) == (False, True)
    with pytest.raises(NotFoundError):
        sdk.ivrs.query("6200")
    assert sdk.inbound_routes.query("Main-IVR")[0].destination == "6201"


def test_unknown_ivrs_are_not_found(sdk: Client) -> None:
    with pytest.raises(NotFoundError) as caught:
        sdk.ivrs.query(["6200", "6299"])
    assert (caught.value.errno, caught.value.endpoint) == ("10012", "ivr/query")
    with pytest.raises(NotFoundError) as caught:
        sdk.ivrs.update("6299", name="Menu")
    assert (caught.value.errno, caught.value.endpoint) == ("10012", "ivr/update")


@pytest.mark.parametrize(
    "changes",
    [
        {"digit_timeout": 11},
        {"response_timeout": 0},
        {"prompt_repeat": 6},
        {"name": "two words"},
        {"new_number": "1001"},  # an extension's number
    ],
)
def test_refused_ivr_changes_raise_invalid_value(sdk: Client, changes: dict[str, object]) -> None:
    before = sdk.ivrs.query()
    with pytest.raises(InvalidValueError) as caught:
        sdk.ivrs.update("6200", **changes)  # type: ignore[arg-type]
    assert (caught.value.errno, caught.value.endpoint) == ("10018", "ivr/update")
    assert sdk.ivrs.query() == before


def test_paging_group_list_and_query(sdk: Client, wire: Wire) -> None:
    listed = sdk.paging_groups.list()
    assert_read_whole(listed, wire.items("paginggrouplist/query", "paginggrouplist"))
    assert [(g.id, g.number, g.name) for g in listed] == [("1", "6400", "Floor-1")]
    found = sdk.paging_groups.query()
    assert_read_whole(found, wire.items("paginggroup/query", "paginggroup"))
    (floor,) = found
    assert isinstance(floor, PagingGroup)
    assert (floor.id, floor.number, floor.name, floor.mode) == ("1", "6400", "Floor-1", "paging")
    assert (floor.members, floor.member_groups) == (["1000", "1001", "1002"], [])
    assert (floor.private_answer, floor.multicast_ip) == (False, "")


def test_paging_groups_add_update_delete(sdk: Client, wire: Wire) -> None:
    sdk.paging_groups.add(
        "6401", "Workshop", "intercom", members=["1003"], member_groups="Sales", private_answer=True
    )
    sdk.paging_groups.add("6402", "Yard", "multicast", multicast_ip="239.0.1.2:5000")
    found = sdk.paging_groups.query(["6402", "6401"])
    assert_read_whole(found, wire.items("paginggroup/query", "paginggroup"))
    yard, shop = found
    assert (shop.id, shop.mode, shop.members, shop.member_groups) == (
        "2",
        "intercom",
        ["1003"],
        ["Sales"],
    )
    assert shop.private_answer is True
    assert (yard.id, yard.mode, yard.multicast_ip, yard.members) == (
        "3",
        "multicast",
        "239.0.1.2:5000",
        [],
    )
    assert [g.number for g in sdk.paging_groups.list()] == ["6400", "6401", "6402"]

    sdk.paging_groups.update(
        "2",
        number="6411",
        name="Shop",
        mode="paging",
        members="1003,1004",
        member_groups=[],
        private_answer=False,
    )
    sdk.paging_groups.update("3", multicast_ip="239.0.1.3")
    shop, yard = sdk.paging_groups.query("6411,6402")
    assert (shop.id, shop.name, shop.mode, shop.members, shop.member_groups) == (
        "2",
        "Shop",
        "paging",
        ["1003", "1004"],
        [],
    )
    assert (shop.private_answer, yard.multicast_ip) == (False, "239.0.1.3")

    sdk.paging_groups.delete(["6411", "6402"])
    assert [g.number for g in sdk.paging_groups.list()] == ["6400"]
    sdk.paging_groups.delete("all")
    assert sdk.paging_groups.list() == []


def test_unknown_paging_groups_are_not_found(sdk: Client) -> None:
    for call in (
        lambda: sdk.paging_groups.query("6499"),
        lambda: sdk.paging_groups.update("99", name="Gone"),
        lambda: sdk.paging_groups.delete(["6400", "6499"]),
    ):
        with pytest.raises(NotFoundError) as caught:
            call()
        assert caught.value.errno == "10011"
    assert len(sdk.paging_groups.list()) == 1


def test_refused_paging_groups(sdk: Client) -> None:
    with pytest.raises(NotFoundError) as missing:  # the server's errno for a missing member
        sdk.paging_groups.add("6401", "Shop", "paging", members=["1001", "9999"])
    assert missing.value.errno == "10006"
    refusals: list[Callable[[], object]] = [
        lambda: sdk.paging_groups.add("1001", "Shop", "paging", members="1001"),  # number taken
        lambda: sdk.paging_groups.add("6401", "two words", "paging", members="1001"),
        lambda: sdk.paging_groups.add("6401", "Shop", "paging"),  # no members
        lambda: sdk.paging_groups.add("6401", "Shop", "paging", member_groups="nope"),
        lambda: sdk.paging_groups.add("6401", "Shop", "multicast"),  # no address
        lambda: sdk.paging_groups.add("6401", "Shop", "multicast", multicast_ip="10.0.0.1"),
        lambda: sdk.paging_groups.update("1", members=[]),
    ]
    for refused in refusals:
        with pytest.raises(InvalidValueError) as caught:
            refused()
        assert caught.value.errno == "10004"
    with pytest.raises(pydantic.ValidationError):  # checked before sending
        sdk.paging_groups.add("6401", "Shop", "broadcast", members="1001")  # type: ignore[arg-type]
    assert [(g.number, g.members) for g in sdk.paging_groups.query()] == [
        ("6400", ["1000", "1001", "1002"])
    ]
