"""login, heartbeat and logout, from the examples of docs/pbx-api/sessions.md."""

from __future__ import annotations

import re

import pytest

from tests.support.helpers import PASSWORD_MD5, Api, Sim, failed

TOKEN = re.compile(r"[0-9a-f]{32}")


def test_login_example_returns_a_32_hex_token(api: Api) -> None:
    # The documented login request, with this server's user and password hash.
    response = api.post(
        "login",
        {
            "username": "api",
            "password": PASSWORD_MD5,
            "port": "8260",
            "version": "1.0.2",
            "url": "events/pbx",
            "urltag": "0",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["status", "token"]
    assert body["status"] == "Success"
    assert TOKEN.fullmatch(body["token"])


def test_every_login_gets_its_own_token(api: Api) -> None:
    first, second = api.token(), api.token()
    assert first != second
    for token in (first, second):
        assert api.call("deviceinfo/query", token=token)["status"] == "Success"


def test_login_failure_example(api: Api) -> None:
    assert api.login(password="5f4dcc3b5aa765d61d8327deb882cf99") == failed("20003")


def test_wrong_username_is_20003(api: Api) -> None:
    assert api.call(
        "login", {"username": "crm", "password": PASSWORD_MD5, "port": "8260"}
    ) == failed("20003")


@pytest.mark.parametrize(
    "password",
    [PASSWORD_MD5.upper(), PASSWORD_MD5[:31], PASSWORD_MD5 + "0", "yspbx-demo", " " + PASSWORD_MD5],
    ids=["uppercase-hex", "31-chars", "33-chars", "plain-text", "leading-space"],
)
def test_password_must_be_the_lowercase_md5(api: Api, password: str) -> None:
    assert api.login(password=password) == failed("20003")


@pytest.mark.parametrize("port", ["0", "65536", "-1", "80a", "", "99999999999999999999"])
def test_bad_port_is_20008(api: Api, port: str) -> None:
    expected = "10004" if port == "" else "20008"
    assert api.login(port=port) == failed(expected)


@pytest.mark.parametrize("port", ["1", "8260", "65535"])
def test_port_range_edges_are_accepted(api: Api, port: str) -> None:
    assert api.login(port=port)["status"] == "Success"


def test_port_may_be_a_json_number(api: Api) -> None:
    body = {"username": "api", "password": PASSWORD_MD5, "port": 8260}
    assert api.call("login", body)["status"] == "Success"


@pytest.mark.parametrize("missing", ["username", "password", "port"])
def test_missing_login_field_is_10004(api: Api, missing: str) -> None:
    body = {"username": "api", "password": PASSWORD_MD5, "port": "8260"}
    del body[missing]
    assert api.call("login", body) == failed("10004")


@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_login_field_is_10004(api: Api, blank: str) -> None:
    body = {"username": blank, "password": PASSWORD_MD5, "port": "8260"}
    assert api.call("login", body) == failed("10004")


def test_field_of_the_wrong_type_does_not_crash(api: Api) -> None:
    body = {"username": {"name": "api"}, "password": PASSWORD_MD5, "port": ["8260"]}
    assert api.call("login", body) == failed("10004")


def test_the_vendor_typo_path_logs_in(api: Api) -> None:
    response = api.http.post(
        "/api/v1.10/login",
        json={"username": "api", "password": PASSWORD_MD5, "port": "8260"},
    )
    assert response.json()["status"] == "Success"


def test_heartbeat_example(api: Api) -> None:
    # The example's move, to an address on this machine: sent from the new address.
    token = api.token()
    body = {"ipaddr": "127.0.0.7", "port": "9000", "url": "hooks/yeastar", "urlflag": "0"}
    moved = Api(str(api.http.base_url), "127.0.0.7")
    assert moved.call("heartbeat", body, token) == {"status": "Success"}
    moved.close()


def test_heartbeat_to_an_address_not_the_clients_is_20015(api: Api) -> None:
    # The vendor's example moves reports to 10.0.0.7; from 127.0.0.1 that is another machine,
    # which reports.allowed_hosts must list (tests/api/test_hardening_report_targets.py).
    token = api.token()
    body = {"ipaddr": "10.0.0.7", "port": "9000", "url": "hooks/yeastar", "urlflag": "0"}
    assert api.call("heartbeat", body, token) == failed("20015")


def test_heartbeat_with_no_fields(api: Api) -> None:
    token = api.token()
    assert api.call("heartbeat", None, token) == {"status": "Success"}


def test_heartbeat_bad_port_is_20008_and_bad_ip_20011(api: Api) -> None:
    token = api.token()
    assert api.call("heartbeat", {"port": "70000"}, token) == failed("20008")
    assert api.call("heartbeat", {"ipaddr": "not-an-ip"}, token) == failed("20011")
    assert api.call("deviceinfo/query", None, token)["status"] == "Success"


def test_logout_example_then_token_is_unknown(api: Api) -> None:
    token = api.token()
    assert api.call("logout", None, token) == {"status": "Success"}
    assert api.call("deviceinfo/query", None, token) == failed("20004")
    assert api.call("logout", None, token) == failed("20004")


def test_logout_counts_no_longer_as_a_session(api: Api, sim: Sim) -> None:
    token = api.token()
    assert sim.get("/state")["sessions"] == 1
    api.call("logout", None, token)
    assert sim.get("/state")["sessions"] == 0


def test_tokens_start_with_their_issue_time_and_end_unpredictably(api: Api, sim: Sim) -> None:
    first = api.token()
    second = api.token()
    sim.advance(1)
    later = api.token()
    for token in (first, second, later):
        assert re.fullmatch(r"[0-9a-f]{32}", token)
    assert len({first[12:], second[12:], later[12:]}) == 3
    # The first 12 hex digits are the issue time in milliseconds: they never go backwards, and
    # the clock moved a second before the last login.
    assert int(first[:12], 16) <= int(second[:12], 16)
    assert int(later[:12], 16) - int(first[:12], 16) >= 1000
    assert sorted([later, first]) == [first, later]
