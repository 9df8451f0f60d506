"""Trunks (docs/pbx-api/trunks-routes.md): the trunk list and the SIP trunks' settings."""

from __future__ import annotations

from typing import Literal, TypedDict

from pydantic import Field

from yspbx.client._endpoint import Endpoint, many, nothing
from yspbx.client._wire import Items, RequestModel, ResponseModel, TextList

SipTrunkType = Literal["register", "peer", "account"]


class Trunk(ResponseModel):
    """One entry of ``trunklist/query``."""

    name: str = Field("", alias="trunkname")
    status: str = ""
    """Depends on the type: ``registered``/``failure``/... (SIP), ``idle``/``busy`` (FXO,
    GSM), as the PBX wrote it: current firmware writes lower case, older firmware capitalised
    (``Registered``), so compare without case."""
    type: str = ""
    """``SIP``, ``IAX``, ``FXO``, ``BRI``, ``E1``, ``GSM``, ..."""
    port: str = ""
    """Physical trunks only, e.g. ``Span2-Port7``."""


class SipTrunk(ResponseModel):
    """The settings of one SIP trunk (``siptrunk/query``)."""

    id: str = ""
    name: str = Field("", alias="trunkname")
    trunk_type: str = Field("", alias="trunktype")
    """``register``, ``peer`` or ``account``."""
    host: str = ""
    port: str = ""
    domain: str = ""
    username: str = ""
    auth_name: str = Field("", alias="authname")
    from_user: str = Field("", alias="fromuser")
    password: str = ""
    extension_dods: Items = Field(default_factory=list, alias="extensionsdod")
    """``{dod number}-{dod name}-{extension}`` entries."""
    extension_group_dods: Items = Field(default_factory=list, alias="extensionsgroupdod")
    """``{dod number}-{dod name}-{group name}`` entries."""


class SipTrunkQuery(RequestModel):
    names: TextList = Field(alias="trunkname")


class SipTrunkSettings(TypedDict, total=False):
    """Optional settings of ``client.trunks.add_sip`` / ``update_sip``, by trunk type:
    ``host``/``port``/``domain`` for register and peer trunks, ``username``/``auth_name``/
    ``password`` for register and account trunks, ``from_user`` for register trunks."""

    host: str
    port: str | int
    domain: str
    username: str
    auth_name: str
    from_user: str
    password: str
    extension_dods: list[str] | str
    extension_group_dods: list[str] | str


class _SipTrunkSettings(RequestModel):
    """What adding and changing a SIP trunk share; only the fields given are sent."""

    host: str | None = None
    port: str | None = None
    domain: str | None = None
    username: str | None = None
    auth_name: str | None = Field(None, alias="authname")
    from_user: str | None = Field(None, alias="fromuser")
    password: str | None = None
    extension_dods: TextList | None = Field(None, alias="extensionsdod")
    extension_group_dods: TextList | None = Field(None, alias="extensionsgroupdod")


class SipTrunkAdd(_SipTrunkSettings):
    name: str = Field(alias="trunkname")
    trunk_type: SipTrunkType = Field(alias="trunktype")


class SipTrunkUpdate(_SipTrunkSettings):
    id: str
    trunk_type: SipTrunkType = Field(alias="trunktype")
    name: str | None = Field(None, alias="trunkname")


class SipTrunkDelete(RequestModel):
    names: TextList = Field(alias="trunkname")


TRUNK_LIST = Endpoint("trunklist/query", many("trunklist", Trunk), query=True)
SIP_TRUNK_QUERY = Endpoint("siptrunk/query", many("trunks", SipTrunk), query=True)
SIP_TRUNK_ADD = Endpoint("siptrunk/add", nothing)
SIP_TRUNK_UPDATE = Endpoint("siptrunk/update", nothing)
SIP_TRUNK_DELETE = Endpoint("siptrunk/delete", nothing)
