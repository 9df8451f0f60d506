"""Paging and intercom groups (docs/pbx-api/ivrs-queues-paging.md)."""

from __future__ import annotations

from typing import Literal, TypedDict

from pydantic import Field

from yspbx.client._endpoint import Endpoint, many, nothing
from yspbx.client._wire import Flag, Items, RequestModel, ResponseModel, TextList, YesNo

PagingMode = Literal["paging", "intercom", "multicast"]


class PagingGroupSummary(ResponseModel):
    """One entry of ``paginggrouplist/query``."""

    id: str = ""
    number: str = ""
    name: str = ""


class PagingGroup(ResponseModel):
    """The settings of one paging group (``paginggroup/query``)."""

    id: str = ""
    number: str = ""
    name: str = ""
    mode: str = Field("", alias="duplex")
    """``paging`` (one way), ``intercom`` (two way) or ``multicast``."""
    members: Items = Field(default_factory=list, alias="allowexten")
    member_groups: Items = Field(default_factory=list, alias="allowextengroup")
    private_answer: Flag = Field(False, alias="enablekeyhanup")
    """Members may press ``*`` to take the call privately, ending the announcement."""
    multicast_ip: str = Field("", alias="multicastip")


class PagingGroupNumbers(RequestModel):
    numbers: TextList = Field(alias="number")


class PagingGroupChanges(TypedDict, total=False):
    number: str
    name: str
    mode: PagingMode
    members: list[str] | str
    member_groups: list[str] | str
    private_answer: bool
    multicast_ip: str


class PagingGroupFields(RequestModel):
    """``paginggroup/add`` (no ``id``) and ``paginggroup/update`` (with ``id``)."""

    id: str | None = None
    number: str | None = None
    name: str | None = None
    mode: PagingMode | None = Field(None, alias="duplex")
    members: TextList | None = Field(None, alias="allowexten")
    member_groups: TextList | None = Field(None, alias="allowextengroup")
    private_answer: YesNo | None = Field(None, alias="enablekeyhanup")
    multicast_ip: str | None = Field(None, alias="multicastip")


PAGING_GROUP_LIST = Endpoint(
    "paginggrouplist/query", many("paginggrouplist", PagingGroupSummary), query=True
)
PAGING_GROUP_QUERY = Endpoint("paginggroup/query", many("paginggroup", PagingGroup), query=True)
PAGING_GROUP_ADD = Endpoint("paginggroup/add", nothing)
PAGING_GROUP_UPDATE = Endpoint("paginggroup/update", nothing)
PAGING_GROUP_DELETE = Endpoint("paginggroup/delete", nothing)
