"""``deviceinfo/query`` and ``apply`` (docs/pbx-api/system-extensions.md)."""

from __future__ import annotations

from dataclasses import asdict

from yspbx.api.registry import ApiRequest, ApiRouter, Reply
from yspbx.errors import Errno

router = ApiRouter("system")

_DEVICE_FIELDS = (
    "devicename",
    "sn",
    "hardwarever",
    "firmwarever",
    "systemtime",
    "uptime",
    "extensionstatus",
)


@router.endpoint(
    "deviceinfo/query",
    summary="The PBX's model, serial number, versions, time, uptime and registered extensions.",
    response={
        "deviceinfo": {
            "type": "object",
            "properties": {name: {"type": "string"} for name in _DEVICE_FIELDS},
            "required": list(_DEVICE_FIELDS),
        }
    },
)
async def deviceinfo_query(request: ApiRequest) -> Reply:
    info = await request.engine.device_info()
    return {"deviceinfo": asdict(info)}


@router.endpoint(
    "apply",
    summary="Save and apply the configuration changes made through the API.",
    errors=(Errno.APPLY_TOO_FREQUENT,),
)
async def apply(request: ApiRequest) -> Reply:
    await request.engine.config.apply()
    return {}
