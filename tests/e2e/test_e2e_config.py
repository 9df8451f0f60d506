"""End to end: ``ConfigChange`` for extension and SIP trunk changes made through the API, and
``ExtensionStatus`` for phones registering and unregistering (docs/pbx-api/reports.md).

Neither report repeats a key, so both formats carry the same members; only ``sn`` tells them
apart.
"""

from __future__ import annotations

from tests.support.e2e import SN, Line

PEER = {"trunkname": "peer-office", "trunktype": "peer", "host": "203.0.113.9", "port": "5060",
        "domain": "203.0.113.9"}  # fmt: skip


def both(body: str) -> tuple[bytes, bytes]:
    """A report without repeated keys in 1.0.2 and in the legacy format: the same bytes,
    ``sn`` last in both."""
    with_sn = (body[:-1] + f',"sn":"{SN}"}}').encode()
    return with_sn, with_sn


def test_extension_update_is_reported(line: Line) -> None:
    line("extension/update", extid="1001", username="Ana L", dnd="on")
    assert line.steps() == [("ConfigChange", "extension", "1001", "update")]
    modern, legacy = line.bodies()
    # The vendor's first ConfigChange example, with this extension.
    assert (modern[0], legacy[0]) == both(
        '{"action":"ConfigChange","type":"extension","extid":"1001","operation":"update"}'
    )
    # A refused update changes nothing and reports nothing.
    answer = line.api.call(
        "extension/update", {"extid": "1001", "maxregistrations": "9"}, line.token
    )
    assert answer["status"] == "Failed"
    line("extension/update", extid="1002", email="ben@example.org")
    assert line.steps() == [("ConfigChange", "extension", "1002", "update")]


def test_sip_trunk_add_update_delete_are_reported(line: Line) -> None:
    line("siptrunk/add", **PEER)
    (peer,) = line("siptrunk/query", trunkname="peer-office")["trunks"]
    line("siptrunk/update", id=peer["id"], trunktype="peer", port="5070")
    line("siptrunk/update", id=peer["id"], trunktype="peer", trunkname="peer-branch")
    line("siptrunk/delete", trunkname="peer-branch,SIP-Directed")
    assert line.steps() == [
        ("ConfigChange", "trunk", "peer-office", "add"),
        ("ConfigChange", "trunk", "peer-office", "update"),
        # A renamed trunk is reported under its new name.
        ("ConfigChange", "trunk", "peer-branch", "update"),
        ("ConfigChange", "trunk", "peer-branch", "del"),
        ("ConfigChange", "trunk", "SIP-Directed", "del"),
    ]
    modern, legacy = line.bodies()
    assert (modern[0], legacy[0]) == both(
        '{"action":"ConfigChange","type":"trunk","trunkname":"peer-office","operation":"add"}'
    )
    assert (modern[1], legacy[1]) == both(
        '{"action":"ConfigChange","type":"trunk","trunkname":"peer-office","operation":"update"}'
    )
    # The vendor's second ConfigChange example shape.
    assert (modern[4], legacy[4]) == both(
        '{"action":"ConfigChange","type":"trunk","trunkname":"SIP-Directed","operation":"del"}'
    )
    # Deleting what does not exist deletes nothing and reports nothing.
    assert line.api.call("siptrunk/delete", {"trunkname": "Nowhere"}, line.token)["errno"] == (
        "10062"
    )
    assert line.take() == []


def test_other_configuration_changes_are_not_reported(line: Line) -> None:
    """docs/pbx-api/reports.md: ``ConfigChange`` is for extensions and trunks only."""
    line("inroute/add", name="Sales-DID", did="5503304", trunks="SIP-Carrier",
         desttype="extension", dest="1002")  # fmt: skip
    line("inroute/delete", name="Sales-DID")
    line("ivr/update", ivrid="6200", name="Welcome-2")
    line("extension/update", extid="1003", username="Chen W")
    assert line.steps() == [("ConfigChange", "extension", "1003", "update")]


def test_phones_registering_and_unregistering(line: Line) -> None:
    line.sim.post("/extensions/1001/unregister")
    line.sim.post("/extensions/1010/unregister")  # not monitored: not reported
    line.sim.post("/extensions/1007/register")  # unregistered in the default config
    line.sim.post("/extensions/1001/register")
    line.sim.post("/extensions/1010/register")
    assert line.steps() == [
        ("ExtensionStatus", "1001", "Unregistered"),
        ("ExtensionStatus", "1007", "Registered"),
        ("ExtensionStatus", "1001", "Registered"),
    ]
    modern, legacy = line.bodies()
    # The vendor's ExtensionStatus example shape.
    assert (modern[0], legacy[0]) == both(
        '{"action":"ExtensionStatus","extension":"1001","status":"Unregistered"}'
    )
    assert (modern[1], legacy[1]) == both(
        '{"action":"ExtensionStatus","extension":"1007","status":"Registered"}'
    )
