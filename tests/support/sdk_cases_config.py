"""Endpoint cases for the configuration: system, extensions, trunks, routes, IVRs, queues,
paging groups. Answers are the documented examples (or built from the field tables)."""

from __future__ import annotations

from typing import Any

from tests.support.sdk_cases import SN, Case, none
from yspbx.client import AgentStatus


def _device(info: Any) -> None:
    assert info.device_name == "Yeastar S300"
    assert info.serial_number == SN
    assert info.hardware_version == "V1.10 0000-0000"
    assert info.firmware_version == "30.11.0.7"
    assert info.system_time == "2024-03-01 09:15:02 UTC+1"
    assert info.uptime_seconds == 12 * 3600 + 4 * 60 + 51
    assert (info.registered_extensions, info.total_extensions) == (12, 300)


def _extension_list(found: Any) -> None:
    assert [(e.number, e.status, e.type, e.name, e.agent_id) for e in found] == [
        ("2001", "Registered", "SIP", "Ana", ""),
        ("2002", "Unavailable", "SIP", "Ben", "77"),
    ]


def _extension_settings(found: Any) -> None:
    (ext,) = found
    assert (ext.number, ext.name, ext.status, ext.caller_id) == ("2001", "Ana", "Idle", "2001")
    assert ext.register_password == "Xy7pQ2rT"
    assert ext.max_registrations == 1
    assert ext.login_password_md5 == "0cc175b9c0f1b6a831c399e269772661"
    assert ext.mobile == ""
    assert ext.voicemail is True
    assert ext.voicemail_to_email is False
    assert ext.voicemail_pin == "2001"
    assert ext.always_forward is False
    assert (ext.no_answer_forward, ext.no_answer_forward_to) == (True, "Voicemail")
    assert (ext.busy_forward, ext.busy_forward_to) == (True, "Voicemail")
    assert ext.monitor_mode == "Disabled"
    assert ext.ring_timeout == 30
    assert ext.max_duration == "Follow System"
    assert ext.dnd is False


def _trunks(found: Any) -> None:
    assert [(t.name, t.status, t.type, t.port) for t in found] == [
        ("SIP-Carrier", "Registered", "SIP", ""),
        ("GSM2-7", "Idle", "GSM", "Span2-Port7"),
    ]


def _sip_trunks(found: Any) -> None:
    (trunk,) = found
    assert (trunk.id, trunk.name, trunk.trunk_type) == ("3", "SIP-Carrier", "register")
    assert (trunk.host, trunk.port, trunk.domain) == ("sip.example.net", "5060", "sip.example.net")
    assert (trunk.username, trunk.auth_name, trunk.password) == ("4420001", "4420001", "s3cret")
    assert trunk.extension_dods == ["4420001-main-2001"]
    assert trunk.extension_group_dods == []


def _inroutes(found: Any) -> None:
    (route,) = found
    assert (route.id, route.name, route.did, route.caller_id) == ("4", "Main-DID", "", "")
    assert route.trunks == ["SIP-Carrier"]
    assert (route.destination_type, route.destination) == ("ivr", "6500")


def _outroutes(found: Any) -> None:
    (route,) = found
    assert (route.name, route.prefix, route.strip, route.prepend) == ("national", "0", 1, "")
    assert route.trunks == ["SIP-Carrier"]
    assert route.extensions == ["2001", "2002"]
    assert route.extension_groups == ["sales"]


def _ivrs(found: Any) -> None:
    (ivr,) = found
    assert (ivr.number, ivr.name, ivr.prompt) == ("6500", "Welcome", "[Default]")
    assert (ivr.prompt_repeat, ivr.response_timeout, ivr.digit_timeout) == (3, 3, 3)
    assert (ivr.dial_extensions, ivr.dial_outbound_routes) == (True, False)
    assert ivr.dial_to_check_voicemail is False


def _queues(found: Any) -> None:
    (queue,) = found
    assert (queue.number, queue.name, queue.password) == ("6701", "Support", "")
    assert queue.ring_strategy == "Ring All"
    assert queue.agents == ["2001", "2002"]  # the PBX's trailing comma is dropped
    assert queue.dynamic_agents == []
    assert (queue.agent_timeout, queue.wrap_up_time, queue.max_wait_time) == (30, 30, 1800)
    assert (queue.ring_in_use, queue.join_empty, queue.leave_when_empty) == (True, False, True)
    assert queue.agent_announcement == "[None]"
    assert (queue.satisfaction_survey, queue.id_announcement) == ("None", "None")


