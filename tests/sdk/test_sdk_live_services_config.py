"""Service refusals that only a config file brings about, on a server of its own (both twins):
a route that goes out on an analog (FXO) trunk, which cannot carry a prompt, nor an SMS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.hosted import HostedServer, hosted
from tests.support.sdk_live import Wire, raised, twin
from yspbx.client import NotFoundError, NotPermittedError, Simulator
from yspbx.testing import ServerProcess

CONFIG = """
[[trunks]]
name = "SIP-Carrier"
type = "SIP"
id = 1
status = "Registered"
host = "sip.example.net"
username = "5503301"
authname = "5503301"
password = "carrier-secret"

[[trunks]]
name = "PSTN1"
type = "FXO"
id = 2
status = "Idle"
hwport = "Span1-Port2"

[[inroutes]]
id = 1
name = "Default"
trunks = ["SIP-Carrier", "PSTN1"]
desttype = "extension"
dest = "1000"

[[outroutes]]
id = 1
name = "External"
prefix = "0"
trunks = ["SIP-Carrier"]
extensions = ["1001"]

[[outroutes]]
id = 2
name = "Analog"
prefix = "8"
strip = 1
trunks = ["PSTN1"]
extensions = ["1001"]
"""

pytestmark = pytest.mark.parametrize("kind", ["sync", "async"])


@pytest.fixture(scope="module")
def analog(server: ServerProcess) -> Iterator[HostedServer]:
    """The default config with an analog trunk and a route on it (the tests leave no state)."""
    with hosted(server, CONFIG) as pbx:
        yield pbx


def test_a_prompt_cannot_go_out_on_an_analog_trunk(analog: HostedServer, kind: str) -> None:
    """An analog line reports the call established before anyone answers: not worth retrying
    (``NotPermittedError``, not ``BusyError``) until the route changes."""
    with twin(kind, analog.url, Wire()) as sdk, Simulator(analog.url) as simulator:
        raised(
            lambda: sdk.prompts.play_to_number("80611223344", "welcome"),
            NotPermittedError,
            "10015",
            "outbound/playprompt",
        )
        raised(
            lambda: sdk.prompts.play_to_number("80611223344", "welcome", from_extension="1001"),
            NotPermittedError,
            "10015",
        )
        raised(lambda: sdk.sms.send("PSTN1", "0611223344", "hi"), NotFoundError, "10026")
        callid = sdk.prompts.play_to_number("0611223344", "welcome", from_extension="1001")
        assert simulator.call(callid).leg("0611223344").trunk == "SIP-Carrier"
        simulator.hang_up(callid, party="0611223344")
        assert simulator.calls() == []
