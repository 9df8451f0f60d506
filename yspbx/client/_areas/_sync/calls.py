# Generated from _async/calls.py by `python -m yspbx.client._unasync`: do not edit.
from __future__ import annotations

from yspbx.client._areas._sync._area import Area
from yspbx.client._models import calls
from yspbx.client._models.calls import InboundCall, OutboundCall
from yspbx.client._wire import IdList, split_list


class Calls(Area):
    """Calls (docs/pbx-api/calls.md). Every method that starts or moves a call returns its call id;
    what happens next arrives as event reports (``RING``, ``ANSWER``, ``BYE``, ...)."""

    # -- live calls (9) -------------------------------------------------------------------

    def inbound(self, ids: IdList | None = None) -> list[InboundCall]:
        """Live inbound calls (all of them when ``ids`` is None)."""
        fields = calls.InboundQuery(ids=split_list(ids) if ids else None)
        return self._send(calls.INBOUND_QUERY, fields)

    def outbound(self, ids: IdList | None = None) -> list[OutboundCall]:
        """Live outbound calls (all of them when ``ids`` is None)."""
        fields = calls.OutboundQuery(ids=split_list(ids) if ids else None)
        return self._send(calls.OUTBOUND_QUERY, fields)

    # -- hang up, hold, mute (10) ---------------------------------------------------------

    def hang_up(self, extension: str) -> None:
        """End extension ``extension``'s current call."""
        self._send(calls.EXTENSION_HANGUP, calls.ExtensionRef(extension=extension))

    def hang_up_inbound(self, inbound_id: str) -> None:
        self._send(calls.INBOUND_HANGUP, calls.InboundRef(inbound=inbound_id))

    def hang_up_outbound(self, outbound_id: str) -> None:
        self._send(calls.OUTBOUND_HANGUP, calls.OutboundRef(outbound=outbound_id))

    def hold(self, extension: str) -> None:
        self._send(calls.EXTENSION_HOLD, calls.ExtensionRef(extension=extension))

    def unhold(self, extension: str) -> None:
        self._send(calls.EXTENSION_UNHOLD, calls.ExtensionRef(extension=extension))

    def mute(self, extension: str) -> None:
        """The other party stops hearing ``extension`` (until unmute or the end of the call)."""
        self._send(calls.EXTENSION_MUTE, calls.ExtensionRef(extension=extension))

    def unmute(self, extension: str) -> None:
        self._send(calls.EXTENSION_UNMUTE, calls.ExtensionRef(extension=extension))

    # -- monitoring (11) ------------------------------------------------------------------

    def listen(self, monitor: str, target: str) -> None:
        """Extension ``monitor`` listens to ``target``'s call, unheard."""
        self._send(calls.EXTENSION_LISTEN, calls.Listen(monitor=monitor, target=target))

    def whisper(self, monitor: str, target: str) -> None:
        """``monitor`` talks to ``target`` only; the far party hears nothing."""
        self._send(calls.EXTENSION_WHISPER, calls.Whisper(monitor=monitor, target=target))

    def barge(self, monitor: str, target: str) -> None:
        """``monitor`` joins ``target``'s call, three-way."""
        self._send(calls.EXTENSION_BARGE, calls.Barge(monitor=monitor, target=target))

    # -- originate (12) -------------------------------------------------------------------

    def dial_extension(self, caller: str, callee: str, *, auto_answer: bool = False) -> str:
        """Ring extension ``caller``; once it answers, ring extension ``callee``."""
        fields = calls.DialExtension(caller=caller, callee=callee, auto_answer=auto_answer)
        return self._send(calls.DIAL_EXTENSION, fields)

    def dial_outbound(self, extension: str, number: str, *, auto_answer: bool = False) -> str:
        """Ring ``extension``; once it answers, dial the external ``number``."""
        fields = calls.DialOutbound(extension=extension, number=number, auto_answer=auto_answer)
        return self._send(calls.DIAL_OUTBOUND, fields)

    def callback(self, first_number: str, second_number: str, from_extension: str) -> str:
        """Dial ``first_number``, then bridge it to ``second_number`` (two external numbers),
        with the outbound permissions of ``from_extension``."""
        fields = calls.Callback(
            first_number=first_number, second_number=second_number, from_extension=from_extension
        )
        return self._send(calls.CALLBACK, fields)

    def dial_extension_to_ivr(self, ivr: str, extension: str, *, auto_answer: bool = False) -> str:
        """Ring ``extension`` and, once answered, put it into ``ivr`` (key presses are reported
        as ``DTMF``)."""
        fields = calls.IvrDialExtension(ivr=ivr, extension=extension, auto_answer=auto_answer)
        return self._send(calls.IVR_DIAL_EXTENSION, fields)

    def dial_number_to_ivr(self, ivr: str, number: str, from_extension: str) -> str:
        """Dial the external ``number`` and, once answered, put it into ``ivr``."""
        fields = calls.IvrDialOutbound(ivr=ivr, number=number, from_extension=from_extension)
        return self._send(calls.IVR_DIAL_OUTBOUND, fields)

    def dial_number_to_queue(self, queue: str, number: str, from_extension: str) -> str:
        """Dial the external ``number`` and, once answered, queue it in ``queue``."""
        fields = calls.QueueDialOutbound(queue=queue, number=number, from_extension=from_extension)
        return self._send(calls.QUEUE_DIAL_OUTBOUND, fields)

    def dial_number_to_ring_group(self, ring_group: str, number: str, from_extension: str) -> str:
        """Dial the external ``number`` and, once answered, ring ``ring_group``."""
        fields = calls.RingGroupDialOutbound(
            ring_group=ring_group, number=number, from_extension=from_extension
        )
        return self._send(calls.RINGGROUP_DIAL_OUTBOUND, fields)

    # -- transfer (13) --------------------------------------------------------------------

    def transfer(
        self,
        callid: str,
        transferor: str,
        destination: str,
        *,
        from_extension: str | None = None,
    ) -> str:
        """Transfer call ``callid`` away from party ``transferor`` (who leaves the call) to
        ``destination``: an extension, IVR, queue, ring group or external number (dialled
        with ``from_extension``'s outbound permissions)."""
        fields = calls.CallTransfer(
            callid=callid,
            transferor=transferor,
            destination=destination,
            from_extension=from_extension,
        )
        return self._send(calls.CALL_TRANSFER, fields)

    def transfer_inbound(self, inbound_id: str, number: str, *, from_extension: str = "") -> str:
        """Send inbound call ``inbound_id`` (ringing or answered) to ``number``."""
        fields = calls.InboundTransfer(
            inbound=inbound_id, number=number, from_extension=from_extension
        )
        return self._send(calls.INBOUND_TRANSFER, fields)

    def transfer_outbound(self, outbound_id: str, number: str, from_extension: str) -> str:
        """Send outbound call ``outbound_id`` to ``number``."""
        fields = calls.OutboundTransfer(
            outbound=outbound_id, number=number, from_extension=from_extension
        )
        return self._send(calls.OUTBOUND_TRANSFER, fields)

    # -- inbound call control (14) --------------------------------------------------------

    def accept_inbound(self, inbound_id: str) -> None:
        """Let an inbound call announced by an ``Invite`` report in (within 10 seconds)."""
        self._send(calls.INBOUND_ACCEPT, calls.InboundRef(inbound=inbound_id))

    def refuse_inbound(self, inbound_id: str) -> None:
        """Drop an inbound call announced by an ``Invite`` report (it is not logged)."""
        self._send(calls.INBOUND_REFUSE, calls.InboundRef(inbound=inbound_id))
