"""An API call handed to the engine's process (in a fleet), and its answer, as fleet messages.

The receiving process has already checked the request (method, token, JSON body, endpoint,
required fields); the engine's process runs the endpoint's handler on it
(:meth:`yspbx.api.envelope.ApiApp.execute`) and answers the bytes to send. The fleet carries
these messages without knowing what is in them, so it imports nothing from the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from yspbx.api.registry import Encoded, FileReply
from yspbx.fleet.links import EngineUnavailable
from yspbx.fleet.messages import Message
from yspbx.sessions.models import ReportTarget, Session

API = "api"


@dataclass(frozen=True, slots=True)
class ApiCall:
    endpoint: str
    client_ip: str
    session: Session | None
    body: bytes
    query: Mapping[str, str]


def api_message(call: ApiCall) -> Message:
    session = asdict(call.session) if call.session is not None else None
    header = {
        "kind": API,
        "endpoint": call.endpoint,
        "client_ip": call.client_ip,
        "session": session,
        "query": dict(call.query),
    }
    return Message(header, call.body)


def read_api_message(message: Message) -> ApiCall:
    header = message.header
    raw = header.get("session")
    session = None
    if isinstance(raw, dict):
        session = Session(**{**raw, "target": ReportTarget(**raw["target"])})
    return ApiCall(
        endpoint=str(header["endpoint"]),
        client_ip=str(header["client_ip"]),
        session=session,
        body=message.payload,
        query={str(k): str(v) for k, v in dict(header.get("query") or {}).items()},
    )


def api_answer(reply: Encoded | FileReply) -> Message:
    if isinstance(reply, FileReply):
        header = {"kind": "file", "media_type": reply.media_type, "filename": reply.filename}
        return Message(header, reply.content)
    return Message({"kind": "json"}, reply.body)


def read_api_answer(message: Message) -> Encoded | FileReply:
    if message.kind == "file":
        header = message.header
        return FileReply(message.payload, str(header["media_type"]), str(header["filename"]))
    if message.kind == "json":
        return Encoded(message.payload)
    raise EngineUnavailable(str(message.header.get("detail", "the engine could not answer")))
