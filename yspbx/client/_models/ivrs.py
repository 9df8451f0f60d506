"""IVRs (docs/pbx-api/ivrs-queues-paging.md)."""

from __future__ import annotations

from typing import TypedDict

from pydantic import Field

from yspbx.client._endpoint import Endpoint, many, nothing
from yspbx.client._wire import (
    Flag,
    Items,
    Number,
    OnOff,
    OptionalInt,
    RequestModel,
    ResponseModel,
    TextList,
)


class Ivr(ResponseModel):
    number: str = Field("", alias="ivrnumber")
    name: str = Field("", alias="ivrname")
    prompt: str = ""
    prompt_repeat: OptionalInt = Field(None, alias="promptrepeat")
    response_timeout: OptionalInt = Field(None, alias="responsetimeout")
    digit_timeout: OptionalInt = Field(None, alias="digittimeout")
    dial_extensions: Flag = Field(False, alias="dialext")
    """Callers may dial an extension number from the IVR."""
    dial_outbound_routes: Flag = Field(False, alias="dialoutboundroutes")
    selected_routes: Items = Field(default_factory=list, alias="selectedrouters")
    dial_to_check_voicemail: Flag = Field(False, alias="dialtocheckvoicemail")


class IvrQuery(RequestModel):
    numbers: TextList | None = Field(None, alias="ivrid")


class IvrChanges(TypedDict, total=False):
    new_number: str
    name: str
    prompt_repeat: int
    response_timeout: int
    digit_timeout: int
    dial_extensions: bool
    dial_to_check_voicemail: bool


class IvrUpdate(RequestModel):
    ivr: str = Field(alias="ivrid")
    new_number: str | None = Field(None, alias="ivrnumber")
    name: str | None = Field(None, alias="ivrname")
    prompt_repeat: Number | None = Field(None, alias="promptrepeat")
    response_timeout: Number | None = Field(None, alias="responsetimeout")
    digit_timeout: Number | None = Field(None, alias="digittimeout")
    dial_extensions: OnOff | None = Field(None, alias="dialext")
    dial_to_check_voicemail: OnOff | None = Field(None, alias="dialtocheckvoicemail")


IVR_QUERY = Endpoint("ivr/query", many("ivr", Ivr), query=True)
IVR_UPDATE = Endpoint("ivr/update", nothing)
