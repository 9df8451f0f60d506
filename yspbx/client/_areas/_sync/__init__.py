# Generated from _async/__init__.py by `python -m yspbx.client._unasync`: do not edit.
from yspbx.client._areas._sync.calls import Calls
from yspbx.client._areas._sync.extensions import Extensions
from yspbx.client._areas._sync.files import Cdr, Recordings
from yspbx.client._areas._sync.groups import Ivrs, PagingGroups, Queues
from yspbx.client._areas._sync.services import Hotel, Prompts, Sms
from yspbx.client._areas._sync.system import System
from yspbx.client._areas._sync.trunks import (
    InboundRoutes,
    OutboundRoutes,
    Trunks,
)
from yspbx.client._areas._sync.v2 import Api2

__all__ = [
    "Api2",
    "Calls",
    "Cdr",
    "Extensions",
    "Hotel",
    "InboundRoutes",
    "Ivrs",
    "OutboundRoutes",
    "PagingGroups",
    "Prompts",
    "Queues",
    "Recordings",
    "Sms",
    "System",
    "Trunks",
]
