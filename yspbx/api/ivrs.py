"""``ivr/query`` and ``ivr/update`` (docs/pbx-api/ivrs-queues-paging.md)."""

from __future__ import annotations

from yspbx.api.registry import ApiRequest, ApiRouter, Field, Reply
from yspbx.api.wire import (
    INT,
    ON_OFF,
    TEXT,
    WireField,
    array_of,
    declare,
    object_schema,
    read_changes,
    selection,
    write,
)
from yspbx.errors import Errno
from yspbx.pbx.models import Ivr

router = ApiRouter("ivrs")

UPDATE_FIELDS: tuple[WireField, ...] = (
    WireField("ivrnumber", "number", TEXT, "new IVR number"),
    WireField("ivrname", "name", TEXT, "1-31 characters, no spaces or punctuation"),
    WireField("promptrepeat", "promptrepeat", INT, "1-5"),
    WireField("responsetimeout", "responsetimeout", INT, "seconds, 1-10"),
    WireField("digittimeout", "digittimeout", INT, "seconds, 1-10"),
    WireField("dialext", "dialext", ON_OFF),
    WireField("dialtocheckvoicemail", "dialtocheckvoicemail", ON_OFF),
)
_SHOWN: tuple[WireField, ...] = (
    *UPDATE_FIELDS[:2],
    WireField("prompt", "prompt"),
    *UPDATE_FIELDS[2:6],
    WireField("dialoutboundroutes", "dialoutboundroutes", ON_OFF),
)
_KEYS = (*tuple(f.wire for f in _SHOWN), "dialtocheckvoicemail")


def ivr_info(ivr: Ivr) -> dict[str, str]:
    info = write(ivr, _SHOWN)
    if ivr.selectedrouters:
        info["selectedrouters"] = ivr.selectedrouters
    info["dialtocheckvoicemail"] = ON_OFF.show(ivr.dialtocheckvoicemail)
    return info


@router.endpoint(
    "ivr/query",
    summary="The IVRs named in ivrid (comma-separated numbers), or all.",
    fields=(Field("ivrid", description="IVR numbers, comma-separated; absent: every IVR"),),
    response={"ivr": array_of(object_schema(_KEYS, ("selectedrouters",)))},
    errors=(Errno.IVR_NOT_FOUND,),
    example={"ivrid": "6200"},
)
async def ivr_query(request: ApiRequest) -> Reply:
    ivrs = await request.engine.config.query_ivrs(selection(request.params, "ivrid"))
    return {"ivr": [ivr_info(ivr) for ivr in ivrs]}


@router.endpoint(
    "ivr/update",
    summary="Change an IVR's settings; only the fields sent change.",
    fields=(
        Field("ivrid", required=True, description="the IVR to change"),
        *declare(UPDATE_FIELDS),
    ),
    errors=(Errno.IVR_NOT_FOUND, Errno.IVR_CONFIG_FAILED),
    example={"ivrid": "6200", "ivrname": "Welcome", "promptrepeat": "2"},
)
async def ivr_update(request: ApiRequest) -> Reply:
    number = request.params.require("ivrid")
    changes = read_changes(request.params, UPDATE_FIELDS, Errno.IVR_CONFIG_FAILED)
    await request.engine.config.update_ivr(number, changes)
    return {}
