"""The 2.0.0 endpoints that 1.1.0 already had under other names, and the areas 2.0.0 carries
over unchanged but for the ``extid``/``queueid``/``ivrid`` -> ``number`` renaming
(docs/api-2.md, "Carried over")."""

from __future__ import annotations

from yspbx.api import (
    downloads,
    extensions,
    hotel,
    inroutes,
    ivrs,
    outroutes,
    paging,
    queues,
    sms,
    system,
    trunks,
)
from yspbx.api.registry import V2, ApiRequest, ApiRouter, Endpoint, Field, Reply
from yspbx.api.trunks import sip_trunk_info, trunk_list_item
from yspbx.api.v2.adapt import carried
from yspbx.api.wire import array_of, object_schema, selection
from yspbx.errors import Errno, PbxError

router = ApiRouter("trunks", V2)


def _v1(path: str) -> Endpoint:
    for module in (
        system,
        extensions,
        trunks,
        queues,
        ivrs,
        inroutes,
        outroutes,
        paging,
        sms,
        hotel,
        downloads,
    ):
        for endpoint in module.router.endpoints:
            if endpoint.path == path:
                found: Endpoint = endpoint
                return found
    raise KeyError(path)


def _extension_list_item(item: dict[str, str]) -> dict[str, str]:
    shown = {("number" if k == "extnumber" else k): v for k, v in item.items()}
    # A registered SIP phone with no call is "Registered" in 2.0.0; "Idle" stays for FXS.
    if shown.get("status") == "Idle" and shown.get("type") != "FXS":
        shown["status"] = "Registered"
    return shown


_EXT = {"extnumber": "number", "moblie": "mobile"}
_QUEUE = {"queuenumber": "number"}

CARRIED: tuple[Endpoint, ...] = (
    carried(_v1("deviceinfo/query")),
    carried(_v1("apply")),
    carried(
        _v1("extensionlist/query"),
        "extension/list",
        answer=lambda data: {"extlist": [_extension_list_item(e) for e in data["extlist"]]},
        response={
            "extlist": array_of(
                object_schema(("number", "status", "type", "username", "agentid"), ("port",))
            )
        },
    ),
    carried(
        _v1("extension/query"),
        fields={"number": "extid"},
        answer=_EXT,
    ),
    carried(_v1("extension/update"), fields={"number": "extid"}),
    carried(_v1("siptrunk/add"), "trunk/add_siptrunk"),
    carried(_v1("siptrunk/update"), "trunk/update_siptrunk"),
    carried(_v1("queue/query"), fields={"number": "queueid"}, answer=_QUEUE),
    carried(_v1("queue/update"), fields={"number": "queueid"}),
    carried(
        _v1("queuestatus/query"), "queue/query_status", fields={"number": "queueid"}, answer=_QUEUE
    ),
    *(
        carried(_v1(path), fields={"number": "queueid", "extnumber": "extid"})
        for path in (
            "queue/add_dynamicagent",
            "queue/del_dynamicagent",
            "queue/pause_agent",
            "queue/unpause_agent",
        )
    ),
    carried(_v1("ivr/query"), fields={"number": "ivrid"}),
    carried(_v1("ivr/update"), fields={"number": "ivrid"}),
    *(
        carried(_v1(path))
        for path in (
            "inroute/query",
            "inroute/add",
            "inroute/update",
            "inroute/delete",
            "outroute/query",
            "outroute/add",
            "outroute/update",
            "outroute/delete",
            "paginggrouplist/query",
            "paginggroup/query",
            "paginggroup/add",
            "paginggroup/update",
            "paginggroup/delete",
            "sms/send",
            "recording/get_random",
            "recording/download",
        )
    ),
    *(
        carried(_v1(path), fields={"number": "extid"})
        for path in (
            "wakeupcall/create",
            "wakeupcall/query",
            "wakeupcall/update",
            "wakeupcall/delete",
            "hotel/checkout",
        )
    ),
    carried(_v1("cdr/get_random"), fields={"number": "extid"}, answer={"extid": "number"}),
    carried(_v1("cdr/download"), fields={"number": "extid"}),
)


@router.endpoint(
    "trunk/list",
    summary="Every trunk with its id, type and status.",
    response={
        "trunklist": array_of(object_schema(("trunkname", "id", "status", "type"), ("port",)))
    },
)
async def trunk_list(request: ApiRequest) -> Reply:
    listed = []
    for trunk in await request.engine.config.list_trunks():
        item = trunk_list_item(trunk)
        listed.append({"trunkname": item.pop("trunkname"), "id": str(trunk.id), **item})
    return {"trunklist": listed}


async def _names(request: ApiRequest) -> list[str] | None:
    """The trunk names for the ids in ``id`` (None: all); 10062 for an unknown id."""
    ids = selection(request.params, "id")
    if ids is None:
        return None
    by_id = {str(t.id): t.name for t in await request.engine.config.list_trunks()}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise PbxError(Errno.TRUNK_NOT_FOUND, ",".join(missing))
    return [by_id[i] for i in ids]


@router.endpoint(
    "trunk/query_siptrunk",
    summary="The settings of the SIP trunks with the ids named (comma-separated), or all.",
    fields=(Field("id", True, "trunk ids, comma-separated, or all"),),
    response={"trunks": array_of({"type": "object"})},
    errors=(Errno.TRUNK_NOT_FOUND,),
    example={"id": "all"},
)
async def query_siptrunk(request: ApiRequest) -> Reply:
    found = await request.engine.config.query_sip_trunks(await _names(request))
    return {"trunks": [sip_trunk_info(t) for t in found]}


@router.endpoint(
    "trunk/delete_siptrunk",
    summary="Delete the SIP trunks with the ids named (comma-separated).",
    fields=(Field("id", True, "trunk ids, comma-separated"),),
    errors=(Errno.TRUNK_NOT_FOUND, Errno.TRUNK_DELETE_FAILED),
    example={"id": "3"},
)
async def delete_siptrunk(request: ApiRequest) -> Reply:
    await request.engine.config.delete_sip_trunks(await _names(request))
    return {}
