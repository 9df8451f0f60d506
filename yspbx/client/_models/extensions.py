"""Extensions (docs/pbx-api/system-extensions.md): the list, the settings, and changing them."""

from __future__ import annotations

from typing import TypedDict

from pydantic import AliasChoices, Field

from yspbx.client._endpoint import Endpoint, many, nothing
from yspbx.client._wire import (
    Flag,
    Number,
    OnOff,
    OptionalInt,
    RequestModel,
    ResponseModel,
    TextList,
)


class ExtensionSummary(ResponseModel):
    """One entry of ``extensionlist/query``."""

    number: str = Field("", alias="extnumber")
    status: str = ""
    """``Registered``, ``Unavailable``, ``Ringing``, ``Busy``, ``Hold``, ``Idle``, ..."""
    type: str = ""
    """``SIP`` or ``FXS``."""
    port: str = ""
    """The analog port (FXS only), e.g. ``Span1_Port3``."""
    name: str = Field("", alias="username")
    agent_id: str = Field("", alias="agentid")


class Extension(ResponseModel):
    """The settings of one extension (``extension/query``)."""

    number: str = Field("", alias="extnumber")
    name: str = Field("", alias="username")
    status: str = ""
    type: str = ""
    port: str = ""
    caller_id: str = Field("", alias="callerid")
    register_name: str = Field("", alias="registername")
    register_password: str = Field("", alias="registerpassword")
    max_registrations: OptionalInt = Field(None, alias="maxregistrations")
    login_password_md5: str = Field("", alias="loginpassword")
    email: str = ""
    mobile: str = Field("", alias="moblie", validation_alias=AliasChoices("moblie", "mobile"))
    language: str = ""
    voicemail: Flag = Field(False, alias="hasvoicemail")
    voicemail_pin: str = Field("", alias="vmsecret")
    voicemail_to_email: Flag = Field(False, alias="enablevmtoemail")
    always_forward: Flag = Field(False, alias="alwaysforward")
    always_forward_to: str = Field("", alias="atransferto")
    always_forward_extension: str = Field("", alias="atransferext")
    always_forward_prefix: str = Field("", alias="atransferprefix")
    always_forward_number: str = Field("", alias="atransfernum")
    no_answer_forward: Flag = Field(False, alias="noanswerforward")
    no_answer_forward_to: str = Field("", alias="ntransferto")
    no_answer_forward_extension: str = Field("", alias="ntransferext")
    no_answer_forward_prefix: str = Field("", alias="ntransferprefix")
    no_answer_forward_number: str = Field("", alias="ntransfernum")
    busy_forward: Flag = Field(False, alias="busyforward")
    busy_forward_to: str = Field("", alias="btransferto")
    busy_forward_extension: str = Field("", alias="btransferext")
    busy_forward_prefix: str = Field("", alias="btransferprefix")
    busy_forward_number: str = Field("", alias="btransfernum")
    mobility_extension: Flag = Field(False, alias="enablemobile")
    ring_simultaneously: Flag = Field(False, alias="ringsimultaneous")
    mobile_prefix: str = Field("", alias="mobileprefix")
    allow_being_monitored: Flag = Field(False, alias="allowbeingmonitored")
    monitor_mode: str = Field("", alias="monitormode")
    """``Disabled``, ``Extensive``, ``Listen``, ``Whisper`` or ``Barge-in``."""
    ring_timeout: OptionalInt = Field(None, alias="ringtimeout")
    max_duration: str = Field("", alias="maxduration")
    """``Follow System``, ``Unlimited`` or seconds."""
    dnd: Flag = False
    call_restriction: Flag = Field(False, alias="callrestriction")
    agent_id: str = Field("", alias="agentid")


class ExtensionQuery(RequestModel):
    numbers: TextList | None = Field(None, alias="extid")


