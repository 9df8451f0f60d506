"""The tour of ``docs/sdk.md`` runs top to bottom, as written, against a simulated PBX.

Its snippets are taken from the doc and run in order in one namespace, as a reader pasting them
into one script would; only the address of ``make run``'s server is replaced by the session
server's. A snippet that breaks (a busy extension, a name used before it is defined, an
``await`` outside a function) fails here instead of in a new user's first hour.
"""

from __future__ import annotations

import pytest

from tests.support.docs import DOCS, code_blocks
from yspbx.client import Simulator
from yspbx.testing import ServerProcess

MAKE_RUN_URL = "http://127.0.0.1:8088"


def test_the_tour_runs_top_to_bottom(
    server: ServerProcess, simulator: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    snippets = code_blocks(DOCS / "sdk.md", "python", "A tour")
    assert len(snippets) == 5
    assert all(MAKE_RUN_URL in snippets[i] for i in (0, 1, 4))
    namespace: dict[str, object] = {"__name__": "sdk_tour"}
    for index, snippet in enumerate(snippets):
        code = compile(snippet.replace(MAKE_RUN_URL, server.url), f"sdk.md tour #{index}", "exec")
        exec(code, namespace)
    printed = capsys.readouterr().out
    assert printed.startswith("Yeastar S100 30.11.0.7 ")
    assert "1001 Ana Lopez Registered" in printed
    assert " 1003 -> 0612345678 Progress" in printed  # the outbound call, listed while it rang
    assert "1009 [('1', '06:45', 'everyday')]" in printed
    # What the tour did, as the PBX saw it.
    assert str(namespace["smsid"]).startswith("0611223344-")
    live = simulator.calls()
    assert [call.service.type if call.service else None for call in live] == ["prompt"]
    journal = [entry.path.rsplit("/", 1)[-1] for entry in simulator.journal()]
    for endpoint in ("update", "calltransfer", "dial_outbound", "checkout", "logout"):
        assert endpoint in journal
    assert journal.count("login") == 2  # the sync client's and the async client's
