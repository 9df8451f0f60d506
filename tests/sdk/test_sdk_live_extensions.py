"""The SDK's ``system`` and ``extensions`` methods against the real server (both twins): the
models read the server's whole answers, updates show in later queries, refusals raise the
SDK's exceptions with the server's errnos. The server runs the packaged default config."""

from __future__ import annotations

import hashlib

import pytest

from tests.support.helpers import Sim
from tests.support.sdk_live import Wire, assert_read_whole
from yspbx.client import (
    ApiError,
    BusyError,
    Client,
    DeviceInfo,
    Extension,
    InvalidValueError,
    NotFoundError,
)


def test_device_info(sdk: Client, wire: Wire, sim: Sim) -> None:
    info = sdk.system.device_info()
    assert isinstance(info, DeviceInfo)
    assert_read_whole([info], [wire.last("deviceinfo/query")["deviceinfo"]])
    assert (info.device_name, info.serial_number) == ("Yeastar S100", "369300000001")
    assert (info.hardware_version, info.firmware_version) == ("V1.30 0000-0000", "30.11.0.7")
    assert info.system_time.endswith(" UTC")  # a unit set to UTC writes no offset
    assert info.uptime_seconds is not None
    assert (info.registered_extensions, info.total_extensions) == (11, 100)  # 1007 is offline
    sim.post("/extensions/1002/unregister")
    assert sdk.system.device_info().registered_extensions == 10


def test_apply_is_refused_as_busy_when_too_frequent(sdk: Client, sim: Sim) -> None:
    sdk.system.apply()
    with pytest.raises(BusyError) as caught:
        sdk.system.apply()
    assert (caught.value.errno, caught.value.endpoint) == ("10025", "apply")
    assert caught.value.meaning == "configuration applied too frequently"
    sim.advance(10)
    sdk.system.apply()


def test_extension_list(sdk: Client, wire: Wire) -> None:
    found = sdk.extensions.list()
    assert_read_whole(found, wire.items("extensionlist/query", "extlist"))
    assert [e.number for e in found] == [str(n) for n in range(1000, 1012)]
    by_number = {e.number: e for e in found}
    assert (by_number["1001"].name, by_number["1001"].agent_id) == ("Ana Lopez", "11")
    assert (by_number["1001"].status, by_number["1001"].type) == ("Registered", "SIP")
    assert by_number["1007"].status == "Unavailable"
    lobby = by_number["1008"]
    assert (lobby.type, lobby.port, lobby.status) == ("FXS", "Span1_Port1", "Idle")


def test_extension_query_reads_every_setting(sdk: Client, wire: Wire) -> None:
    found = sdk.extensions.query()
    assert_read_whole(found, wire.items("extension/query", "extinfos"))
    assert len(found) == 12
    ext = {e.number: e for e in found}
    ana = ext["1001"]
    assert isinstance(ana, Extension)
    assert (ana.name, ana.caller_id, ana.email) == ("Ana Lopez", "1001", "ana@example.com")
    assert ana.mobile == "0611223344"  # the wire's "moblie"
    assert ana.login_password_md5 == hashlib.md5(b"analopez1001").hexdigest()
    assert (ana.register_name, ana.register_password) == ("1001", "Xy7pQ2rT1001")
    assert (ana.voicemail, ana.voicemail_pin, ana.voicemail_to_email) == (True, "1001", False)
    assert (ana.allow_being_monitored, ana.monitor_mode) == (True, "Listen")
    assert (ana.ring_timeout, ana.max_duration, ana.max_registrations) == (30, "Follow System", 1)
    assert (ana.language, ana.agent_id, ana.dnd, ana.call_restriction) == (
        "System Default",
        "11",
        False,
        False,
    )
    emil = ext["1005"]  # always forwards to extension 1001
    assert (emil.always_forward, emil.always_forward_to) == (True, "Extension")
    assert emil.always_forward_extension == "1001"
    desk = ext["1011"]  # forwards unanswered calls to its mobile, with a prefix
    assert (desk.no_answer_forward, desk.no_answer_forward_to) == (True, "Mobile Number")
    assert (desk.no_answer_forward_prefix, desk.max_registrations) == ("0", 3)
    assert (ext["1004"].dnd, ext["1006"].call_restriction) == (True, True)
    assert (ext["1009"].ring_timeout, ext["1009"].max_duration) == (15, "3600")
    assert (ext["1008"].type, ext["1008"].port, ext["1008"].voicemail) == (
        "FXS",
        "Span1_Port1",
        False,
    )


