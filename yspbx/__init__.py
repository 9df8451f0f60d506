"""yspbx: the Yeastar S-Series PBX API end to end.

``from yspbx import Client, AsyncClient, ApiError, ReportReceiver`` gives the client SDK; the
rest of it is in :mod:`yspbx.client`. The client is imported on first use, so running the server
(or loading the pytest plugin) does not pay for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from yspbx.client import (
        ApiError,
        AsyncClient,
        BadCredentialsError,
        Client,
        LockoutError,
        LoginError,
        ReportReceiver,
        Simulator,
        TransportError,
        YspbxError,
    )

__all__ = [
    "ApiError",
    "AsyncClient",
    "BadCredentialsError",
    "Client",
    "LockoutError",
    "LoginError",
    "ReportReceiver",
    "Simulator",
    "TransportError",
    "YspbxError",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("yspbx.client"), name)
    raise AttributeError(f"module 'yspbx' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
