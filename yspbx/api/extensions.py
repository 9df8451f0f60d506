"""``extensionlist/query``, ``extension/query``, ``extension/update``.

The wire: docs/pbx-api/system-extensions.md.
"""

from __future__ import annotations

import hashlib
from typing import Any

from yspbx.api.registry import ApiRequest, ApiRouter, Field, Reply
from yspbx.api.wire import (
    INT,
    ON_OFF,
    TEXT,
    WireField,
    array_of,
    choice,
    declare,
    int_choice,
    object_schema,
    read_changes,
    selection,
    write,
)
from yspbx.errors import Errno
from yspbx.pbx.models import Extension
from yspbx.pbx.vocabulary import FORWARD_TARGETS, MAX_DURATIONS, MONITOR_MODES, RING_TIMEOUTS

router = ApiRouter("extensions")

FORWARD_TO = choice(*FORWARD_TARGETS)


def _forward_fields(letter: str) -> tuple[WireField, ...]:
    return (
        WireField(f"{letter}transferto", f"{letter}transferto", FORWARD_TO),
        WireField(f"{letter}transferext", f"{letter}transferext"),
        WireField(f"{letter}transferprefix", f"{letter}transferprefix"),
        WireField(f"{letter}transfernum", f"{letter}transfernum"),
    )


# What extension/update accepts, in the order of the vendor's table. The request spells the
# mobile number ``mobile``; ``moblie`` (how queries answer) is read too, so a client can send
# back what it read.
UPDATE_FIELDS: tuple[WireField, ...] = (
    WireField("extnumber", "number", description="new extension number"),
    WireField("username", "username"),
    WireField("callerid", "callerid"),
    WireField("registername", "registername"),
    WireField("registerpassword", "registerpassword"),
    WireField("maxregistrations", "maxregistrations", INT, "1-5"),
    WireField("loginpassword", "loginpassword", TEXT, "6-63 characters, plain text"),
    WireField("email", "email"),
    WireField("moblie", "mobile", TEXT, "the query's spelling of mobile"),
    WireField("mobile", "mobile"),
    WireField("hasvoicemail", "hasvoicemail", ON_OFF),
    WireField("vmsecret", "vmsecret"),
    WireField("enablevmtoemail", "enablevmtoemail", ON_OFF),
    WireField("alwaysforward", "alwaysforward", ON_OFF),
    *_forward_fields("a"),
    WireField("noanswerforward", "noanswerforward", ON_OFF),
    *_forward_fields("n"),
    WireField("busyforward", "busyforward", ON_OFF),
    *_forward_fields("b"),
    WireField("enablemobile", "enablemobile", ON_OFF),
    WireField("ringsimultaneous", "ringsimultaneous", ON_OFF),
    WireField("mobileprefix", "mobileprefix"),
    WireField("allowbeingmonitored", "allowbeingmonitored", ON_OFF),
    WireField("monitormode", "monitormode", choice(*MONITOR_MODES)),
    WireField("ringtimeout", "ringtimeout", int_choice(*RING_TIMEOUTS)),
    WireField("maxduration", "maxduration", choice(*MAX_DURATIONS)),
    WireField("dnd", "dnd", ON_OFF),
    WireField("callrestriction", "callrestriction", ON_OFF),
    WireField("agentid", "agentid"),
)
_BY_WIRE = {f.wire: f for f in UPDATE_FIELDS}
_BY_WIRE["moblie"] = WireField("moblie", "mobile")
_BY_WIRE["language"] = WireField("language", "language")

# extension/query's keys, in the order of the vendor's example; ``port`` and the forward
# destinations only appear where they apply.
_HEAD = ("extnumber", "username", "status", "type")
_ACCOUNT = (
    "callerid",
    "registername",
    "registerpassword",
    "maxregistrations",
    "loginpassword",
    "email",
    "moblie",
    "language",
    "hasvoicemail",
    "enablevmtoemail",
    "vmsecret",
)
_TAIL = (
    "ringsimultaneous",
    "mobileprefix",
    "enablemobile",
    "allowbeingmonitored",
    "monitormode",
    "ringtimeout",
    "maxduration",
    "dnd",
    "callrestriction",
    "agentid",
)
_FORWARDS = (("alwaysforward", "a"), ("noanswerforward", "n"), ("busyforward", "b"))
_FORWARD_KEYS = tuple(
    f"{letter}transfer{part}" for _, letter in _FORWARDS for part in ("to", "ext", "prefix", "num")
)
_INFO_REQUIRED = (*_HEAD, *_ACCOUNT, *(switch for switch, _ in _FORWARDS), *_TAIL)
_LIST_REQUIRED = ("extnumber", "status", "type", "username", "agentid")


