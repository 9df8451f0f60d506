"""SDK answers and refusals that only a config file brings about, on a server of their own: an
IVR whose callers may dial out through chosen routes, and device limits already reached."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.hosted import HostedServer, hosted
from tests.support.sdk_live import Wire, assert_read_whole, twin
from yspbx.client import ApiError
from yspbx.testing import ServerProcess

CONFIG = """
[device]
max_sip_trunks = 3
max_inroutes = 3
max_outroutes = 2

[[ivrs]]
number = "6200"
name = "Welcome"
dialoutboundroutes = true
selectedrouters = "External,Mobile-GSM"
"""

pytestmark = pytest.mark.parametrize("kind", ["sync", "async"])


@pytest.fixture(scope="module")
def full(server: ServerProcess) -> Iterator[HostedServer]:
    """The default config with the changes above (nothing the tests do changes its state)."""
    with hosted(server, CONFIG) as pbx:
        yield pbx


def test_ivr_selected_routes(full: HostedServer, kind: str) -> None:
    wire = Wire()
    with twin(kind, full.url, wire) as sdk:
        found = sdk.ivrs.query()
    sent = wire.items("ivr/query", "ivr")
    assert_read_whole(found, sent)
    assert sent[0]["selectedrouters"] == "External,Mobile-GSM"
    assert (found[0].dial_outbound_routes, found[0].selected_routes) == (
        True,
        ["External", "Mobile-GSM"],
    )


def test_limits_reached_are_plain_api_errors(full: HostedServer, kind: str) -> None:
    """A limit is no fault of the request's values: not an ``InvalidValueError``."""
    with twin(kind, full.url, Wire()) as sdk:
        with pytest.raises(ApiError) as trunks:
            sdk.trunks.add_sip("peer-4", "peer", host="203.0.113.4", port=5060, domain="a.example")
        with pytest.raises(ApiError) as inbound:
            sdk.inbound_routes.add(
                "Fourth", trunks="GSM1", destination_type="extension", destination="1001"
            )
        with pytest.raises(ApiError) as outbound:
            sdk.outbound_routes.add("Third", prefix="8", trunks="GSM1", extensions="1001")
        assert len(sdk.trunks.query_sip()) == 3
    assert [(type(e.value), e.value.errno) for e in (trunks, inbound, outbound)] == [
        (ApiError, "10060"),
        (ApiError, "10070"),
        (ApiError, "10081"),
    ]
