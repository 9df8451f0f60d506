"""Queues (docs/pbx-api/ivrs-queues-paging.md): settings, live status, dynamic agents, pausing."""

from __future__ import annotations

from enum import IntEnum
from typing import Annotated, Any, TypedDict

from pydantic import BeforeValidator, Field, model_validator

from yspbx.client._endpoint import Endpoint, first, many, nothing
from yspbx.client._wire import (
    Flag,
    Items,
    Number,
    OnOff,
    OptionalInt,
    RequestModel,
    ResponseModel,
    TextList,
    to_int,
)


class Queue(ResponseModel):
    """The settings of one queue (``queue/query``). Unset prompts read ``[None]`` or ``None``."""

    number: str = Field("", alias="queuenumber")
    name: str = Field("", alias="queuename")
    password: str = ""
    """The password dynamic agents log in with."""
    ring_strategy: str = Field("", alias="ringstrategy")
    failover_action: str = Field("", alias="failoveraction")
    failover_destination: str = Field("", alias="failoverdest")
    agents: Items = Field(default_factory=list)
    """Static agents."""
    dynamic_agents: Items = Field(default_factory=list, alias="dynamicagents")
    agent_timeout: OptionalInt = Field(None, alias="agenttimeout")
    agent_announcement: str = Field("", alias="agentannounce")
    wrap_up_time: OptionalInt = Field(None, alias="wrapuptime")
    ring_in_use: Flag = Field(False, alias="ringinuse")
    retry: OptionalInt = None
    music_on_hold: str = Field("", alias="musiconhold")
    max_wait_time: OptionalInt = Field(None, alias="maxwaittime")
    join_empty: Flag = Field(False, alias="joinempty")
    leave_when_empty: Flag = Field(False, alias="leavewhenempty")
    join_announcement: str = Field("", alias="joinannounce")
    announce_position: Flag = Field(False, alias="announcepos")
    announce_frequency: OptionalInt = Field(None, alias="announcefreq")
    announce_hold_time: Flag = Field(False, alias="announceholdtime")
    user_announcement: str = Field("", alias="userannounce")
    user_announcement_frequency: OptionalInt = Field(None, alias="userannouncefreq")
    breakout_key: str = Field("", alias="breakoutkey")
    breakout_action: str = Field("", alias="breakoutaction")
    breakout_destination: str = Field("", alias="breakoutdest")
    id_announcement: str = Field("", alias="idannouncement")
    """Prompt announcing the agent's id to the caller (``None``: off)."""
    satisfaction_survey: str = Field("", alias="satisfactionsurvey")
    """Prompt of the satisfaction survey after the call (``None``: off)."""


class QueueQuery(RequestModel):
    numbers: TextList | None = Field(None, alias="queueid")


class QueueChanges(TypedDict, total=False):
    new_number: str
    name: str
    password: str
    ring_strategy: str
    failover_action: str
    failover_destination: str
    agents: list[str] | str
    agent_timeout: int
    wrap_up_time: int
    ring_in_use: bool
    retry: int
    max_wait_time: int
    join_empty: bool
    leave_when_empty: bool
    announce_position: bool
    announce_frequency: int
    announce_hold_time: bool
    user_announcement_frequency: int
    breakout_key: str
    breakout_action: str
    breakout_destination: str
    id_announcement: str
    satisfaction_survey: str


