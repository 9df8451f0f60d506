"""Issue 17.11: the journal masks secrets judged by their decoded names, in queries, request
bodies and answers, every password and secret field of docs/pbx-api included."""

from __future__ import annotations

import json

import httpx

from tests.support.helpers import API, PASSWORD_MD5, Api, Sim
from yspbx.testing import ServerProcess


def journal_text(sim: Sim) -> str:
    return json.dumps(sim.get("/journal"), ensure_ascii=False)


def test_a_percent_encoded_token_name_is_masked(server: ServerProcess, sim: Sim) -> None:
    token = Api(server.url).token()
    answer = httpx.post(server.url + API + "deviceinfo/query?%74oken=" + token)
    assert answer.json()["status"] == "Success"  # the server reads it as the token ...
    entry = sim.get("/journal")[-1]
    assert entry["query"] == "%74oken=" + "*" * 28 + token[-4:]  # ... and so does the journal
    assert token not in journal_text(sim)


def test_an_escaped_password_key_is_masked(server: ServerProcess, sim: Sim) -> None:
    body = '{"username":"api","pass\\u0077ord":"' + PASSWORD_MD5 + '","port":"8260"}'
    answer = httpx.post(server.url + API + "login", content=body.encode())
    assert answer.json()["status"] == "Success"
    login = sim.get("/journal")[-1]
    assert PASSWORD_MD5 not in journal_text(sim)
    assert '"pass\\u0077ord":"' + "*" * 28 + PASSWORD_MD5[-4:] + '"' in login["body"]
    assert answer.json()["token"] not in login["response"]


def test_every_secret_field_of_an_extension_is_masked(server: ServerProcess, sim: Sim) -> None:
    api = Api(server.url)
    token = api.token()
    secrets = {
        "registerpassword": "RegSecret9911",
        "loginpassword": "LoginSecret7722",
        "vmsecret": "55443322",
    }
    update = {"extid": "1001", **secrets}
    assert api.call("extension/update", update, token)["status"] == "Success"
    queried = api.call("extension/query", {"number": "all"}, token)["extinfos"]
    assert secrets["registerpassword"] in {e["registerpassword"] for e in queried}
    text = journal_text(sim)
    (written,) = [e for e in sim.get("/journal") if e["path"].endswith("extension/update")]
    for name, value in secrets.items():
        assert value not in text, name
        assert f'"{name}": "{"*" * (len(value) - 4)}{value[-4:]}"' in written["body"]
    queue = {"number": "6700", "password": "QueuePin8811"}
    api.call("queue/update", queue, token)
    assert "QueuePin8811" not in journal_text(sim)
    api.close()
