"""Recordings and CDR exports (docs/pbx-api/files.md): a one-time random, then a download.

The two ``.../download`` links are plain URLs a browser or HTTP client fetches, so they answer
GET as well as POST and take their fields from the query string (a JSON body works too). A
refused download answers the JSON failure envelope with the documented errno.
"""

from __future__ import annotations

import re

from yspbx.api.registry import ApiRequest, ApiRouter, Field, FileReply, Reply
from yspbx.errors import Errno, PbxError

router = ApiRouter("downloads")

_TEXT = {"type": "string"}
_RANDOM = {"type": "string", "pattern": "^[0-9a-f]{32}$"}
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._+-]")


def _field(request: ApiRequest, name: str) -> str:
    """A download field from the query string, else the body; 10004 when neither has it."""
    value = request.query.get(name)
    if value is None or not value.strip():
        value = request.params.text(name)
    if value is None or not value.strip():
        raise PbxError(Errno.MISSING_PARAMETER, name)
    return value.strip()


def _app_ip(request: ApiRequest) -> str:
    """The application server's address: the one that logged in with this token."""
    return request.session.client_ip if request.session is not None else request.client_ip


@router.endpoint(
    "recording/get_random",
    summary="A one-time random (30 s) to download a recording named in a CDR.",
    fields=(
        Field("recording", True, "the recording file name"),
        Field("allowedip", False, "one more IP address allowed to download it"),
    ),
    response={"recording": _TEXT, "random": _RANDOM},
    errors=(
        Errno.RECORDING_RANDOM_INVALID,
        Errno.RECORDING_NOT_FOUND,
        Errno.ALLOWED_IP_INVALID,
    ),
    example={"recording": "20240301091502-1709283302.40-0612345678-2001-Inbound.wav"},
)
async def recording_get_random(request: ApiRequest) -> Reply:
    name = request.params.require("recording")
    random = await request.engine.calls.recording_random(
        name, _app_ip(request), request.params.text("allowedip")
    )
    return {"recording": name, "random": random}


@router.endpoint(
    "recording/download",
    summary="The recording (WAV): ?recording=<name>&random=<random>&token=<token>.",
    methods=("GET", "POST"),
    errors=(Errno.RECORDING_RANDOM_INVALID, Errno.RECORDING_NOT_FOUND),
)
async def recording_download(request: ApiRequest) -> Reply:
    name = _field(request, "recording")
    content = await request.engine.calls.download_recording(
        name, _field(request, "random"), request.client_ip
    )
    return FileReply(content, "audio/wav", _UNSAFE_FILENAME.sub("_", name))


@router.endpoint(
    "cdr/get_random",
    summary="A one-time random (30 s) to download the CDRs of extensions in a time range.",
    fields=(
        Field("extid", True, '"all", one extension or several, comma-separated'),
        Field("starttime", True, "yyyy-mm-dd hh:mm:ss"),
        Field("endtime", True, "yyyy-mm-dd hh:mm:ss"),
        Field("allowedip", False, "one more IP address allowed to download them"),
    ),
    response={"extid": _TEXT, "starttime": _TEXT, "endtime": _TEXT, "random": _RANDOM},
    errors=(Errno.EXTENSION_NOT_FOUND, Errno.CDR_TIME_INVALID, Errno.ALLOWED_IP_INVALID),
    example={"extid": "all", "starttime": "2024-03-01 00:00:00", "endtime": "2024-03-01 23:59:59"},
)
async def cdr_get_random(request: ApiRequest) -> Reply:
    params = request.params
    extid, start, end = (params.require(n) for n in ("extid", "starttime", "endtime"))
    random = await request.engine.calls.cdr_random(
        extid, start, end, _app_ip(request), params.text("allowedip")
    )
    return {"extid": extid, "starttime": start, "endtime": end, "random": random}


@router.endpoint(
    "cdr/download",
    summary="The CDRs as CSV: ?extid=&starttime=&endtime=&random=&token=.",
    methods=("GET", "POST"),
    errors=(Errno.CDR_TIME_INVALID, Errno.CDR_RANDOM_INVALID, Errno.CDR_NOT_FOUND),
)
async def cdr_download(request: ApiRequest) -> Reply:
    extid, start, end, random = (
        _field(request, n) for n in ("extid", "starttime", "endtime", "random")
    )
    content = await request.engine.calls.download_cdr(extid, start, end, random, request.client_ip)
    return FileReply(content, "text/csv; charset=utf-8", "cdr.csv")
