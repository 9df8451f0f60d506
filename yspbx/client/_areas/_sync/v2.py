# Generated from _async/v2.py by `python -m yspbx.client._unasync`: do not edit.
from __future__ import annotations

from yspbx.client._areas._sync._area import Area
from yspbx.client._models import v2
from yspbx.client._models.v2 import Call, Extension, ExtensionCalls, Trunk
from yspbx.client._wire import IdList, split_list


class Api2(Area):
    """API 2.0.0 (docs/api-2.md): calls addressed by channel (``PJSIP/1000-000000c0``, from
    ``CallStatus`` events or :meth:`query`), each method answering the call's id."""

    def dial(
        self,
        caller: str,
        callee: str,
        *,
        dial_permission: str | None = None,
        autoanswer: bool | None = None,
    ) -> str:
        """Ring ``caller`` (extension, IVR, queue, ring group or a number outside), then
        ``callee``."""
        fields = v2.Dial(
            caller=caller, callee=callee, dial_permission=dial_permission, autoanswer=autoanswer
        )
        return self._send(v2.DIAL, fields)

    def query(self, callid: str | None = None, *, type: str | None = None) -> list[Call]:
        """One call by id, or every ``inbound`` / ``outbound`` call, with their members."""
        return self._send(v2.QUERY, v2.CallQuery(callid=callid, type=type))

    def query_call(self, numbers: IdList = "all") -> list[ExtensionCalls]:
        """The calls of the extensions named (extensions in no call are left out)."""
        return self._send(v2.QUERY_CALL, v2.Numbers(numbers=split_list(numbers)))

    def hang_up(self, channel: str) -> str:
        return self._send(v2.HANGUP, v2.ChannelRef(channel=channel))

    def hold(self, channel: str) -> str:
        return self._send(v2.HOLD, v2.ChannelRef(channel=channel))

    def unhold(self, channel: str) -> str:
        return self._send(v2.UNHOLD, v2.ChannelRef(channel=channel))

    def mute(self, channels: IdList) -> str:
        return self._send(v2.MUTE, v2.Channels(channels=split_list(channels)))

    def unmute(self, channels: IdList) -> str:
        return self._send(v2.UNMUTE, v2.Channels(channels=split_list(channels)))

    def transfer(self, channel: str, to_number: str, *, dial_permission: str | None = None) -> str:
        """Send the member on ``channel`` to ``to_number``; the others leave the call."""
        fields = v2.Transfer(channel=channel, to_number=to_number, dial_permission=dial_permission)
        return self._send(v2.TRANSFER, fields)

    def attended_transfer(
        self, channel: str, to_number: str, *, dial_permission: str | None = None
    ) -> str:
        """The member on ``channel`` consults ``to_number`` while its party waits on hold."""
        fields = v2.Transfer(channel=channel, to_number=to_number, dial_permission=dial_permission)
        return self._send(v2.ATTENDED_TRANSFER, fields)

    def attended_transfer_operate(self, channel: str, operate: str) -> str:
        """``complete``, ``abort``, ``threeway`` or ``swap``."""
        return self._send(v2.ATTENDED_OPERATE, v2.Operate(channel=channel, operate=operate))

    def add_member(self, channel: str, number: str, *, dial_permission: str | None = None) -> str:
        fields = v2.AddMember(channel=channel, number=number, dial_permission=dial_permission)
        return self._send(v2.ADD_MEMBER, fields)

    def listen(self, monitor: str, extension: str, type: str = "listen") -> str:
        """``type``: ``listen``, ``whisper`` or ``barge``."""
        fields = v2.Listen(monitor=monitor, extension=extension, type=type)
        return self._send(v2.LISTEN, fields)

    def play_prompt(
        self,
        number: str,
        prompt: str,
        *,
        count: int | None = None,
        dial_permission: str | None = None,
        autoanswer: bool | None = None,
        volume: int | None = None,
    ) -> str:
        fields = v2.PlayPrompt(
            number=number,
            prompt=prompt,
            count=None if count is None else str(count),
            dial_permission=dial_permission,
            autoanswer=autoanswer,
            volume=None if volume is None else str(volume),
        )
        return self._send(v2.PLAYPROMPT, fields)

    def accept_inbound(self, channel: str) -> str:
        return self._send(v2.ACCEPT_INBOUND, v2.ChannelRef(channel=channel))

    def refuse_inbound(self, channel: str) -> str:
        return self._send(v2.REFUSE_INBOUND, v2.ChannelRef(channel=channel))

    def extensions(self) -> list[Extension]:
        """``extension/list``."""
        return self._send(v2.EXTENSION_LIST)

    def trunks(self) -> list[Trunk]:
        """``trunk/list``: every trunk with its id."""
        return self._send(v2.TRUNK_LIST)