def _queue_status(status: Any) -> None:
    assert status.number == "6701"
    assert status.waiting_callers == 0
    assert [(m.agent, m.status) for m in status.members] == [
        ("2001", AgentStatus.IDLE),
        ("2002", AgentStatus.PAUSED),
    ]
    assert all(type(m.status) is AgentStatus for m in status.members)


def _paging_list(found: Any) -> None:
    assert [(g.id, g.number, g.name) for g in found] == [("1", "6300", "Floor-1")]


def _paging_groups(found: Any) -> None:
    (group,) = found
    assert (group.id, group.number, group.name, group.mode) == ("1", "6400", "Floor-1", "paging")
    assert group.members == ["1000", "1001"]
    assert group.member_groups == []
    assert group.private_answer is True


CONFIG_CASES: dict[str, Case] = {
    # 1. system
    "system.device_info": Case(
        lambda c: c.system.device_info(),
        "deviceinfo/query",
        answer={
            "deviceinfo": {
                "devicename": "Yeastar S300",
                "sn": SN,
                "hardwarever": "V1.10 0000-0000",
                "firmwarever": "30.11.0.7",
                "systemtime": "2024-03-01 09:15:02 UTC+1",
                "uptime": "12:04:51",
                "extensionstatus": "12/300",
            }
        },
        check=_device,
    ),
    "system.apply": Case(lambda c: c.system.apply(), "apply", check=none),
    # 2. extensions
    "extensions.list": Case(
        lambda c: c.extensions.list(),
        "extensionlist/query",
        answer={
            "extlist": [
                {
                    "extnumber": "2001",
                    "status": "Registered",
                    "type": "SIP",
                    "username": "Ana",
                    "agentid": "",
                },
                {
                    "extnumber": "2002",
                    "status": "Unavailable",
                    "type": "SIP",
                    "username": "Ben",
                    "agentid": "77",
                },
            ]
        },
        check=_extension_list,
    ),
    "extensions.query": Case(
        lambda c: c.extensions.query("2001"),
        "extension/query",
        {"extid": "2001"},
        {
            "extinfos": [
                {
                    "extnumber": "2001",
                    "username": "Ana",
                    "status": "Idle",
                    "type": "SIP",
                    "callerid": "2001",
                    "registername": "2001",
                    "registerpassword": "Xy7pQ2rT",
                    "maxregistrations": "1",
                    "loginpassword": "0cc175b9c0f1b6a831c399e269772661",
                    "email": "ana@example.com",
                    "moblie": "",
                    "language": "System Default",
                    "hasvoicemail": "on",
                    "enablevmtoemail": "off",
                    "vmsecret": "2001",
                    "alwaysforward": "off",
                    "noanswerforward": "on",
                    "ntransferto": "Voicemail",
                    "ntransferprefix": "",
                    "busyforward": "on",
                    "btransferto": "Voicemail",
                    "btransferprefix": "",
                    "ringsimultaneous": "off",
                    "mobileprefix": "",
                    "enablemobile": "off",
                    "allowbeingmonitored": "off",
                    "monitormode": "Disabled",
                    "ringtimeout": "30",
                    "maxduration": "Follow System",
                    "dnd": "off",
                    "callrestriction": "off",
                    "agentid": "",
                }
            ]
        },
        _extension_settings,
    ),
    "extensions.update": Case(
        lambda c: c.extensions.update("2001", name="Ana Lopez", dnd=True),
        "extension/update",
        {"extid": "2001", "username": "Ana Lopez", "dnd": "on"},
        check=none,
    ),
    # 3. trunks
    "trunks.list": Case(
        lambda c: c.trunks.list(),
        "trunklist/query",
        answer={
            "trunklist": [
                {"trunkname": "SIP-Carrier", "status": "Registered", "type": "SIP"},
                {"trunkname": "GSM2-7", "status": "Idle", "type": "GSM", "port": "Span2-Port7"},
            ]
        },
        check=_trunks,
    ),
    "trunks.query_sip": Case(
        lambda c: c.trunks.query_sip(),
        "siptrunk/query",
        {"trunkname": "all"},
        {
            "trunks": [
                {
                    "id": "3",
                    "trunkname": "SIP-Carrier",
                    "trunktype": "register",
                    "host": "sip.example.net",
                    "port": "5060",
                    "domain": "sip.example.net",
                    "username": "4420001",
                    "authname": "4420001",
                    "fromuser": "",
                    "password": "s3cret",
                    "extensionsdod": "4420001-main-2001",
                    "extensionsgroupdod": "",
                }
            ]
        },
        _sip_trunks,
    ),
    "trunks.add_sip": Case(
        lambda c: c.trunks.add_sip(
            "peer-office", "peer", host="203.0.113.9", port=5060, domain="203.0.113.9"
        ),
        "siptrunk/add",
        {
            "trunkname": "peer-office",
            "trunktype": "peer",
            "host": "203.0.113.9",
            "port": "5060",
            "domain": "203.0.113.9",
        },
        check=none,
    ),
    "trunks.update_sip": Case(
        lambda c: c.trunks.update_sip("3", "register", password="n3w", extension_dods=[]),
        "siptrunk/update",
        {"id": "3", "trunktype": "register", "password": "n3w", "extensionsdod": ""},
        check=none,
    ),
    "trunks.delete_sip": Case(
        lambda c: c.trunks.delete_sip(["peer-office", "peer-lab"]),
        "siptrunk/delete",
        {"trunkname": "peer-office,peer-lab"},
        check=none,
    ),
    # 4. inbound routes
    "inbound_routes.query": Case(
        lambda c: c.inbound_routes.query(),
        "inroute/query",
        {"name": "all"},
        {
            "inroutes": [
                {
                    "id": "4",
                    "name": "Main-DID",
                    "did": "",
                    "caller_id": "",
                    "trunks": "SIP-Carrier",
                    "desttype": "ivr",
                    "dest": "6500",
                }
            ]
        },
        _inroutes,
    ),
    "inbound_routes.add": Case(
        lambda c: c.inbound_routes.add(
            "Main-DID", trunks="SIP-Carrier", destination_type="ivr", destination="6500"
        ),
        "inroute/add",
        {"name": "Main-DID", "trunks": "SIP-Carrier", "desttype": "ivr", "dest": "6500"},
        check=none,
    ),
    "inbound_routes.update": Case(
        lambda c: c.inbound_routes.update(
            "Main-DID", route_id="4", destination_type="queue", destination="6701"
        ),
        "inroute/update",
        {"id": "4", "name": "Main-DID", "desttype": "queue", "dest": "6701"},
        check=none,
    ),
    "inbound_routes.delete": Case(
        lambda c: c.inbound_routes.delete("Main-DID"),
        "inroute/delete",
        {"name": "Main-DID"},
        check=none,
    ),
    # 5. outbound routes
    "outbound_routes.query": Case(
        lambda c: c.outbound_routes.query("national"),
        "outroute/query",
        {"name": "national"},
        {
            "outroutes": [
                {
                    "id": "2",
                    "name": "national",
                    "prefix": "0",
                    "strip": "1",
                    "prepend": "",
                    "trunks": "SIP-Carrier",
                    "extensions": "2001,2002",
                    "extensionsgroup": "sales",
                }
            ]
        },
        _outroutes,
    ),
    "outbound_routes.add": Case(
        lambda c: c.outbound_routes.add(
            "national",
            prefix="0",
            strip=1,
            prepend="",
            trunks="SIP-Carrier",
            extensions=["2001", "2002"],
            extension_groups="sales",
        ),
        "outroute/add",
        {
            "name": "national",
            "prefix": "0",
            "strip": "1",
            "prepend": "",
            "trunks": "SIP-Carrier",
            "extensions": "2001,2002",
            "extensionsgroup": "sales",
        },
        check=none,
    ),
    "outbound_routes.update": Case(
        lambda c: c.outbound_routes.update("national", route_id="2", extensions="2001"),
        "outroute/update",
        {"id": "2", "name": "national", "extensions": "2001"},
        check=none,
    ),
    "outbound_routes.delete": Case(
        lambda c: c.outbound_routes.delete("national"),
        "outroute/delete",
        {"name": "national"},
        check=none,
    ),
    # 6. IVRs
    "ivrs.query": Case(
        lambda c: c.ivrs.query(),
        "ivr/query",
        None,
        {
            "ivr": [
                {
                    "ivrnumber": "6500",
                    "ivrname": "Welcome",
                    "prompt": "[Default]",
                    "promptrepeat": "3",
                    "responsetimeout": "3",
                    "digittimeout": "3",
                    "dialext": "on",
                    "dialoutboundroutes": "off",
                    "dialtocheckvoicemail": "off",
                }
            ]
        },
        _ivrs,
    ),
    "ivrs.update": Case(
        lambda c: c.ivrs.update("6500", new_number="6501", digit_timeout=5),
        "ivr/update",
        {"ivrid": "6500", "ivrnumber": "6501", "digittimeout": "5"},
        check=none,
    ),
    # 7. queues
    "queues.query": Case(
        lambda c: c.queues.query(["6701"]),
        "queue/query",
        {"queueid": "6701"},
        {
            "queues": [
                {
                    "queuenumber": "6701",
                    "password": "",
                    "queuename": "Support",
                    "ringstrategy": "Ring All",
                    "failoveraction": "Hang up",
                    "agents": "2001,2002,",
                    "dynamicagents": "",
                    "agenttimeout": "30",
                    "agentannounce": "[None]",
                    "wrapuptime": "30",
                    "ringinuse": "on",
                    "retry": "30",
                    "musiconhold": "[None]",
                    "maxwaittime": "1800",
                    "joinempty": "off",
                    "leavewhenempty": "on",
                    "joinannounce": "[None]",
                    "announcepos": "on",
                    "announcefreq": "30",
                    "announceholdtime": "on",
                    "userannounce": "[None]",
                    "userannouncefreq": "30",
                    "breakoutkey": "None",
                    "satisfactionsurvey": "None",
                    "idannouncement": "None",
                }
            ]
        },
        _queues,
    ),
    "queues.update": Case(
        lambda c: c.queues.update(
            "6701", name="Support-2", ring_strategy="Least Recent", agents=["2001", "2002"]
        ),
        "queue/update",
        {
            "queueid": "6701",
            "queuename": "Support-2",
            "ringstrategy": "Least Recent",
            "agents": "2001,2002",
        },
        check=none,
    ),
    "queues.status": Case(
        lambda c: c.queues.status("6701"),
        "queuestatus/query",
        {"queueid": "6701"},
        {
            "queues": [
                {
                    "queuenumber": "6701",
                    "queuestatus": [
                        {
                            "callercount": "0",
                            "members": [
                                {"agent": "2001", "agentstatus": "1"},
                                {"agent": "2002", "agentstatus": "9"},
                            ],
                        }
                    ],
                }
            ]
        },
        _queue_status,
    ),
    "queues.add_dynamic_agent": Case(
        lambda c: c.queues.add_dynamic_agent("6701", "2001", "1234"),
        "queue/add_dynamicagent",
        {"queueid": "6701", "extid": "2001", "password": "1234"},
        check=none,
    ),
    "queues.remove_dynamic_agent": Case(
        lambda c: c.queues.remove_dynamic_agent("6701", "2001", "1234"),
        "queue/del_dynamicagent",
        {"queueid": "6701", "extid": "2001", "password": "1234"},
        check=none,
    ),
    "queues.pause_agent": Case(
        lambda c: c.queues.pause_agent("6701", "2001"),
        "queue/pause_agent",
        {"queueid": "6701", "extid": "2001"},
        check=none,
    ),
    "queues.unpause_agent": Case(
        lambda c: c.queues.unpause_agent("6701", "2001"),
        "queue/unpause_agent",
        {"queueid": "6701", "extid": "2001"},
        check=none,
    ),
    # 8. paging groups
    "paging_groups.list": Case(
        lambda c: c.paging_groups.list(),
        "paginggrouplist/query",
        answer={"paginggrouplist": [{"id": "1", "number": "6300", "name": "Floor-1"}]},
        check=_paging_list,
    ),
    "paging_groups.query": Case(
        lambda c: c.paging_groups.query(),
        "paginggroup/query",
        {"number": "all"},
        {
            "paginggroup": [
                {
                    "id": "1",
                    "number": "6400",
                    "name": "Floor-1",
                    "duplex": "paging",
                    "allowexten": "1000,1001",
                    "allowextengroup": "",
                    "enablekeyhanup": "yes",
                }
            ]
        },
        _paging_groups,
    ),
    "paging_groups.add": Case(
        lambda c: c.paging_groups.add("6301", "Workshop", "intercom", members="2001,2002"),
        "paginggroup/add",
        {
            "number": "6301",
            "name": "Workshop",
            "duplex": "intercom",
            "allowexten": "2001,2002",
            "allowextengroup": "",
            "enablekeyhanup": "no",
        },
        check=none,
    ),
    "paging_groups.update": Case(
        lambda c: c.paging_groups.update("1", name="Floor-1b", private_answer=True),
        "paginggroup/update",
        {"id": "1", "name": "Floor-1b", "enablekeyhanup": "yes"},
        check=none,
    ),
    "paging_groups.delete": Case(
        lambda c: c.paging_groups.delete(["6301"]),
        "paginggroup/delete",
        {"number": "6301"},
        check=none,
    ),
}