def _login_password(extension: Extension) -> str:
    """The PBX shows the user's web password as its MD5, never in clear."""
    plain = extension.loginpassword
    return hashlib.md5(plain.encode()).hexdigest() if plain else ""


def _head(extension: Extension, status: str) -> dict[str, str]:
    info = {
        "extnumber": extension.number,
        "username": extension.username,
        "status": status,
        "type": extension.type,
    }
    if extension.type == "FXS":
        info["port"] = extension.port
    return info


def _forward(extension: Extension, switch: str, letter: str) -> dict[str, str]:
    enabled: bool = getattr(extension, switch)
    shown = {switch: ON_OFF.show(enabled)}
    if enabled:
        target = getattr(extension, f"{letter}transferto")
        shown[f"{letter}transferto"] = target
        if target == "Extension":
            shown[f"{letter}transferext"] = getattr(extension, f"{letter}transferext")
        shown[f"{letter}transferprefix"] = getattr(extension, f"{letter}transferprefix")
        if target == "Custom Number":
            shown[f"{letter}transfernum"] = getattr(extension, f"{letter}transfernum")
    return shown


def extension_info(extension: Extension, status: str) -> dict[str, str]:
    info = _head(extension, status)
    for key in _ACCOUNT:
        shown = _BY_WIRE[key].show(extension)
        info[key] = _login_password(extension) if key == "loginpassword" else shown
    for switch, letter in _FORWARDS:
        info.update(_forward(extension, switch, letter))
    info.update(write(extension, (_BY_WIRE[key] for key in _TAIL)))
    return info


def _list_item(extension: Extension, status: str) -> dict[str, str]:
    item = _head(extension, status)
    item["agentid"] = extension.agentid
    return item


@router.endpoint(
    "extensionlist/query",
    summary="Every extension with its number, status, type, name and agent ID.",
    response={"extlist": array_of(object_schema(_LIST_REQUIRED, ("port",)))},
)
async def extensionlist_query(request: ApiRequest) -> Reply:
    config = request.engine.config

    async def build() -> dict[str, Any]:
        pairs = await config.list_extensions()
        return {"extlist": [_list_item(extension, status) for extension, status in pairs]}

    return await request.answers.get("extensionlist/query", config.revision, build)


@router.endpoint(
    "extension/query",
    summary="The settings of the extensions named in extid (comma-separated), or of all.",
    fields=(Field("extid", description="numbers, comma-separated; absent or all: every one"),),
    response={"extinfos": array_of(object_schema(_INFO_REQUIRED, ("port", *_FORWARD_KEYS)))},
    errors=(Errno.EXTENSION_NOT_FOUND,),
    example={"extid": "1001"},
)
async def extension_query(request: ApiRequest) -> Reply:
    numbers = selection(request.params, "extid")
    pairs = await request.engine.config.query_extensions(numbers)
    return {"extinfos": [extension_info(extension, status) for extension, status in pairs]}


@router.endpoint(
    "extension/update",
    summary="Change an extension's settings; only the fields sent change.",
    fields=(
        Field("extid", required=True, description="the extension to change"),
        *declare(UPDATE_FIELDS),
    ),
    errors=(Errno.EXTENSION_NOT_FOUND, Errno.EXTENSION_CONFIG_FAILED),
    example={"extid": "1001", "username": "Ana Lopez", "dnd": "on"},
)
async def extension_update(request: ApiRequest) -> Reply:
    number = request.params.require("extid")
    changes: dict[str, Any] = read_changes(
        request.params, UPDATE_FIELDS, Errno.EXTENSION_CONFIG_FAILED
    )
    await request.engine.config.update_extension(number, changes)
    return {}
