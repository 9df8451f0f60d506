"""``queue/query|update``, ``queuestatus/query`` and the agent endpoints
(docs/pbx-api/ivrs-queues-paging.md)."""

from __future__ import annotations

from yspbx.api.registry import ApiRequest, ApiRouter, Field, Reply
from yspbx.api.wire import (
    LIST,
    ON_OFF,
    TEXT,
    Codec,
    WireField,
    array_of,
    choice,
    declare,
    int_choice,
    object_schema,
    read_changes,
    selection,
    write,
)
from yspbx.errors import Errno
from yspbx.pbx.config_ops import QueueInfo, QueueStatus
from yspbx.pbx.vocabulary import (
    AGENT_TIMEOUTS,
    ANNOUNCE_FREQUENCIES,
    BREAKOUT_KEYS,
    MAX_WAIT_TIMES,
    QUEUE_ACTIONS,
    RETRY_TIMES,
    RING_STRATEGIES,
    WRAPUP_TIMES,
)

router = ApiRouter("queues")

# The PBX lists static agents with a trailing comma ("2001,2002,").
AGENTS = Codec(LIST.parse, lambda agents: "".join(f"{a}," for a in agents), kind="list")
ACTION = choice(*QUEUE_ACTIONS)

UPDATE_FIELDS: tuple[WireField, ...] = (
    WireField("queuenumber", "number", TEXT, "new queue number"),
    WireField("queuename", "name", TEXT, "1-31 characters, no spaces or punctuation"),
    WireField("password", "password", TEXT, "dynamic agents' password: digits"),
    WireField("ringstrategy", "ringstrategy", choice(*RING_STRATEGIES)),
    WireField("failoveraction", "failoveraction", ACTION),
    WireField("failoverdest", "failoverdest"),
    WireField("agents", "agents", AGENTS, "static agents, comma-separated"),
    WireField("agenttimeout", "agenttimeout", int_choice(*AGENT_TIMEOUTS)),
    WireField("wrapuptime", "wrapuptime", int_choice(*WRAPUP_TIMES)),
    WireField("ringinuse", "ringinuse", ON_OFF),
    WireField("retry", "retry", int_choice(*RETRY_TIMES)),
    WireField("maxwaittime", "maxwaittime", int_choice(*MAX_WAIT_TIMES)),
    WireField("joinempty", "joinempty", ON_OFF),
    WireField("leavewhenempty", "leavewhenempty", ON_OFF),
    WireField("announcepos", "announcepos", ON_OFF),
    WireField("announcefreq", "announcefreq", int_choice(*ANNOUNCE_FREQUENCIES)),
    WireField("announceholdtime", "announceholdtime", ON_OFF),
    WireField("userannouncefreq", "userannouncefreq", int_choice(*ANNOUNCE_FREQUENCIES)),
    WireField("breakoutkey", "breakoutkey", choice(*BREAKOUT_KEYS)),
    WireField("breakoutaction", "breakoutaction", ACTION),
    WireField("breakoutdest", "breakoutdest"),
    WireField("idannouncement", "idannouncement", TEXT, "custom prompt, or None"),
    WireField("satisfactionsurvey", "satisfactionsurvey", TEXT, "custom prompt, or None"),
)
_F = {f.wire: f for f in UPDATE_FIELDS}
for _wire in ("agentannounce", "musiconhold", "joinannounce", "userannounce"):
    _F[_wire] = WireField(_wire, _wire)

# queue/query's keys in the order of the vendor's example; the failover destination and the
# breakout action only appear where they apply.
_HEAD = ("queuenumber", "password", "queuename", "ringstrategy", "failoveraction")
_MIDDLE = (
    "agenttimeout",
    "agentannounce",
    "wrapuptime",
    "ringinuse",
    "retry",
    "musiconhold",
    "maxwaittime",
    "joinempty",
    "leavewhenempty",
    "joinannounce",
    "announcepos",
    "announcefreq",
    "announceholdtime",
    "userannounce",
    "userannouncefreq",
    "breakoutkey",
)
_OPTIONAL = ("failoverdest", "breakoutaction", "breakoutdest")
_KEYS = (*_HEAD, "agents", "dynamicagents", *_MIDDLE, "satisfactionsurvey", "idannouncement")


def queue_info(info: QueueInfo) -> dict[str, str]:
    queue = info.queue
    shown = write(queue, (_F[key] for key in _HEAD))
    if queue.failoveraction != "Hang up":
        shown["failoverdest"] = queue.failoverdest
    shown["agents"] = AGENTS.show(queue.agents)
    shown["dynamicagents"] = ",".join(info.dynamic_agents)
    shown.update(write(queue, (_F[key] for key in _MIDDLE)))
    if queue.breakoutkey != "None":
        shown["breakoutaction"] = queue.breakoutaction
        shown["breakoutdest"] = queue.breakoutdest
    shown["satisfactionsurvey"] = queue.satisfactionsurvey
    shown["idannouncement"] = queue.idannouncement
    return shown


