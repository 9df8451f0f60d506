"""The answers the README's tour shows are the server's: same keys, same order, same bytes up to
where the README cuts them with ``...`` (ids and tokens aside, which are "yours")."""

from __future__ import annotations

import re

from tests.support.docs import ROOT
from tests.support.helpers import Api, Sim


def _samples() -> dict[str, str]:
    """The tour's sample answers, by what they answer (the first key after ``status``)."""
    found: dict[str, str] = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^# (\{\"status\".*)$", line)
        if match:
            text = match.group(1).removesuffix("...").removesuffix(",")
            key = re.findall(r'"(\w+)":', text)[1]
            found.setdefault(key, text)
    return found


def test_the_readme_shows_the_servers_answers(api: Api, sim: Sim) -> None:
    samples = _samples()
    assert set(samples) >= {"token", "extlist", "callid", "errno"}
    token = api.token()
    listed = api.post("extensionlist/query", token=token).text
    # The sample ends inside the list: the answer starts with it, less its closing brackets.
    assert listed.startswith(samples["extlist"]), (samples["extlist"], listed[:200])
    assert '"username":"Reception"' in samples["extlist"]
    assert api.post("extensionlist/query", token="nope").text == samples["errno"]
    dialled = api.post("extension/dial_extension", {"caller": "1000", "callee": "1001"}, token)
    assert re.sub(r"\d+\.\d+", "ID", dialled.text) == re.sub(r"\d+\.\d+", "ID", samples["callid"])
    login = api.login()
    assert list(login) == ["status", "token"]
    assert re.fullmatch(r"[0-9a-f]{32}", samples["token"].split('"')[-2])
