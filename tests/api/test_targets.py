"""How login/heartbeat fields become the report target URL (docs/pbx-api/sessions.md's examples)."""

from __future__ import annotations

import pytest

from yspbx.errors import PbxError
from yspbx.sessions.targets import build_target, parse_port

APP = "110.22.2.3"


def test_no_url_posts_to_the_root() -> None:
    assert build_target(APP, APP, 8260, None, False, ()).address == "http://110.22.2.3:8260/"


def test_relative_url_example() -> None:
    target = build_target(APP, APP, 8260, "report", False, ())
    assert target.address == "http://110.22.2.3:8260/report"


def test_absolute_url_example() -> None:
    target = build_target(APP, APP, 8260, "110.22.2.3:8260/report", True, ())
    assert target.address == "http://110.22.2.3:8260/report"


def test_absolute_url_without_port_uses_the_login_port() -> None:
    assert (
        build_target(APP, APP, 9000, "110.22.2.3/x", True, ()).address == "http://110.22.2.3:9000/x"
    )


def test_absolute_url_may_carry_the_http_scheme() -> None:
    target = build_target(APP, APP, 1, "http://110.22.2.3:8260/r?a=1", True, ())
    assert target.address == "http://110.22.2.3:8260/r?a=1"


@pytest.mark.parametrize(
    "url",
    [
        "10.0.0.9:8260/report",
        "evil.example:80/",
        "https://110.22.2.3:8260/r",
        "user@110.22.2.3:8260/r",
        "ftp://110.22.2.3/r",
        ":8260/r",
    ],
)
def test_absolute_url_to_another_host_is_refused(url: str) -> None:
    with pytest.raises(PbxError) as caught:
        build_target(APP, APP, 8260, url, True, ())
    assert caught.value.errno.value == "20015"


@pytest.mark.parametrize("allowed", ["crm.example", "CRM.example", "10.0.0.0/8", "10.0.0.9"])
def test_allowed_hosts_open_the_way(allowed: str) -> None:
    host = "crm.example" if "crm" in allowed.lower() else "10.0.0.9"
    target = build_target(APP, APP, 8260, f"{host}:8080/hook", True, (allowed,))
    assert target.address == f"http://{host}:8080/hook"


def test_relative_url_stays_on_the_app_host() -> None:
    target = build_target(APP, APP, 8260, "/@evil.example/x y", False, ())
    assert target.address == "http://110.22.2.3:8260/@evil.example/x%20y"


def test_ipv6_app_server() -> None:
    assert build_target("::1", "::1", 8260, "r", False, ()).address == "http://[::1]:8260/r"


@pytest.mark.parametrize("port", ["0", "65536", "x", "", "１２", "-5"])
def test_bad_ports(port: str) -> None:
    with pytest.raises(PbxError) as caught:
        parse_port(port)
    assert caught.value.errno.value == "20008"
