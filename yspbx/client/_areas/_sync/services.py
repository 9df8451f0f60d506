# Generated from _async/services.py by `python -m yspbx.client._unasync`: do not edit.
from __future__ import annotations

from collections.abc import Sequence

from yspbx.client._areas._sync._area import Area
from yspbx.client._models import hotel, messages
from yspbx.client._models.hotel import AlarmSchedule, ExtensionAlarms, Weekdays
from yspbx.client._models.messages import prompt_names
from yspbx.client._wire import IdList, split_list


class Prompts(Area):
    """Play custom prompts to a phone or a number (docs/pbx-api/call-services.md). A
    ``PlayPromptEnd`` report follows when playback ends. Several prompts play back to back:
    ``["welcome", "menu"]``."""

    def play_to_extension(
        self, extension: str, prompt: str | Sequence[str], *, auto_answer: bool = False
    ) -> str:
        """Ring ``extension`` and play the prompt once it answers; returns the call id."""
        fields = messages.ExtensionPrompt(
            extension=extension, prompt=prompt_names(prompt), auto_answer=auto_answer
        )
        return self._send(messages.PLAY_TO_EXTENSION, fields)

    def play_to_number(
        self, number: str, prompt: str | Sequence[str], *, from_extension: str | None = None
    ) -> str:
        """Dial the external ``number`` and play the prompt once the call is up."""
        fields = messages.NumberPrompt(
            number=number, prompt=prompt_names(prompt), from_extension=from_extension
        )
        return self._send(messages.PLAY_TO_NUMBER, fields)


class Sms(Area):
    """Text messages through a GSM trunk (docs/pbx-api/call-services.md)."""

    def send(self, trunk: str, number: str, message: str) -> str:
        """Queue ``message`` (plain text: encoded here) to ``number``; returns its SMS id. The
        outcome arrives later as an ``sms-send`` report with that id."""
        fields = messages.SmsSend(trunk=trunk, number=number, message=message)
        return self._send(messages.SMS_SEND, fields)


class Hotel(Area):
    """Wake-up alarms and check-out (docs/pbx-api/call-services.md)."""

    def add_alarm(
        self,
        extensions: IdList,
        time: str,
        schedule: AlarmSchedule = "onetime",
        *,
        weekdays: Weekdays | None = None,
        repeats: int | None = None,
        repeat_interval: int | None = None,
        prompt: str | None = None,
    ) -> None:
        """Add an alarm at ``time`` (``hh:mm``) to each extension; ``custom`` alarms ring on
        ``weekdays`` (``0`` Sunday to ``6`` Saturday)."""
        alarm = hotel.AlarmSpec(
            time=time,
            schedule=schedule,
            weekdays=split_list(weekdays) if weekdays else None,
            repeats=repeats,
            repeat_interval=repeat_interval,
            prompt=prompt,
        )
        fields = hotel.AlarmCreate(extensions=split_list(extensions), alarm=[alarm])
        self._send(hotel.ALARM_CREATE, fields)

    def alarms(self, extensions: IdList | None = None) -> list[ExtensionAlarms]:
        """The alarms of the given extensions (all of them when None)."""
        fields = hotel.AlarmQuery(extensions=split_list(extensions) if extensions else None)
        return self._send(hotel.ALARM_QUERY, fields)

    def update_alarm(
        self,
        extension: str,
        alarm_id: str,
        time: str,
        schedule: AlarmSchedule,
        *,
        weekdays: Weekdays | None = None,
        repeats: int | None = None,
        repeat_interval: int | None = None,
        prompt: str | None = None,
    ) -> None:
        """Change alarm ``alarm_id`` of ``extension`` (the ``wakeupid`` of ``alarms()``).

        ``time`` and ``schedule`` are always sent, as the PBX requires of an alarm; the other
        settings only when given (yspbx keeps those left out; give them all to be sure a PBX
        does not reset them)."""
        alarm = hotel.AlarmSpec(
            time=time,
            schedule=schedule,
            weekdays=split_list(weekdays) if weekdays else None,
            repeats=repeats,
            repeat_interval=repeat_interval,
            prompt=prompt,
        )
        fields = hotel.AlarmUpdate(extension=extension, alarm_id=alarm_id, alarm=[alarm])
        self._send(hotel.ALARM_UPDATE, fields)

    def delete_alarms(self, extension: str, alarm_ids: IdList | None = None) -> None:
        """Delete the given alarms of ``extension`` (all of them when None; none, and no
        request, when the ids given are an empty list: the PBX would delete them all)."""
        ids = None if alarm_ids is None else split_list(alarm_ids)
        if ids == []:
            return
        self._send(hotel.ALARM_DELETE, hotel.AlarmDelete(extension=extension, alarm_ids=ids))

    def check_out(self, extensions: IdList) -> None:
        """Check the rooms out: voicemail emptied, outbound permissions and alarms removed,
        caller-ID name reset."""
        self._send(hotel.CHECK_OUT, hotel.CheckOut(extensions=split_list(extensions)))
