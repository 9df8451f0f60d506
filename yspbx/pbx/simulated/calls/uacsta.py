"""uaCSTA phone control (2.0.0 ``uacstacall/accept_inbound``): the application makes an
extension's phone answer the call ringing on it.

A phone names its calls by a ``cstacallid``; the simulated PBX gives every ringing leg one:
the sequence number of the leg's channel, in decimal (the leg on ``PJSIP/1000-00000031``
is ``cstacallid`` ``49``). ``10006`` for an extension the PBX does not have, ``10004`` for an
``ipaddress`` that is not ``ip:port``, ``10007`` when nothing rings on the extension under
that ``cstacallid``.
"""

from __future__ import annotations

import ipaddress

from yspbx.errors import Errno, PbxError
from yspbx.pbx.simulated.calls.destinations import Destinations
from yspbx.pbx.simulated.calls.model import Leg, LegState
from yspbx.pbx.simulated.calls.switch import Switch


def csta_call_id(leg: Leg) -> str:
    """The ``cstacallid`` of a leg: its channel's sequence number, in decimal."""
    _, _, sequence = leg.channel.rpartition("-")
    try:
        return str(int(sequence, 16))
    except ValueError:
        return ""


def phone_address(value: str) -> bool:
    """``192.168.66.70:5060``: an IPv4 address and a port."""
    host, _, port = value.rpartition(":")
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return False
    return port.isdigit() and 1 <= int(port) <= 65535


class UaCsta:
    def __init__(self, switch: Switch, destinations: Destinations) -> None:
        self._switch = switch
        self._destinations = destinations

    def accept_inbound(self, extnumber: str, cstacallid: str, address: str) -> None:
        if extnumber not in self._switch.config.extensions:
            raise PbxError(Errno.EXTENSION_NOT_FOUND, f"no extension {extnumber}")
        if not phone_address(address):
            raise PbxError(Errno.MISSING_PARAMETER, f"ipaddress {address!r} is not ip:port")
        found = self._switch.extension_leg(extnumber)
        if found is None:
            raise PbxError(Errno.CALL_NOT_FOUND, f"nothing rings on {extnumber}")
        call, leg = found
        if leg.state is not LegState.RINGING or csta_call_id(leg) != cstacallid:
            raise PbxError(Errno.CALL_NOT_FOUND, f"no ringing call {cstacallid} on {extnumber}")
        self._destinations.answer(call, leg)
