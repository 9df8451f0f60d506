"""Routing: what a dialled number reaches, read from the PBX's current configuration.

Three questions, one answer type (:mod:`.call_targets`):

* an internal number (extension, IVR, queue, ring group, conference room) reaches that object;
* anything else goes out through the first outbound route whose pattern matches and that the
  dialling extension may use (``extensions`` of the route; an extension with
  ``callrestriction`` on may use none);
* a call arriving on a trunk follows the inbound routes: first a route with a DID or caller
  pattern that matches, then the dialled number itself when it is an internal number (a direct
  dial), then a catch-all route (no DID, no caller pattern) of that trunk.
"""

from __future__ import annotations

from yspbx.errors import Errno, PbxError
from yspbx.pbx.models import InboundRoute, OutboundRoute
from yspbx.pbx.simulated.calls.call_targets import (
    HUNG_UP_BY_ROUTE,
    NO_PERMISSION,
    NOT_FOUND,
    NOT_SIMULATED,
    ConferenceTarget,
    ExtensionTarget,
    ExternalTarget,
    IvrTarget,
    QueueTarget,
    RingGroupTarget,
    Target,
    Unreachable,
    VoicemailTarget,
)
from yspbx.pbx.simulated.calls.patterns import NumberRange, matches, matches_prefix
from yspbx.pbx.simulated.config import SimulatedConfig

LINE_UNREACHABLE = Unreachable("Line unreachable", "FAILED")

# Number blocks of the default PBX (docs/configuration.md), used to pick the errno for a number that
# names nothing: 62xx would be an IVR, 63xx a ring group, 67xx a queue.
_BLOCK_ERRNOS = (("62", Errno.IVR_NOT_FOUND), ("63", Errno.RINGGROUP_NOT_FOUND))
_QUEUE_BLOCK = ("67", Errno.QUEUE_NOT_FOUND)


class Router:
    def __init__(self, config: SimulatedConfig) -> None:
        self._config = config

    def internal(self, number: str) -> Target | None:
        """The PBX object a number names, or None."""
        config = self._config
        if number in config.extensions:
            return ExtensionTarget(number)
        if number in config.ivrs:
            return IvrTarget(number)
        if number in config.queues:
            return QueueTarget(number)
        if number in config.ringgroups:
            return RingGroupTarget(number)
        if number in config.conferences:
            return ConferenceTarget(number)
        return None

    def outbound(self, number: str, fromext: str) -> ExternalTarget | Unreachable | None:
        """The outbound route for ``number`` as ``fromext`` may use it.

        None when no route's pattern matches; :data:`NO_PERMISSION` when routes match but the
        extension may use none of them. An empty ``fromext`` (an API transfer that names no
        extension) may use any route.
        """
        candidates = [
            r for r in self._config.outroutes.values() if matches_prefix(r.prefix, number)
        ]
        if not candidates:
            return None
        extension = self._config.extensions.get(fromext) if fromext else None
        if fromext and (extension is None or extension.callrestriction):
            return NO_PERMISSION
        for route in candidates:
            if not fromext or fromext in route.extensions:
                return self._through(route, number, fromext)
        return NO_PERMISSION

    def _through(
        self, route: OutboundRoute, number: str, fromext: str
    ) -> ExternalTarget | Unreachable:
        trunk = next((t for t in route.trunks if t in self._config.trunks), None)
        if trunk is None:
            return LINE_UNREACHABLE
        trunk_number = route.prepend + number[max(0, route.strip) :]
        return ExternalTarget(number, trunk, trunk_number, route.name, fromext)

    def dialled_by(self, extension: str, number: str) -> Target:
        """What an extension reaches by dialling ``number`` on its phone."""
        found = self.internal(number)
        if found is not None:
            return found
        return self.outbound(number, extension) or NOT_FOUND

    def for_api(self, number: str, fromext: str) -> Target:
        """A destination named in an API request, or the request's errno."""
        found = self.internal(number)
        if found is not None:
            return found
        if fromext and fromext not in self._config.extensions:
            raise PbxError(Errno.EXTENSION_NOT_FOUND, f"fromext {fromext}")
        target = self.outbound(number, fromext)
        if isinstance(target, ExternalTarget):
            return target
        if target is NO_PERMISSION:
            raise PbxError(Errno.NO_OUTBOUND_PERMISSION, f"{fromext} may not dial {number}")
        raise PbxError(errno_for_unknown(number), number)

    def outbound_for_api(self, number: str, fromext: str) -> ExternalTarget:
        """An external number an API dial names; 10024 unless ``fromext`` may reach it."""
        target = self.outbound(number, fromext)
        if isinstance(target, ExternalTarget):
            return target
        raise PbxError(Errno.NO_OUTBOUND_PERMISSION, f"{fromext} may not dial {number}")

    def inbound(self, trunk: str, caller: str, dialled: str) -> Target:
        """Where a call arriving on ``trunk`` from ``caller`` for ``dialled`` goes."""
        routes = [r for r in self._config.inroutes.values() if trunk in r.trunks]
        for route in routes:
            specific = bool(route.did.strip() or route.caller_id.strip())
            if specific and matches(route.did, dialled) and matches(route.caller_id, caller):
                return self._destination(route, dialled)
        direct = self.internal(dialled)
        if direct is not None:
            return direct
        for route in routes:
            if not (route.did.strip() or route.caller_id.strip()):
                return self._destination(route, dialled)
        return NOT_FOUND

    def _destination(self, route: InboundRoute, dialled: str) -> Target:
        dest = route.dest.strip()
        if route.desttype == "hangup":
            return HUNG_UP_BY_ROUTE
        if route.desttype == "extrange":
            return self._in_range(route, dialled)
        if route.desttype == "voicemail":
            return VoicemailTarget(dest) if dest in self._config.extensions else NOT_FOUND
        if route.desttype in ("extension", "ivr", "queue", "ringgroup"):
            return self.internal(dest) or NOT_FOUND
        return NOT_SIMULATED

    def _in_range(self, route: InboundRoute, dialled: str) -> Target:
        """DID n of the route's DID range rings extension n of its extension range."""
        dids, extensions = NumberRange.parse(route.did), NumberRange.parse(route.dest)
        position = dids.position(dialled) if dids is not None else None
        if position is None or extensions is None or position >= len(extensions):
            return NOT_FOUND
        number = extensions.at(position)
        return ExtensionTarget(number) if number in self._config.extensions else NOT_FOUND


def errno_for_unknown(number: str) -> Errno:
    """The errno for a destination number that names nothing the PBX has."""
    for prefix, errno in (*_BLOCK_ERRNOS, _QUEUE_BLOCK):
        if len(number) == 4 and number.startswith(prefix):
            return errno
    return Errno.EXTENSION_NOT_FOUND
