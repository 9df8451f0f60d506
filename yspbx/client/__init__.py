"""The yspbx client: an SDK for any Yeastar S-Series PBX (API v1.1.0), sync and async, with a
receiver for the PBX's event reports and a helper for the simulator's control plane.

Everything public is re-exported here; the modules behind it are private.
"""

from yspbx.client._async_client import AsyncClient
from yspbx.client._auth import hash_password
from yspbx.client._client import Client
from yspbx.client._events import (
    Alert,
    Answer,
    Answered,
    BootUp,
    Bye,
    CallEvent,
    CallFailed,
    CallStatus,
    ConfigChange,
    Dtmf,
    Event,
    ExtensionParty,
    ExtensionStatus,
    InboundParty,
    Incoming,
    Invite,
    NewCdr,
    OutboundParty,
    Party,
    PlayPromptEnd,
    ReportFormatError,
    Ring,
    Satisfaction,
    SmsResult,
    Transfer,
    UnknownEvent,
    parse_report,
)
from yspbx.client._exceptions import (
    ApiError,
    BadCredentialsError,
    BusyError,
    ConnectError,
    InvalidValueError,
    LockoutError,
    LoginError,
    NotFoundError,
    NotPermittedError,
    ResponseError,
    TokenError,
    TransportError,
    TransportTimeout,
    YspbxError,
)
from yspbx.client._models.calls import CallParty, InboundCall, OutboundCall
from yspbx.client._models.extensions import Extension, ExtensionChanges, ExtensionSummary
from yspbx.client._models.files import CdrTicket, RecordingTicket
from yspbx.client._models.hotel import Alarm, ExtensionAlarms
from yspbx.client._models.ivrs import Ivr, IvrChanges
from yspbx.client._models.paging import PagingGroup, PagingGroupChanges, PagingGroupSummary
from yspbx.client._models.queues import AgentStatus, Queue, QueueChanges, QueueMember, QueueStatus
from yspbx.client._models.routes import (
    InboundRoute,
    InboundRouteChanges,
    OutboundRoute,
    OutboundRouteChanges,
)
from yspbx.client._models.system import DeviceInfo
from yspbx.client._models.trunks import SipTrunk, SipTrunkSettings, Trunk
from yspbx.client._receiver import ReportReceiver
from yspbx.client._simulator import AsyncSimulator, Simulator, SimulatorError
from yspbx.client._simulator_models import (
    BlockedIp,
    ExtensionState,
    HostedPbx,
    JournalEntry,
    ScenarioProgress,
    ScenarioRun,
    ScenarioTotals,
    SentReport,
    SimCall,
    SimDestination,
    SimFeature,
    SimLeg,
    SimService,
    SimSms,
    SimState,
    SimVoicemail,
)
from yspbx.client._tcp import AsyncTcpEvents, TcpEvents

__all__ = [
    "AgentStatus",
    "Alarm",
    "Alert",
    "Answer",
    "Answered",
    "ApiError",
    "AsyncClient",
    "AsyncSimulator",
    "AsyncTcpEvents",
    "BadCredentialsError",
    "BlockedIp",
    "BootUp",
    "BusyError",
    "Bye",
    "CallEvent",
    "CallFailed",
    "CallParty",
    "CallStatus",
    "CdrTicket",
    "Client",
    "ConfigChange",
    "ConnectError",
    "DeviceInfo",
    "Dtmf",
    "Event",
    "Extension",
    "ExtensionAlarms",
    "ExtensionChanges",
    "ExtensionParty",
    "ExtensionState",
    "ExtensionStatus",
    "ExtensionSummary",
    "HostedPbx",
    "InboundCall",
    "InboundParty",
    "InboundRoute",
    "InboundRouteChanges",
    "Incoming",
    "InvalidValueError",
    "Invite",
    "Ivr",
    "IvrChanges",
    "JournalEntry",
    "LockoutError",
    "LoginError",
    "NewCdr",
    "NotFoundError",
    "NotPermittedError",
    "OutboundCall",
    "OutboundParty",
    "OutboundRoute",
    "OutboundRouteChanges",
    "PagingGroup",
    "PagingGroupChanges",
    "PagingGroupSummary",
    "Party",
    "PlayPromptEnd",
    "Queue",
    "QueueChanges",
    "QueueMember",
    "QueueStatus",
    "RecordingTicket",
    "ReportFormatError",
    "ReportReceiver",
    "ResponseError",
    "Ring",
    "Satisfaction",
    "ScenarioProgress",
    "ScenarioRun",
    "ScenarioTotals",
    "SentReport",
    "SimCall",
    "SimDestination",
    "SimFeature",
    "SimLeg",
    "SimService",
    "SimSms",
    "SimState",
    "SimVoicemail",
    "Simulator",
    "SimulatorError",
    "SipTrunk",
    "SipTrunkSettings",
    "SmsResult",
    "TcpEvents",
    "TokenError",
    "Transfer",
    "TransportError",
    "TransportTimeout",
    "Trunk",
    "UnknownEvent",
    "YspbxError",
    "hash_password",
    "parse_report",
]


def _give_exceptions_their_public_module() -> None:
    """Tracebacks and ``repr`` name an exception where users import it from (``yspbx.ApiError``,
    ``yspbx.client.ConnectError``), not the private module that defines it; httpx does the
    same. Only exceptions: pydantic resolves a model's annotations through its module."""
    from yspbx import __all__ as top_level

    for name in __all__:
        value = globals()[name]
        if isinstance(value, type) and issubclass(value, Exception):
            value.__module__ = "yspbx" if name in top_level else __name__


_give_exceptions_their_public_module()
