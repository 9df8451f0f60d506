from yspbx.client._areas._async.calls import AsyncCalls
from yspbx.client._areas._async.extensions import AsyncExtensions
from yspbx.client._areas._async.files import AsyncCdr, AsyncRecordings
from yspbx.client._areas._async.groups import AsyncIvrs, AsyncPagingGroups, AsyncQueues
from yspbx.client._areas._async.services import AsyncHotel, AsyncPrompts, AsyncSms
from yspbx.client._areas._async.system import AsyncSystem
from yspbx.client._areas._async.trunks import (
    AsyncInboundRoutes,
    AsyncOutboundRoutes,
    AsyncTrunks,
)
from yspbx.client._areas._async.v2 import AsyncApi2

__all__ = [
    "AsyncApi2",
    "AsyncCalls",
    "AsyncCdr",
    "AsyncExtensions",
    "AsyncHotel",
    "AsyncInboundRoutes",
    "AsyncIvrs",
    "AsyncOutboundRoutes",
    "AsyncPagingGroups",
    "AsyncPrompts",
    "AsyncQueues",
    "AsyncRecordings",
    "AsyncSms",
    "AsyncSystem",
    "AsyncTrunks",
]
