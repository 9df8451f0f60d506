"""Issue 17.9 and 17.10: lone surrogates and oversized numbers, sent without a token or with
one, get a documented errno (or a 4xx on the control plane), never a 500, and the server logs
no traceback for them (its output is captured and read)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.support.helpers import API, PASSWORD_MD5, Api, failed
from yspbx.testing import ServerProcess

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def own() -> Iterator[ServerProcess]:
    """A server of this module's own, so its captured output holds only these requests."""
    with ServerProcess() as process:
        yield process


def raw(
    server: ServerProcess, endpoint: str, body: str, token: str | None = None
) -> httpx.Response:
    """POST ``body`` exactly as written (JSON escapes such as ``\\ud800`` stay escapes)."""
    params = {"token": token} if token else None
    return httpx.post(
        server.url + API + endpoint,
        content=body.encode(),
        params=params,
        headers={"Content-Type": "application/json"},
    )


def assert_no_traceback(server: ServerProcess) -> None:
    output = "\n".join(server.output)
    assert "Traceback" not in output, output
    assert " ERROR " not in output, output


def test_a_lone_surrogate_in_a_login_is_a_wrong_user(own: ServerProcess) -> None:
    body = '{"username":"\\ud800","password":"' + PASSWORD_MD5 + '","port":"8260"}'
    answer = raw(own, "login", body)
    assert answer.status_code == 200
    assert answer.json() == failed("20003")
    assert_no_traceback(own)


@pytest.mark.parametrize("digits", [5_000, 60_000])
def test_a_port_of_thousands_of_digits_is_20008(own: ServerProcess, digits: int) -> None:
    login = json.dumps({"username": "api", "password": PASSWORD_MD5, "port": "9" * digits})
    assert raw(own, "login", login).json() == failed("20008")
    token = Api(own.url).token()
    beat = json.dumps({"port": "7" * digits})
    assert raw(own, "heartbeat", beat, token).json() == failed("20008")
    # The same digits as a JSON number are not JSON Python will read: 20000, not a crash.
    number = '{"port":' + "7" * digits + "}"
    assert raw(own, "heartbeat", number, token).json() == failed("20000")
    assert_no_traceback(own)


def test_a_lone_surrogate_in_an_sms_is_replaced_and_the_log_still_reads(
    own: ServerProcess,
) -> None:
    assert httpx.post(own.url + "/sim/v1/reset").status_code == 200
    token = Api(own.url).token()
    body = '{"trunk":"GSM1","phonenumber":"+33611223344","message":"a\\ud800b\\udfffc"}'
    sent = raw(own, "sms/send", body, token).json()
    assert sent["status"] == "Success", sent
    listed = httpx.get(own.url + "/sim/v1/sms")
    assert listed.status_code == 200
    (sms,) = listed.json()
    assert sms["message"] == "a\ufffdb\ufffdc"
    # A valid pair (an emoji, escaped) is not a lone surrogate and is judged as the PBX judges it.
    pair = '{"trunk":"GSM1","phonenumber":"+33611223344","message":"\\ud83d\\ude00"}'
    assert raw(own, "sms/send", pair, token).status_code == 200
    assert httpx.get(own.url + "/sim/v1/sms").status_code == 200
    assert_no_traceback(own)


def test_a_lone_surrogate_in_a_control_plane_body_is_a_4xx(own: ServerProcess) -> None:
    answer = httpx.post(
        own.url + "/sim/v1/calls",
        content=b'{"from":"\\ud800","to":"1001"}',
        headers={"Content-Type": "application/json"},
    )
    assert 400 <= answer.status_code < 500
    assert httpx.get(own.url + "/sim/v1/calls").status_code == 200
    assert_no_traceback(own)