def queue_status(status: QueueStatus) -> dict[str, object]:
    members = [{"agent": a.agent, "agentstatus": str(int(a.state))} for a in status.agents]
    return {
        "queuenumber": status.number,
        "queuestatus": [{"callercount": str(status.waiting), "members": members}],
    }


_QUEUE = Field("queueid", required=True, description="the queue's number")
_AGENT = Field("extid", required=True, description="the agent's extension")
_STATUS_SCHEMA = {
    "type": "object",
    "properties": {
        "queuenumber": {"type": "string"},
        "queuestatus": array_of(
            {
                "type": "object",
                "properties": {
                    "callercount": {"type": "string"},
                    "members": array_of(object_schema(("agent", "agentstatus"))),
                },
                "required": ["callercount", "members"],
                "additionalProperties": False,
            }
        ),
    },
    "required": ["queuenumber", "queuestatus"],
    "additionalProperties": False,
}


@router.endpoint(
    "queue/query",
    summary="The settings of the queues named in queueid (comma-separated), or of all.",
    fields=(Field("queueid", description="queue numbers, comma-separated; absent: every one"),),
    response={"queues": array_of(object_schema(_KEYS, _OPTIONAL))},
    errors=(Errno.QUEUE_NOT_FOUND,),
    example={"queueid": "6700"},
)
async def queue_query(request: ApiRequest) -> Reply:
    infos = await request.engine.config.query_queues(selection(request.params, "queueid"))
    return {"queues": [queue_info(info) for info in infos]}


@router.endpoint(
    "queue/update",
    summary="Change a queue's settings; only the fields sent change.",
    fields=(
        Field("queueid", required=True, description="the queue to change"),
        *declare(UPDATE_FIELDS),
    ),
    errors=(Errno.QUEUE_NOT_FOUND, Errno.QUEUE_CONFIG_FAILED),
    example={"queueid": "6700", "ringstrategy": "Least Recent", "agents": "1001,1002,1003"},
)
async def queue_update(request: ApiRequest) -> Reply:
    number = request.params.require("queueid")
    changes = read_changes(request.params, UPDATE_FIELDS, Errno.QUEUE_CONFIG_FAILED)
    await request.engine.config.update_queue(number, changes)
    return {}


@router.endpoint(
    "queuestatus/query",
    summary="Callers waiting in the queue and the state of each of its agents.",
    fields=(_QUEUE,),
    response={"queues": array_of(_STATUS_SCHEMA)},
    errors=(Errno.QUEUE_NOT_FOUND,),
    example={"queueid": "6700"},
)
async def queuestatus_query(request: ApiRequest) -> Reply:
    statuses = await request.engine.config.queue_status(selection(request.params, "queueid"))
    return {"queues": [queue_status(status) for status in statuses]}


@router.endpoint(
    "queue/add_dynamicagent",
    summary="Log an extension in to a queue as a dynamic agent.",
    fields=(_QUEUE, _AGENT, Field("password", description="the queue's agent password")),
    errors=(Errno.QUEUE_NOT_FOUND, Errno.EXTENSION_NOT_FOUND, Errno.WRONG_PASSWORD),
    example={"queueid": "6700", "extid": "1003", "password": "1234"},
)
async def add_dynamic_agent(request: ApiRequest) -> Reply:
    params = request.params
    await request.engine.config.add_dynamic_agent(
        params.require("queueid"), params.require("extid"), params.text("password")
    )
    return {}


@router.endpoint(
    "queue/del_dynamicagent",
    summary="Log a dynamic agent out of a queue.",
    fields=(_QUEUE, _AGENT, Field("password", description="needed when the queue has one")),
    errors=(Errno.QUEUE_NOT_FOUND, Errno.EXTENSION_NOT_FOUND, Errno.WRONG_PASSWORD),
    example={"queueid": "6700", "extid": "1003", "password": "1234"},
)
async def del_dynamic_agent(request: ApiRequest) -> Reply:
    params = request.params
    await request.engine.config.remove_dynamic_agent(
        params.require("queueid"), params.require("extid"), params.text("password")
    )
    return {}


@router.endpoint(
    "queue/pause_agent",
    summary="Pause an agent: the queue stops offering it calls.",
    fields=(_QUEUE, _AGENT),
    errors=(Errno.QUEUE_NOT_FOUND, Errno.EXTENSION_NOT_FOUND),
    example={"queueid": "6700", "extid": "1001"},
)
async def pause_agent(request: ApiRequest) -> Reply:
    params = request.params
    await request.engine.config.pause_agent(params.require("queueid"), params.require("extid"))
    return {}


@router.endpoint(
    "queue/unpause_agent",
    summary="Resume a paused agent.",
    fields=(_QUEUE, _AGENT),
    errors=(Errno.QUEUE_NOT_FOUND, Errno.EXTENSION_NOT_FOUND),
    example={"queueid": "6700", "extid": "1001"},
)
async def unpause_agent(request: ApiRequest) -> Reply:
    params = request.params
    await request.engine.config.unpause_agent(params.require("queueid"), params.require("extid"))
    return {}