def test_extension_query_answers_in_the_order_asked(sdk: Client) -> None:
    assert [e.number for e in sdk.extensions.query(["1011", "1001"])] == ["1011", "1001"]
    assert [e.number for e in sdk.extensions.query("1003,1002")] == ["1003", "1002"]
    assert len(sdk.extensions.query("all")) == 12


@pytest.mark.parametrize("numbers", ["9999", ["1001", "9999"]])
def test_unknown_extensions_are_not_found(sdk: Client, numbers: str | list[str]) -> None:
    with pytest.raises(NotFoundError) as caught:
        sdk.extensions.query(numbers)
    assert (caught.value.errno, caught.value.endpoint) == ("10006", "extension/query")
    with pytest.raises(NotFoundError) as caught:
        sdk.extensions.update("9999", dnd=True)
    assert caught.value.errno == "10006"


def test_extension_update_round_trip(sdk: Client, wire: Wire) -> None:
    sdk.extensions.update(
        "1002",
        name="Ben O.",
        caller_id="5550102",
        register_name="ben",
        register_password="N3wPass",
        max_registrations=3,
        login_password="benben-2024",
        email="ben.o@example.com",
        mobile="0655443322",
        voicemail=False,
        voicemail_pin="4321",
        voicemail_to_email=True,
        always_forward=True,
        always_forward_to="Custom Number",
        always_forward_prefix="9",
        always_forward_number="0612345678",
        no_answer_forward=True,
        no_answer_forward_to="Extension",
        no_answer_forward_extension="1000",
        busy_forward=False,
        mobility_extension=True,
        ring_simultaneously=True,
        mobile_prefix="0",
        allow_being_monitored=False,
        monitor_mode="Disabled",
        ring_timeout=120,
        max_duration=600,
        dnd=True,
        call_restriction=True,
        agent_id="77",
    )
    (ben,) = sdk.extensions.query("1002")
    assert_read_whole([ben], wire.items("extension/query", "extinfos"))
    assert (ben.name, ben.caller_id, ben.email) == ("Ben O.", "5550102", "ben.o@example.com")
    assert (ben.register_name, ben.register_password, ben.max_registrations) == (
        "ben",
        "N3wPass",
        3,
    )
    assert ben.login_password_md5 == hashlib.md5(b"benben-2024").hexdigest()
    assert (ben.mobile, ben.voicemail, ben.voicemail_pin, ben.voicemail_to_email) == (
        "0655443322",
        False,
        "4321",
        True,
    )
    assert (ben.always_forward, ben.always_forward_to) == (True, "Custom Number")
    assert (ben.always_forward_prefix, ben.always_forward_number) == ("9", "0612345678")
    assert (ben.no_answer_forward_to, ben.no_answer_forward_extension) == ("Extension", "1000")
    assert ben.busy_forward is False
    assert (ben.mobility_extension, ben.ring_simultaneously, ben.mobile_prefix) == (
        True,
        True,
        "0",
    )
    assert (ben.allow_being_monitored, ben.monitor_mode) == (False, "Disabled")
    assert (ben.ring_timeout, ben.max_duration, ben.dnd, ben.call_restriction) == (
        120,
        "600",
        True,
        True,
    )
    assert ben.agent_id == "77"
    assert sdk.extensions.list()[2].name == "Ben O."


def test_extension_renumbering_moves_its_references(sdk: Client) -> None:
    sdk.extensions.update("1002", new_number="1020")
    with pytest.raises(NotFoundError):
        sdk.extensions.query("1002")
    assert sdk.extensions.query("1020")[0].name == "Ben Okafor"
    assert sdk.queues.query("6700")[0].agents == ["1001", "1020"]


@pytest.mark.parametrize(
    "changes",
    [
        {"ring_timeout": 45},
        {"max_registrations": 9},
        {"email": "not-an-address"},
        {"monitor_mode": "Spy"},
        {"always_forward": True, "always_forward_to": "Custom Number"},  # no number
        {"new_number": "6700"},  # the queue's number
    ],
)
def test_refused_extension_changes_raise_invalid_value(
    sdk: Client, changes: dict[str, object]
) -> None:
    before = sdk.extensions.query("1001")
    with pytest.raises(InvalidValueError) as caught:
        sdk.extensions.update("1001", **changes)  # type: ignore[arg-type]
    assert (caught.value.errno, caught.value.endpoint) == ("10017", "extension/update")
    assert isinstance(caught.value, ApiError)
    assert sdk.extensions.query("1001") == before
