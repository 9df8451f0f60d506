"""Inbound and outbound routes (docs/pbx-api/trunks-routes.md)."""

from __future__ import annotations

from typing import TypedDict

from pydantic import Field

from yspbx.client._endpoint import Endpoint, many, nothing
from yspbx.client._wire import (
    Items,
    OptionalInt,
    OptionalNumber,
    RequestModel,
    ResponseModel,
    TextList,
)


class InboundRoute(ResponseModel):
    id: str = ""
    name: str = ""
    did: str = ""
    """DID pattern (blank: any)."""
    caller_id: str = ""
    """Caller-ID pattern (blank: any)."""
    trunks: Items = Field(default_factory=list)
    destination_type: str = Field("", alias="desttype")
    """``extension``, ``ivr``, ``queue``, ``ringgroup``, ``voicemail``, ``hangup``, ..."""
    destination: str = Field("", alias="dest")


class InboundRouteChanges(TypedDict, total=False):
    did: str
    caller_id: str
    trunks: list[str] | str
    destination_type: str
    destination: str


class InboundRouteFields(RequestModel):
    """``inroute/add`` and ``inroute/update`` (which names the route by ``id`` when given)."""

    id: str | None = None
    name: str
    did: str | None = None
    caller_id: str | None = None
    trunks: TextList | None = None
    destination_type: str | None = Field(None, alias="desttype")
    destination: str | None = Field(None, alias="dest")


class OutboundRoute(ResponseModel):
    id: str = ""
    name: str = ""
    prefix: str = ""
    """The dial pattern."""
    strip: OptionalInt = None
    """How many leading digits are removed before dialling out."""
    prepend: str = ""
    trunks: Items = Field(default_factory=list)
    extensions: Items = Field(default_factory=list)
    """Extensions allowed to use the route."""
    extension_groups: Items = Field(default_factory=list, alias="extensionsgroup")


class OutboundRouteChanges(TypedDict, total=False):
    prefix: str
    strip: int
    prepend: str
    trunks: list[str] | str
    extensions: list[str] | str
    extension_groups: list[str] | str


class OutboundRouteFields(RequestModel):
    """``outroute/add`` and ``outroute/update`` (which names the route by ``id`` when given)."""

    id: str | None = None
    name: str
    prefix: str | None = None
    strip: OptionalNumber = None
    prepend: str | None = None
    trunks: TextList | None = None
    extensions: TextList | None = None
    extension_groups: TextList | None = Field(None, alias="extensionsgroup")


class RouteNames(RequestModel):
    names: TextList = Field(alias="name")


INBOUND_ROUTE_QUERY = Endpoint("inroute/query", many("inroutes", InboundRoute), query=True)
INBOUND_ROUTE_ADD = Endpoint("inroute/add", nothing)
INBOUND_ROUTE_UPDATE = Endpoint("inroute/update", nothing)
INBOUND_ROUTE_DELETE = Endpoint("inroute/delete", nothing)
OUTBOUND_ROUTE_QUERY = Endpoint("outroute/query", many("outroutes", OutboundRoute), query=True)
OUTBOUND_ROUTE_ADD = Endpoint("outroute/add", nothing)
OUTBOUND_ROUTE_UPDATE = Endpoint("outroute/update", nothing)
OUTBOUND_ROUTE_DELETE = Endpoint("outroute/delete", nothing)
