from __future__ import annotations

from yspbx.client._areas._async._area import AsyncArea
from yspbx.client._models import v2
from yspbx.client._models.v2 import (
    Call,
    Conference,
    ConferenceSession,
    Extension,
    ExtensionCalls,
    Trunk,
)
from yspbx.client._wire import IdList, split_list


class AsyncApi2(AsyncArea):
    """API 2.0.0 (docs/api-2.md): calls addressed by channel (``PJSIP/1000-000000c0``, from
    ``CallStatus`` events or :meth:`query`), each method answering the call's id."""

    async def dial(
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
        return await self._send(v2.DIAL, fields)

    async def query(self, callid: str | None = None, *, type: str | None = None) -> list[Call]:
        """One call by id, or every ``inbound`` / ``outbound`` call, with their members."""
        return await self._send(v2.QUERY, v2.CallQuery(callid=callid, type=type))

    async def query_call(self, numbers: IdList = "all") -> list[ExtensionCalls]:
        """The calls of the extensions named (extensions in no call are left out)."""
        return await self._send(v2.QUERY_CALL, v2.Numbers(numbers=split_list(numbers)))

    async def hang_up(self, channel: str) -> str:
        return await self._send(v2.HANGUP, v2.ChannelRef(channel=channel))

    async def hold(self, channel: str) -> str:
        return await self._send(v2.HOLD, v2.ChannelRef(channel=channel))

    async def unhold(self, channel: str) -> str:
        return await self._send(v2.UNHOLD, v2.ChannelRef(channel=channel))

    async def mute(self, channels: IdList) -> str:
        return await self._send(v2.MUTE, v2.Channels(channels=split_list(channels)))

    async def unmute(self, channels: IdList) -> str:
        return await self._send(v2.UNMUTE, v2.Channels(channels=split_list(channels)))

    async def transfer(
        self, channel: str, to_number: str, *, dial_permission: str | None = None
    ) -> str:
        """Send the member on ``channel`` to ``to_number``; the others leave the call."""
        fields = v2.Transfer(channel=channel, to_number=to_number, dial_permission=dial_permission)
        return await self._send(v2.TRANSFER, fields)

    async def attended_transfer(
        self, channel: str, to_number: str, *, dial_permission: str | None = None
    ) -> str:
        """The member on ``channel`` consults ``to_number`` while its party waits on hold."""
        fields = v2.Transfer(channel=channel, to_number=to_number, dial_permission=dial_permission)
        return await self._send(v2.ATTENDED_TRANSFER, fields)

    async def attended_transfer_operate(self, channel: str, operate: str) -> str:
        """``complete``, ``abort``, ``threeway`` or ``swap``."""
        return await self._send(v2.ATTENDED_OPERATE, v2.Operate(channel=channel, operate=operate))

    async def add_member(
        self, channel: str, number: str, *, dial_permission: str | None = None
    ) -> str:
        fields = v2.AddMember(channel=channel, number=number, dial_permission=dial_permission)
        return await self._send(v2.ADD_MEMBER, fields)

    async def listen(self, monitor: str, extension: str, type: str = "listen") -> str:
        """``type``: ``listen``, ``whisper`` or ``barge``."""
        fields = v2.Listen(monitor=monitor, extension=extension, type=type)
        return await self._send(v2.LISTEN, fields)

    async def play_prompt(
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
        return await self._send(v2.PLAYPROMPT, fields)

    async def accept_inbound(self, channel: str) -> str:
        return await self._send(v2.ACCEPT_INBOUND, v2.ChannelRef(channel=channel))

    async def refuse_inbound(self, channel: str) -> str:
        return await self._send(v2.REFUSE_INBOUND, v2.ChannelRef(channel=channel))

    async def extensions(self) -> list[Extension]:
        """``extension/list``."""
        return await self._send(v2.EXTENSION_LIST)

    async def trunks(self) -> list[Trunk]:
        """``trunk/list``: every trunk with its id."""
        return await self._send(v2.TRUNK_LIST)

    # -- conference rooms and uaCSTA phones ----------------------------------------------

    async def conferences(self, numbers: IdList = "all") -> list[Conference]:
        """``conference/query``: rooms by number, or all."""
        return await self._send(v2.CONFERENCES, v2.Numbers(numbers=split_list(numbers)))

    async def update_conference(
        self,
        number: str,
        *,
        name: str | None = None,
        participant_password: str | None = None,
        moderator_password: str | None = None,
        wait_for_moderator: bool | None = None,
        allow_invite: bool | None = None,
        moderators: IdList | None = None,
        music_on_hold: bool | None = None,
        mute: bool | None = None,
        prompt: str | None = None,
    ) -> None:
        """``conference/update``: only the settings given change."""
        fields = v2.ConferenceUpdate(
            number=number,
            name=name,
            participant_password=participant_password,
            moderator_password=moderator_password,
            wait_for_moderator=wait_for_moderator,
            allow_invite=allow_invite,
            moderators=None if moderators is None else split_list(moderators),
            music_on_hold=music_on_hold,
            mute=mute,
            prompt=prompt,
        )
        await self._send(v2.CONFERENCE_UPDATE, fields)

    async def conference_sessions(self, numbers: IdList = "all") -> list[ConferenceSession]:
        """``conference/query_in_session``: rooms in session with their members."""
        return await self._send(v2.CONFERENCE_SESSIONS, v2.Numbers(numbers=split_list(numbers)))

    async def invite_to_conference(
        self,
        number: str,
        operator: str,
        invitees: IdList,
        *,
        dial_permission: str | None = None,
    ) -> None:
        """``conference/add_member``: moderator ``operator`` rings ``invitees`` into the room."""
        fields = v2.ConferenceInvite(
            number=number,
            operator=operator,
            invitees=split_list(invitees),
            dial_permission=dial_permission,
        )
        await self._send(v2.CONFERENCE_INVITE, fields)

    async def start_instant_conference(
        self,
        number: str,
        members: IdList,
        *,
        name: str | None = None,
        moderators: IdList | None = None,
        dial_permission: str | None = None,
    ) -> None:
        """``instant_conference/start`` on a free ``number``."""
        fields = v2.InstantConference(
            number=number,
            members=split_list(members),
            name=name,
            moderators=None if moderators is None else split_list(moderators),
            dial_permission=dial_permission,
        )
        await self._send(v2.INSTANT_CONFERENCE, fields)

    async def csta_accept_inbound(self, extension: str, csta_call_id: str, address: str) -> None:
        """``uacstacall/accept_inbound``: the extension's phone (``ip:port``) answers."""
        fields = v2.CstaAccept(extension=extension, csta_call_id=csta_call_id, address=address)
        await self._send(v2.CSTA_ACCEPT, fields)
