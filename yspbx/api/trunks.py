"""``trunklist/query`` and ``siptrunk/query|add|update|delete`` (docs/pbx-api/trunks-routes.md)."""

from __future__ import annotations

from yspbx.api.registry import ApiRequest, ApiRouter, Field, Reply
from yspbx.api.wire import (
    TEXT,
    WireField,
    array_of,
    choice,
    declare,
    object_schema,
    read_changes,
    read_id,
    selection,
)
from yspbx.errors import Errno
from yspbx.pbx.models import Trunk
from yspbx.pbx.vocabulary import TRUNK_TYPES, trunk_status_word

router = ApiRouter("trunks")

# Trunks on a physical port, whose trunklist entry names the port.
PHYSICAL_TYPES = frozenset({"FXO", "BRI", "E1", "T1", "J1", "GSM", "CDMA", "UMTS", "LTE"})

SIP_FIELDS: tuple[WireField, ...] = (
    WireField("trunkname", "name", TEXT, "1-31 characters, no spaces", Errno.TRUNK_NAME_INVALID),
    WireField("trunktype", "trunktype", choice(*TRUNK_TYPES), errno=Errno.TRUNK_TYPE_INVALID),
    WireField("host", "host", TEXT, "register, peer: ITSP host or IP", Errno.TRUNK_HOST_INVALID),
    WireField("port", "port", TEXT, "register, peer: SIP port", Errno.TRUNK_PORT_INVALID),
    WireField("domain", "domain", TEXT, "register, peer", Errno.TRUNK_DOMAIN_INVALID),
    WireField("username", "username", TEXT, "register, account", Errno.TRUNK_USERNAME_INVALID),
    WireField("authname", "authname", TEXT, "register, account", Errno.TRUNK_AUTHNAME_INVALID),
    WireField("fromuser", "fromuser", TEXT, "register", Errno.TRUNK_FROMUSER_INVALID),
    WireField("password", "password", TEXT, "register, account", Errno.TRUNK_PASSWORD_INVALID),
    WireField(
        "extensionsdod",
        "extensionsdod",
        TEXT,
        "{dod_number}-{dod_name}-{extension}, comma-separated",
        Errno.TRUNK_DOD_FORMAT,
    ),
    WireField(
        "extensionsgroupdod",
        "extensionsgroupdod",
        TEXT,
        "{dod_number}-{dod_name}-{group_name}, comma-separated",
        Errno.TRUNK_DOD_FORMAT,
    ),
)
_BY_WIRE = {f.wire: f for f in SIP_FIELDS}
# The connection fields siptrunk/query shows for each trunk type (docs/pbx-api/trunks-routes.md).
_SHOWN = {
    "register": ("host", "port", "domain", "username", "authname", "fromuser", "password"),
    "peer": ("host", "port", "domain"),
    "account": ("username", "authname", "password"),
}
_TRUNK_ERRORS = (
    Errno.TRUNK_NAME_INVALID,
    Errno.TRUNK_NAME_DUPLICATE,
    Errno.TRUNK_TYPE_INVALID,
    Errno.TRUNK_HOST_INVALID,
    Errno.TRUNK_PORT_INVALID,
    Errno.TRUNK_DOMAIN_INVALID,
    Errno.TRUNK_USERNAME_INVALID,
    Errno.TRUNK_USERNAME_DUPLICATE,
    Errno.TRUNK_AUTHNAME_INVALID,
    Errno.TRUNK_FROMUSER_INVALID,
    Errno.TRUNK_PASSWORD_INVALID,
    Errno.TRUNK_DOD_EXTENSION_MISSING,
    Errno.TRUNK_DOD_GROUP_MISSING,
    Errno.TRUNK_DOD_NUMBER_INVALID,
    Errno.TRUNK_DOD_NUMBER_LENGTH,
    Errno.TRUNK_DOD_NAME_INVALID,
    Errno.TRUNK_DOD_NAME_LENGTH,
    Errno.TRUNK_DOD_FORMAT,
)


