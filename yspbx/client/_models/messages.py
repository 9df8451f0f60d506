"""Prompts played to a phone or a number and GSM text messages (docs/pbx-api/call-services.md)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from pydantic import Field, field_serializer

from yspbx.client._endpoint import Endpoint, text
from yspbx.client._wire import RequestModel, YesNo


def prompt_names(prompt: str | Sequence[str]) -> str:
    """Several prompts play back to back when joined with ``+``."""
    return prompt if isinstance(prompt, str) else "+".join(prompt)


class ExtensionPrompt(RequestModel):
    extension: str = Field(alias="extid")
    prompt: str
    auto_answer: YesNo = Field(False, alias="autoanswer")


class NumberPrompt(RequestModel):
    number: str = Field(alias="outto")
    prompt: str
    from_extension: str | None = Field(None, alias="fromext")


class SmsSend(RequestModel):
    trunk: str
    number: str = Field(alias="phonenumber")
    message: str
    """Plain text here; the PBX wants it URL-encoded, which serialising does."""

    @field_serializer("message")
    def _encode(self, message: str) -> str:
        return quote(message, safe="")


PLAY_TO_EXTENSION = Endpoint("extension/playprompt", text("callid"))
PLAY_TO_NUMBER = Endpoint("outbound/playprompt", text("callid"))
SMS_SEND = Endpoint("sms/send", text("smsid"))
