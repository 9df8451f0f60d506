"""``extension/playprompt`` and ``outbound/playprompt`` (docs/pbx-api/call-services.md): the PBX
calls a party and plays it custom prompts; ``PlayPromptEnd`` reports the end of the playback."""

from __future__ import annotations

from yspbx.api.calls_dial import CALLID_RESPONSE, autoanswer
from yspbx.api.registry import ApiRequest, ApiRouter, Field, Reply
from yspbx.errors import Errno

router = ApiRouter("calls")

_PROMPT = Field("prompt", True, "custom prompt name(s), several joined with '+'")


@router.endpoint(
    "extension/playprompt",
    summary="Ring the extension and play the prompt once it answers, then hang up.",
    fields=(
        Field("extid", True, "the extension"),
        _PROMPT,
        Field("autoanswer", False, '"yes": the phone picks up by itself (default "no")'),
    ),
    response=CALLID_RESPONSE,
    errors=(Errno.EXTENSION_NOT_FOUND, Errno.PROMPT_NOT_FOUND, Errno.EXTENSION_NOT_IDLE),
    example={"extid": "1001", "prompt": "welcome", "autoanswer": "no"},
)
async def play_to_extension(request: ApiRequest) -> Reply:
    params = request.params
    callid = await request.engine.calls.play_prompt_to_extension(
        params.require("extid"), params.require("prompt"), autoanswer(params)
    )
    return {"callid": callid}


@router.endpoint(
    "outbound/playprompt",
    summary="Dial a number outside and play the prompt once it answers, then hang up.",
    fields=(
        Field("outto", True, "the external number"),
        _PROMPT,
        Field("fromext", False, "the extension whose outbound routes are used (default: any)"),
    ),
    response=CALLID_RESPONSE,
    errors=(
        Errno.EXTENSION_NOT_FOUND,
        Errno.PROMPT_NOT_FOUND,
        Errno.NO_OUTBOUND_PERMISSION,
        Errno.CALL_NOT_CONNECTED,
    ),
    example={"outto": "0698765432", "prompt": "welcome+menu", "fromext": "1001"},
)
async def play_to_number(request: ApiRequest) -> Reply:
    params = request.params
    callid = await request.engine.calls.play_prompt_to_number(
        params.require("outto"), params.require("prompt"), params.optional("fromext")
    )
    return {"callid": callid}