class ExtensionChanges(TypedDict, total=False):
    """What ``client.extensions.update(number, **changes)`` may change (send only what changes)."""

    new_number: str
    name: str
    caller_id: str
    register_name: str
    register_password: str
    max_registrations: int
    login_password: str
    email: str
    mobile: str
    voicemail: bool
    voicemail_pin: str
    voicemail_to_email: bool
    always_forward: bool
    always_forward_to: str
    always_forward_extension: str
    always_forward_prefix: str
    always_forward_number: str
    no_answer_forward: bool
    no_answer_forward_to: str
    no_answer_forward_extension: str
    no_answer_forward_prefix: str
    no_answer_forward_number: str
    busy_forward: bool
    busy_forward_to: str
    busy_forward_extension: str
    busy_forward_prefix: str
    busy_forward_number: str
    mobility_extension: bool
    ring_simultaneously: bool
    mobile_prefix: str
    allow_being_monitored: bool
    monitor_mode: str
    ring_timeout: int
    max_duration: str | int
    dnd: bool
    call_restriction: bool
    agent_id: str


class ExtensionUpdate(RequestModel):
    """``extension/update``. The request spells ``mobile`` correctly (the answer does not)."""

    extension: str = Field(alias="extid")
    new_number: str | None = Field(None, alias="extnumber")
    name: str | None = Field(None, alias="username")
    caller_id: str | None = Field(None, alias="callerid")
    register_name: str | None = Field(None, alias="registername")
    register_password: str | None = Field(None, alias="registerpassword")
    max_registrations: Number | None = Field(None, alias="maxregistrations")
    login_password: str | None = Field(None, alias="loginpassword")
    email: str | None = None
    mobile: str | None = None
    voicemail: OnOff | None = Field(None, alias="hasvoicemail")
    voicemail_pin: str | None = Field(None, alias="vmsecret")
    voicemail_to_email: OnOff | None = Field(None, alias="enablevmtoemail")
    always_forward: OnOff | None = Field(None, alias="alwaysforward")
    always_forward_to: str | None = Field(None, alias="atransferto")
    always_forward_extension: str | None = Field(None, alias="atransferext")
    always_forward_prefix: str | None = Field(None, alias="atransferprefix")
    always_forward_number: str | None = Field(None, alias="atransfernum")
    no_answer_forward: OnOff | None = Field(None, alias="noanswerforward")
    no_answer_forward_to: str | None = Field(None, alias="ntransferto")
    no_answer_forward_extension: str | None = Field(None, alias="ntransferext")
    no_answer_forward_prefix: str | None = Field(None, alias="ntransferprefix")
    no_answer_forward_number: str | None = Field(None, alias="ntransfernum")
    busy_forward: OnOff | None = Field(None, alias="busyforward")
    busy_forward_to: str | None = Field(None, alias="btransferto")
    busy_forward_extension: str | None = Field(None, alias="btransferext")
    busy_forward_prefix: str | None = Field(None, alias="btransferprefix")
    busy_forward_number: str | None = Field(None, alias="btransfernum")
    mobility_extension: OnOff | None = Field(None, alias="enablemobile")
    ring_simultaneously: OnOff | None = Field(None, alias="ringsimultaneous")
    mobile_prefix: str | None = Field(None, alias="mobileprefix")
    allow_being_monitored: OnOff | None = Field(None, alias="allowbeingmonitored")
    monitor_mode: str | None = Field(None, alias="monitormode")
    ring_timeout: Number | None = Field(None, alias="ringtimeout")
    max_duration: str | None = Field(None, alias="maxduration")
    dnd: OnOff | None = None
    call_restriction: OnOff | None = Field(None, alias="callrestriction")
    agent_id: str | None = Field(None, alias="agentid")


EXTENSION_LIST = Endpoint("extensionlist/query", many("extlist", ExtensionSummary), query=True)
EXTENSION_QUERY = Endpoint("extension/query", many("extinfos", Extension), query=True)
EXTENSION_UPDATE = Endpoint("extension/update", nothing)
