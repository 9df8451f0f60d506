"""Controlling live calls through the API: hang up, hold, mute, monitor (docs/pbx-api/calls.md).

Which errno when: ``10006`` the extension does not exist; ``10007`` it (or the inbound/outbound
id) is in no call; ``10015`` the call is not connected yet (hold, mute and monitoring need a
conversation). Holding a held call or unholding a talking one changes nothing and succeeds.
"""

from __future__ import annotations

from yspbx.errors import Errno, PbxError
from yspbx.pbx.call_ops import MonitorMode
from yspbx.pbx.simulated.calls.destinations import Destinations
from yspbx.pbx.simulated.calls.dialing import Dialer
from yspbx.pbx.simulated.calls.model import Call, Leg, LegKind, LegState, Role
from yspbx.pbx.simulated.calls.switch import Switch


class CallControl:
    def __init__(self, switch: Switch, destinations: Destinations, dialer: Dialer) -> None:
        self._switch = switch
        self._destinations = destinations
        self._dialer = dialer

    def in_call(self, extid: str) -> tuple[Call, Leg]:
        self._dialer.extension(extid)
        found = self._switch.extension_leg(extid)
        if found is None:
            raise PbxError(Errno.CALL_NOT_FOUND, f"{extid} is in no call")
        return found

    def trunk_call(self, leg_id: str, kind: LegKind) -> tuple[Call, Leg]:
        found = self._switch.trunk_leg(leg_id, kind)
        if found is None:
            raise PbxError(Errno.CALL_NOT_FOUND, leg_id)
        return found

    def hangup_extension(self, extid: str) -> None:
        self._switch.release(*self.in_call(extid))

    def hangup_trunk(self, leg_id: str, kind: LegKind) -> None:
        self._switch.release(*self.trunk_call(leg_id, kind))

    def hold(self, extid: str, held: bool) -> None:
        call, leg = self.in_call(extid)
        wanted = LegState.HELD if held else LegState.TALKING
        if leg.state is wanted:
            return
        if leg.role is Role.MONITOR or leg.state not in (LegState.TALKING, LegState.HELD):
            raise PbxError(Errno.CALL_NOT_CONNECTED, f"{extid}'s call is {leg.state}")
        self._switch.move(call, leg, wanted)

    def mute(self, extid: str, muted: bool) -> None:
        _, leg = self.in_call(extid)
        if not leg.connected:
            raise PbxError(Errno.CALL_NOT_CONNECTED, f"{extid}'s call is {leg.state}")
        leg.muted = muted

    def monitor(self, mode: MonitorMode, monitor: str, monitored: str) -> None:
        """Checks in this order: both exist (10006), the monitored extension allows it and
        nobody monitors the call yet (10009), the monitor's mode permits ``mode`` (10010),
        the monitor is idle and reachable (10008), the monitored extension talks (10007 when
        in no call, 10015 while its call is not connected)."""
        listener = self._dialer.extension(monitor)
        target = self._dialer.extension(monitored)
        if not target.allowbeingmonitored:
            raise PbxError(Errno.MONITOR_NOT_ALLOWED, monitored)
        if listener.monitormode not in ("Extensive", mode):
            raise PbxError(Errno.MONITOR_MODE_MISMATCH, f"{monitor} is {listener.monitormode}")
        if monitor == monitored or not self._switch.is_idle(monitor) or not listener.registered:
            raise PbxError(Errno.EXTENSION_NOT_IDLE, monitor)
        found = self._switch.extension_leg(monitored)
        if found is None:
            raise PbxError(Errno.CALL_NOT_FOUND, f"{monitored} is in no call")
        call, leg = found
        if leg.role is Role.MONITOR or leg.state not in (LegState.TALKING, LegState.HELD):
            raise PbxError(Errno.CALL_NOT_CONNECTED, f"{monitored}'s call is {leg.state}")
        if any(other.role is Role.MONITOR for other in call.live_legs()):
            raise PbxError(Errno.MONITOR_NOT_ALLOWED, f"{monitored}'s call is monitored already")
        spy = Leg(LegKind.EXTENSION, monitor, Role.MONITOR, LegState.RINGING, monitor_mode=mode)
        self._switch.add_leg(call, spy)
        # IP phones answer a monitoring call by themselves; an analog (FXS) phone rings.
        if listener.type == "SIP":
            self._destinations.answer(call, spy)
