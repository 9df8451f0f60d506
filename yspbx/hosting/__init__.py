"""Many PBXs in one server: the registry of hosted PBXs beside the default one, and their ports.

:class:`PbxRegistry` (:mod:`.registry`) keeps, per hosted PBX, its own
:class:`~yspbx.services.Services` (settings, clock, sessions, lockouts, journal, seat) on its own
namespace of the store, and the port it answers on (:mod:`.ports`). ``docs/architecture.md``
("Many PBXs on one server") has the picture.
"""

from __future__ import annotations

from yspbx.hosting.ports import PortListeners
from yspbx.hosting.registry import (
    HostedPbx,
    PbxConfigInvalid,
    PbxExists,
    PbxRegistry,
    PortUnavailable,
    UnknownPbx,
)

__all__ = [
    "HostedPbx",
    "PbxConfigInvalid",
    "PbxExists",
    "PbxRegistry",
    "PortListeners",
    "PortUnavailable",
    "UnknownPbx",
]