class QueueUpdate(RequestModel):
    queue: str = Field(alias="queueid")
    new_number: str | None = Field(None, alias="queuenumber")
    name: str | None = Field(None, alias="queuename")
    password: str | None = None
    ring_strategy: str | None = Field(None, alias="ringstrategy")
    failover_action: str | None = Field(None, alias="failoveraction")
    failover_destination: str | None = Field(None, alias="failoverdest")
    agents: TextList | None = None
    agent_timeout: Number | None = Field(None, alias="agenttimeout")
    wrap_up_time: Number | None = Field(None, alias="wrapuptime")
    ring_in_use: OnOff | None = Field(None, alias="ringinuse")
    retry: Number | None = None
    max_wait_time: Number | None = Field(None, alias="maxwaittime")
    join_empty: OnOff | None = Field(None, alias="joinempty")
    leave_when_empty: OnOff | None = Field(None, alias="leavewhenempty")
    announce_position: OnOff | None = Field(None, alias="announcepos")
    announce_frequency: Number | None = Field(None, alias="announcefreq")
    announce_hold_time: OnOff | None = Field(None, alias="announceholdtime")
    user_announcement_frequency: Number | None = Field(None, alias="userannouncefreq")
    breakout_key: str | None = Field(None, alias="breakoutkey")
    breakout_action: str | None = Field(None, alias="breakoutaction")
    breakout_destination: str | None = Field(None, alias="breakoutdest")
    id_announcement: str | None = Field(None, alias="idannouncement")
    satisfaction_survey: str | None = Field(None, alias="satisfactionsurvey")


class AgentStatus(IntEnum):
    """``agentstatus`` in ``queuestatus/query``."""

    UNKNOWN = 0
    IDLE = 1
    IN_USE = 2
    BUSY = 3
    INVALID = 4
    UNAVAILABLE = 5
    RINGING = 6
    IN_USE_AND_RINGING = 7
    ON_HOLD = 8
    PAUSED = 9
    WRAP_UP = 10


def _agent_status(value: Any) -> Any:
    # Pydantic's union would keep the digits as a plain int: a known code becomes the enum.
    number = to_int(value)
    if isinstance(number, int) and number in AgentStatus._value2member_map_:
        return AgentStatus(number)
    return number


class QueueMember(ResponseModel):
    agent: str = ""
    status: Annotated[AgentStatus | int, BeforeValidator(_agent_status)] = Field(
        AgentStatus.UNKNOWN, alias="agentstatus", union_mode="left_to_right"
    )
    """An :class:`AgentStatus`, or the bare number for a code this SDK does not know."""


class QueueStatus(ResponseModel):
    """``queuestatus/query``: who waits and what each agent is doing."""

    number: str = Field("", alias="queuenumber")
    waiting_callers: int = 0
    members: list[QueueMember] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any) -> Any:
        # The PBX nests the figures one level down: {"queuestatus":[{"callercount", "members"}]}.
        if not isinstance(data, dict) or "queuestatus" not in data:
            return data
        flat = {k: v for k, v in data.items() if k != "queuestatus"}
        blocks = data["queuestatus"]
        if isinstance(blocks, dict):
            blocks = [blocks]
        waiting, members = 0, list[Any]()
        for block in blocks if isinstance(blocks, list) else []:
            count = str(block.get("callercount", "0")).strip()
            waiting += int(count) if count.isdigit() else 0
            members.extend(block.get("members") or [])
        flat.update(waiting_callers=waiting, members=members)
        return flat


class QueueStatusQuery(RequestModel):
    queue: str = Field(alias="queueid")


class QueueAgent(RequestModel):
    """``queue/add_dynamicagent``, ``queue/del_dynamicagent``, ``queue/(un)pause_agent``."""

    queue: str = Field(alias="queueid")
    extension: str = Field(alias="extid")
    password: str | None = None


QUEUE_QUERY = Endpoint("queue/query", many("queues", Queue), query=True)
QUEUE_UPDATE = Endpoint("queue/update", nothing)
QUEUE_STATUS = Endpoint("queuestatus/query", first("queues", QueueStatus), query=True)
QUEUE_ADD_DYNAMIC_AGENT = Endpoint("queue/add_dynamicagent", nothing)
QUEUE_REMOVE_DYNAMIC_AGENT = Endpoint("queue/del_dynamicagent", nothing)
QUEUE_PAUSE_AGENT = Endpoint("queue/pause_agent", nothing)
QUEUE_UNPAUSE_AGENT = Endpoint("queue/unpause_agent", nothing)