def trunk_list_item(trunk: Trunk) -> dict[str, str]:
    status = trunk_status_word(trunk.type, trunk.status)
    item = {"trunkname": trunk.name, "status": status, "type": trunk.type}
    if trunk.type in PHYSICAL_TYPES:
        item["port"] = trunk.hwport
    return item


def sip_trunk_info(trunk: Trunk) -> dict[str, str]:
    info = {"id": str(trunk.id), "trunkname": trunk.name, "trunktype": trunk.trunktype}
    for key in _SHOWN[trunk.trunktype]:
        info[key] = _BY_WIRE[key].show(trunk)
    info["extensionsdod"] = trunk.extensionsdod
    info["extensionsgroupdod"] = trunk.extensionsgroupdod
    return info


@router.endpoint(
    "trunklist/query",
    summary="Every trunk (SIP, IAX, analog, digital, GSM) with its status.",
    response={"trunklist": array_of(object_schema(("trunkname", "status", "type"), ("port",)))},
)
async def trunklist_query(request: ApiRequest) -> Reply:
    trunks = await request.engine.config.list_trunks()
    return {"trunklist": [trunk_list_item(trunk) for trunk in trunks]}


@router.endpoint(
    "siptrunk/query",
    summary="The settings of the SIP trunks named in trunkname (comma-separated), or all.",
    fields=(Field("trunkname", required=True, description="names, comma-separated, or all"),),
    response={
        "trunks": array_of(
            object_schema(
                ("id", "trunkname", "trunktype", "extensionsdod", "extensionsgroupdod"),
                ("host", "port", "domain", "username", "authname", "fromuser", "password"),
            )
        )
    },
    errors=(Errno.TRUNK_NOT_FOUND,),
    example={"trunkname": "all"},
)
async def siptrunk_query(request: ApiRequest) -> Reply:
    names = selection(request.params, "trunkname")
    trunks = await request.engine.config.query_sip_trunks(names)
    return {"trunks": [sip_trunk_info(trunk) for trunk in trunks]}


@router.endpoint(
    "siptrunk/add",
    summary="Add a SIP trunk (register, peer or account); its id is assigned by the PBX.",
    fields=declare(SIP_FIELDS, required=("trunkname", "trunktype")),
    errors=(*_TRUNK_ERRORS, Errno.TRUNK_LIMIT),
    example={
        "trunkname": "peer-office",
        "trunktype": "peer",
        "host": "203.0.113.9",
        "port": "5060",
        "domain": "203.0.113.9",
    },
)
async def siptrunk_add(request: ApiRequest) -> Reply:
    fields = read_changes(request.params, SIP_FIELDS, Errno.TRUNK_NAME_INVALID)
    await request.engine.config.add_sip_trunk(fields)
    return {}


@router.endpoint(
    "siptrunk/update",
    summary="Change a SIP trunk, found by its id; only the fields sent change (and the type, "
    "which every edit names).",
    fields=(
        Field("id", required=True, description="the trunk's id, from siptrunk/query"),
        *declare(SIP_FIELDS, required=("trunktype",)),
    ),
    errors=(*_TRUNK_ERRORS, Errno.TRUNK_NOT_FOUND),
    example={"id": "1", "trunktype": "register", "password": "n3w-secret"},
)
async def siptrunk_update(request: ApiRequest) -> Reply:
    trunk_id = read_id(request.params, "id", Errno.TRUNK_NOT_FOUND)
    changes = read_changes(request.params, SIP_FIELDS, Errno.TRUNK_NAME_INVALID)
    await request.engine.config.update_sip_trunk(trunk_id, changes)
    return {}


@router.endpoint(
    "siptrunk/delete",
    summary="Delete the SIP trunks named in trunkname (comma-separated), or all of them.",
    fields=(Field("trunkname", required=True, description="names, comma-separated, or all"),),
    errors=(Errno.TRUNK_NOT_FOUND, Errno.TRUNK_DELETE_FAILED),
    example={"trunkname": "peer-office"},
)
async def siptrunk_delete(request: ApiRequest) -> Reply:
    names = selection(request.params, "trunkname")
    await request.engine.config.delete_sip_trunks(names)
    return {}
