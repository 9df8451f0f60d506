"""The token's life: 30 sliding minutes, heartbeat, logout; time moved by the control plane."""

from __future__ import annotations

from tests.support.helpers import Api, Sim, failed


def deviceinfo(api: Api, token: str) -> dict[str, object]:
    return api.call("deviceinfo/query", None, token)


def test_token_survives_1799_seconds_idle(api: Api, sim: Sim) -> None:
    token = api.token()
    sim.advance(1799)
    assert deviceinfo(api, token)["status"] == "Success"


def test_token_expires_after_1801_seconds_idle(api: Api, sim: Sim) -> None:
    token = api.token()
    sim.advance(1801)
    assert deviceinfo(api, token) == failed("20006")


def test_every_request_slides_the_expiry(api: Api, sim: Sim) -> None:
    token = api.token()
    for _ in range(4):
        sim.advance(1000)
        assert deviceinfo(api, token)["status"] == "Success"
    sim.advance(1799)
    assert deviceinfo(api, token)["status"] == "Success"
    sim.advance(1801)
    assert deviceinfo(api, token) == failed("20006")


def test_a_failed_request_with_a_live_token_still_counts_as_interaction(api: Api, sim: Sim) -> None:
    token = api.token()
    sim.advance(1700)
    assert api.call("no/such/endpoint", None, token) == failed("10003")
    sim.advance(1700)
    assert deviceinfo(api, token)["status"] == "Success"


def test_heartbeat_gives_another_thirty_minutes(api: Api, sim: Sim) -> None:
    token = api.token()
    sim.advance(1500)
    assert api.call("heartbeat", {}, token)["status"] == "Success"
    sim.advance(1799)
    assert deviceinfo(api, token)["status"] == "Success"


def test_expired_token_cannot_heartbeat_or_logout(api: Api, sim: Sim) -> None:
    token = api.token()
    sim.advance(1801)
    assert api.call("heartbeat", {}, token) == failed("20006")
    assert api.call("logout", {}, token) == failed("20006")


def test_long_expired_tokens_are_forgotten(api: Api, sim: Sim) -> None:
    token = api.token()
    sim.advance(1801)
    assert deviceinfo(api, token) == failed("20006")
    sim.advance(2 * 86400)
    assert deviceinfo(api, token) == failed("20004")


def test_sessions_count_only_live_tokens(api: Api, sim: Sim) -> None:
    api.token()
    sim.advance(1000)
    api.token()
    assert sim.get("/state")["sessions"] == 2
    sim.advance(900)
    assert sim.get("/state")["sessions"] == 1
