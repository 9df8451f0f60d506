"""Custom prompts: which the PBX has, how long they play, and the PBX playing them to a call.

The simulator has no audio: a prompt "plays" for ``calls.prompt_seconds`` per file on the server
clock, so ``/sim/v1/clock/advance`` ends it. Several files joined with ``+`` play back to back.
:class:`Playback` is the feature of a call the PBX placed only to play a
prompt (``extension/playprompt``, ``outbound/playprompt``, wake-up alarms): it plays once the
party answers, reports ``PlayPromptEnd`` when the playback ran to its end (not for alarms), and
hangs up.

The wire: docs/pbx-api/call-services.md.
"""

from __future__ import annotations

from collections.abc import Callable

from yspbx.errors import Errno, PbxError
from yspbx.pbx.events import ExtParty, InboundParty, PromptFinished, PromptTrunkParty
from yspbx.pbx.simulated.calls.call_targets import PromptTarget
from yspbx.pbx.simulated.calls.model import Call, Feature, Leg, LegKind
from yspbx.pbx.simulated.calls.switch import Switch
from yspbx.scheduler import Timer

# The system prompts an IVR may use besides the custom ones.
SYSTEM_PROMPTS = frozenset({"[Default]"})


def prompt_files(text: str) -> list[str]:
    """The files of a prompt field (``welcome+menu``), blanks dropped."""
    return [part.strip() for part in text.split("+") if part.strip()]


def check_prompt(known: list[str], text: str) -> str:
    """The prompt field, normalised (``a+b``); 10023 unless every file is a custom prompt.

    A purely numeric name is never a prompt (the vendor forbids such names)."""
    files = prompt_files(text)
    for name in files or [text]:
        if name.isdigit() or name not in known:
            raise PbxError(Errno.PROMPT_NOT_FOUND, name)
    return "+".join(files)


def prompt_party(leg: Leg) -> ExtParty | PromptTrunkParty | InboundParty:
    """The party ``PlayPromptEnd`` names for the leg that heard it (docs/pbx-api/reports.md)."""
    if leg.kind is LegKind.EXTENSION:
        return ExtParty(leg.number)
    if leg.kind is LegKind.OUTBOUND:
        return PromptTrunkParty(leg.trunk)
    return InboundParty(leg.from_number, leg.to_number, leg.trunk, leg.leg_id)


class PromptPlayer:
    def __init__(self, switch: Switch) -> None:
        self._switch = switch

    def duration(self, text: str) -> float:
        files = max(1, len(prompt_files(text)))
        return files * float(self._switch.settings.calls.prompt_seconds)

    def play(self, call: Call, text: str, then: Callable[[], None]) -> Timer:
        """Play ``text`` to the call; ``then`` runs when it has played to its end."""
        return self.after(call, self.duration(text), then, f"prompt {call.callid}")

    def after(self, call: Call, seconds: float, then: Callable[[], None], name: str) -> Timer:
        """A timer that belongs to the call: gone when the call ends."""

        def fire() -> None:
            if not call.ended:
                then()

        timer = self._switch.at(self._switch.now() + seconds, fire, name)
        call.timers[:] = [t for t in call.timers if not t.cancelled]
        call.timers.append(timer)
        return timer


class Playback(Feature):
    """The PBX plays a prompt to the call's only party, then hangs up."""

    def __init__(self, player: PromptPlayer, switch: Switch, target: PromptTarget) -> None:
        self._player = player
        self._switch = switch
        self._target = target

    def start(self, call: Call) -> None:
        call.feature = self
        self._switch.mark_answered(call)
        self._player.play(call, self._target.number, lambda: self._played(call))

    def _played(self, call: Call) -> None:
        if self._target.report:
            party = prompt_party(call.caller)
            self._switch.effects.emit(PromptFinished(call.callid, self._target.number, party))
        self._switch.finish(call, call.caller)

    def describe(self) -> dict[str, str]:
        return {"type": "prompt", "prompt": self._target.number}
