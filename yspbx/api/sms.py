"""``sms/send`` (docs/pbx-api/call-services.md): a text through a GSM trunk. The answer carries
the ``smsid``; the outcome follows as an ``sms-send`` report.

``phonenumber`` and ``message`` are not checked by the envelope (whose answer would be
``10004``): the PBX has its own errnos for them, ``10028`` and ``10030``."""

from __future__ import annotations

from yspbx.api.registry import ApiRequest, ApiRouter, Field, Reply
from yspbx.errors import Errno

router = ApiRouter("sms")


@router.endpoint(
    "sms/send",
    summary="Send an SMS through a GSM/3G/4G trunk; the outcome arrives as an sms-send report.",
    fields=(
        Field("trunk", True, "the GSM trunk's name"),
        Field("phonenumber", False, "the mobile number (required: 10028 when blank)"),
        Field("message", False, "URL-encoded text, at most 2000 characters (10030 when blank)"),
    ),
    response={"smsid": {"type": "string", "description": "<phonenumber>-<unix seconds>"}},
    errors=(
        Errno.GSM_MODULE_NOT_FOUND,
        Errno.GSM_MODULE_BUSY,
        Errno.SMS_NUMBER_BLANK,
        Errno.SMS_FILE_ERROR,
        Errno.SMS_CONTENT_BLANK,
        Errno.SMS_NUMBER_INVALID,
    ),
    example={"trunk": "GSM1", "phonenumber": "0611223344", "message": "Your%20code%20is%204821"},
)
async def send(request: ApiRequest) -> Reply:
    params = request.params
    smsid = await request.engine.calls.send_sms(
        params.require("trunk"), params.text("phonenumber") or "", params.text("message") or ""
    )
    return {"smsid": smsid}
