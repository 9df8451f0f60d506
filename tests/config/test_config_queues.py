"""queue/*, queuestatus/query and the dynamic agents (docs/pbx-api/ivrs-queues-paging.md)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.helpers import Api, Sim, failed

# The vendor's queue/query example, key for key.
QUERY_EXAMPLE_KEYS = [
    "queuenumber", "password", "queuename", "ringstrategy", "failoveraction", "agents",
    "dynamicagents", "agenttimeout", "agentannounce", "wrapuptime", "ringinuse", "retry",
    "musiconhold", "maxwaittime", "joinempty", "leavewhenempty", "joinannounce", "announcepos",
    "announcefreq", "announceholdtime", "userannounce", "userannouncefreq", "breakoutkey",
    "satisfactionsurvey", "idannouncement",
]  # fmt: skip


def queue(api: Api, token: str, number: str = "6700") -> dict[str, str]:
    answer = api.call("queue/query", {"queueid": number}, token)
    assert answer["status"] == "Success", answer
    result: dict[str, str] = answer["queues"][0]
    return result


def members(api: Api, token: str, number: str = "6700") -> dict[str, str]:
    answer = api.call("queuestatus/query", {"queueid": number}, token)
    assert answer["status"] == "Success", answer
    [status] = answer["queues"][0]["queuestatus"]
    return {m["agent"]: m["agentstatus"] for m in status["members"]}


def agent_call(api: Api, token: str, endpoint: str, extid: str, **extra: str) -> dict[str, Any]:
    return api.call(f"queue/{endpoint}", {"queueid": "6700", "extid": extid, **extra}, token)


def test_queue_query_matches_the_documented_example(api: Api, token: str) -> None:
    answer = api.call("queue/query", None, token)
    assert answer["status"] == "Success"
    [support] = answer["queues"]
    assert list(support) == QUERY_EXAMPLE_KEYS
    assert support == {
        "queuenumber": "6700", "password": "1234", "queuename": "Support",
        "ringstrategy": "Ring All", "failoveraction": "Hang up", "agents": "1001,1002,",
        "dynamicagents": "", "agenttimeout": "30", "agentannounce": "[None]",
        "wrapuptime": "30", "ringinuse": "on", "retry": "30", "musiconhold": "[None]",
        "maxwaittime": "1800", "joinempty": "off", "leavewhenempty": "on",
        "joinannounce": "[None]", "announcepos": "on", "announcefreq": "30",
        "announceholdtime": "on", "userannounce": "[None]", "userannouncefreq": "30",
        "breakoutkey": "None", "satisfactionsurvey": "None", "idannouncement": "None",
    }  # fmt: skip


@pytest.mark.parametrize("queueid", ["6701", "6700,6701", "6200"])
def test_queue_query_unknown_is_10013(api: Api, token: str, queueid: str) -> None:
    assert api.call("queue/query", {"queueid": queueid}, token) == failed("10013")


def test_queue_update_round_trip(api: Api, token: str) -> None:
    body = {
        "queuename": "Helpdesk", "password": "9876", "ringstrategy": "RRmemory",
        "failoveraction": "Extension", "failoverdest": "1000", "agents": "1001,1002,1003",
        "agenttimeout": "20", "wrapuptime": "10", "ringinuse": "off", "retry": "50",
        "maxwaittime": "600", "joinempty": "on", "leavewhenempty": "off", "announcepos": "off",
        "announcefreq": "60", "announceholdtime": "off", "userannouncefreq": "120",
        "breakoutkey": "1", "breakoutaction": "IVR", "breakoutdest": "6200",
        "idannouncement": "welcome", "satisfactionsurvey": "goodbye",
    }  # fmt: skip
    assert api.call("queue/update", {"queueid": "6700", **body}, token) == {"status": "Success"}
    shown = queue(api, token)
    expected = {**body, "ringstrategy": "Rrmemory", "agents": "1001,1002,1003,"}
    assert {k: shown[k] for k in body} == expected
    # Hangup is the update table's spelling of the query's "Hang up".
    assert (
        api.call("queue/update", {"queueid": "6700", "failoveraction": "Hangup"}, token)["status"]
        == "Success"
    )
    assert queue(api, token)["failoveraction"] == "Hang up"
    assert "failoverdest" not in queue(api, token)


@pytest.mark.parametrize(
    "changes",
    [
        {"agenttimeout": "25"},
        {"wrapuptime": "5"},
        {"retry": "60"},
        {"maxwaittime": "100"},
        {"announcefreq": "7"},
        {"userannouncefreq": "-1"},
        {"breakoutkey": "A"},
        {"ringstrategy": "Sometimes"},
        {"failoveraction": "Teleport"},
        {"failoveraction": "Extension", "failoverdest": "9999"},
        {"failoveraction": "Queue", "failoverdest": "6700"},
        {"breakoutkey": "2", "breakoutaction": "IVR", "breakoutdest": "1000"},
        {"agents": "1001,9999"},
        {"agents": "1001,1001"},
        {"satisfactionsurvey": "no-such-prompt"},
        {"idannouncement": "no-such-prompt"},
        {"queuename": "has space"},
        {"queuename": ""},
        {"password": "12ab"},
        {"queuenumber": "1000"},
        {"queuenumber": "67x0"},
        {"ringinuse": "true"},
    ],
)
def test_queue_update_refuses_invalid_values_with_10019(
    api: Api, token: str, changes: dict[str, str]
) -> None:
    before = queue(api, token)
    assert api.call("queue/update", {"queueid": "6700", **changes}, token) == failed("10019")
    assert queue(api, token) == before


def test_queue_update_unknown_or_missing(api: Api, token: str) -> None:
    assert api.call("queue/update", {"queueid": "6799", "retry": "10"}, token) == failed("10013")
    assert api.call("queue/update", {"retry": "10"}, token) == failed("10004")


def test_queue_status_matches_the_documented_example(api: Api, token: str) -> None:
    assert api.call("queuestatus/query", {"queueid": "6700"}, token) == {
        "status": "Success",
        "queues": [
            {
                "queuenumber": "6700",
                "queuestatus": [
                    {
                        "callercount": "0",
                        "members": [
                            {"agent": "1001", "agentstatus": "1"},
                            {"agent": "1002", "agentstatus": "1"},
                        ],
                    }
                ],
            }
        ],
    }


def test_queue_status_unknown_or_missing(api: Api, token: str) -> None:
    assert api.call("queuestatus/query", {"queueid": "6701"}, token) == failed("10013")
    assert api.call("queuestatus/query", {}, token) == failed("10004")


def test_dynamic_agent_logs_in_and_out(api: Api, token: str) -> None:
    assert agent_call(api, token, "add_dynamicagent", "1003", password="1234") == {
        "status": "Success"
    }
    assert queue(api, token)["dynamicagents"] == "1003"
    assert members(api, token) == {"1001": "1", "1002": "1", "1003": "1"}
    assert agent_call(api, token, "add_dynamicagent", "1004", password="1234")["status"] == (
        "Success"
    )
    assert queue(api, token)["dynamicagents"] == "1003,1004"
    assert agent_call(api, token, "del_dynamicagent", "1003", password="1234") == {
        "status": "Success"
    }
    assert queue(api, token)["dynamicagents"] == "1004"
    assert "1003" not in members(api, token)


def test_dynamic_agent_errors(api: Api, token: str) -> None:
    assert agent_call(api, token, "add_dynamicagent", "1003", password="0000") == failed("10032")
    # The password is optional in the request: left out, it is wrong (10032), not missing.
    assert agent_call(api, token, "add_dynamicagent", "1003") == failed("10032")
    assert agent_call(api, token, "del_dynamicagent", "1003") == failed("10004")
    assert agent_call(api, token, "add_dynamicagent", "9999", password="1234") == failed("10006")
    body = {"queueid": "6799", "extid": "1003", "password": "1234"}
    assert api.call("queue/add_dynamicagent", body, token) == failed("10013")
    assert api.call("queue/add_dynamicagent", {"queueid": "6700"}, token) == failed("10004")
    assert agent_call(api, token, "del_dynamicagent", "1003", password="0000") == failed("10032")
    assert queue(api, token)["dynamicagents"] == ""


def test_a_queue_without_password_takes_any_agent(api: Api, token: str) -> None:
    assert api.call("queue/update", {"queueid": "6700", "password": ""}, token)["status"] == (
        "Success"
    )
    assert agent_call(api, token, "add_dynamicagent", "1005")["status"] == "Success"
    assert agent_call(api, token, "del_dynamicagent", "1005")["status"] == "Success"


def test_pause_and_unpause_show_in_queue_status(api: Api, sim: Sim, token: str) -> None:
    assert agent_call(api, token, "pause_agent", "1001") == {"status": "Success"}
    assert members(api, token) == {"1001": "9", "1002": "1"}
    assert agent_call(api, token, "unpause_agent", "1001") == {"status": "Success"}
    assert members(api, token) == {"1001": "1", "1002": "1"}
    sim.post("/extensions/1002/unregister")
    assert members(api, token)["1002"] == "5"


def test_pause_refusals(api: Api, token: str) -> None:
    assert agent_call(api, token, "pause_agent", "1004") == failed("10006")  # not an agent
    assert agent_call(api, token, "pause_agent", "9999") == failed("10006")
    assert api.call("queue/pause_agent", {"queueid": "6799", "extid": "1001"}, token) == failed(
        "10013"
    )
    assert api.call("queue/unpause_agent", {"queueid": "6700"}, token) == failed("10004")


def test_removed_static_agent_loses_its_pause(api: Api, token: str) -> None:
    assert agent_call(api, token, "pause_agent", "1002")["status"] == "Success"
    assert api.call("queue/update", {"queueid": "6700", "agents": "1001"}, token)["status"] == (
        "Success"
    )
    assert (
        api.call("queue/update", {"queueid": "6700", "agents": "1001,1002"}, token)["status"]
        == "Success"
    )
    assert members(api, token) == {"1001": "1", "1002": "1"}


def test_renumbered_queue_keeps_its_agents_and_routes(api: Api, token: str) -> None:
    assert agent_call(api, token, "add_dynamicagent", "1003", password="1234")["status"] == (
        "Success"
    )
    assert agent_call(api, token, "pause_agent", "1003")["status"] == "Success"
    assert (
        api.call("queue/update", {"queueid": "6700", "queuenumber": "6701"}, token)["status"]
        == "Success"
    )
    assert api.call("queue/query", {"queueid": "6700"}, token) == failed("10013")
    assert queue(api, token, "6701")["dynamicagents"] == "1003"
    assert members(api, token, "6701") == {"1001": "1", "1002": "1", "1003": "9"}
    route = api.call("inroute/query", {"name": "Support-Line"}, token)["inroutes"][0]
    assert route["dest"] == "6701"
