"""IVRs: the PBX answers, plays the IVR's prompt, collects the caller's keys and sends the caller
where the key map (or the extension dialled) says.

One session per call in the IVR (:class:`IvrSession`, the call's feature):

* the prompt plays (``calls.prompt_seconds`` per file); when it has played to its end the PBX
  reports ``PlayPromptEnd`` with the IVR's number and the caller's, then waits
  ``responsetimeout`` seconds for a key, and plays the prompt again, ``promptrepeat`` times in
  all, before sending the caller to the IVR's ``timeout_dest``;
* a key stops the prompt. Keys are collected until they name a choice that nothing longer could
  extend: a key of the map (``keys``), or, with ``dialext`` on, an extension number. While a
  longer choice is still possible the PBX waits ``digittimeout`` seconds for the next key; ``#``
  ends the entry at once. An entry that names nothing plays the menu again (it counts as one
  of the ``promptrepeat`` plays);
* a destination is an extension, IVR, queue, ring group or outside number, or ``hangup``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from yspbx.pbx.events import PromptFinished
from yspbx.pbx.models import Ivr
from yspbx.pbx.simulated.calls.call_targets import NOT_FOUND
from yspbx.pbx.simulated.calls.model import Call, Destination, Feature
from yspbx.pbx.simulated.calls.prompts import prompt_party
from yspbx.scheduler import Timer

if TYPE_CHECKING:
    from yspbx.pbx.simulated.calls.destinations import Destinations


class Ivrs:
    def __init__(self, destinations: Destinations) -> None:
        self.destinations = destinations
        self.switch = destinations.switch
        self.player = destinations.player
        self.config = destinations.config

    def enter(self, call: Call, number: str) -> None:
        if number not in self.config.ivrs:
            self.switch.fail(call, NOT_FOUND)
            return
        call.destination = Destination("ivr", number)
        call.callpath = number
        call.caller.up = True
        self.switch.mark_answered(call)
        session = IvrSession(self, number)
        call.feature = session
        session.play(call)


class IvrSession(Feature):
    def __init__(self, ivrs: Ivrs, number: str) -> None:
        self._ivrs = ivrs
        self.number = number
        self.plays = 0
        self.entered = ""
        self._timer: Timer | None = None

    def _ivr(self) -> Ivr | None:
        return self._ivrs.config.ivrs.get(self.number)

    def _arm(self, timer: Timer) -> None:
        self._cancel()
        self._timer = timer

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def play(self, call: Call) -> None:
        ivr = self._ivr()
        if ivr is None:  # the IVR was renumbered or removed while the caller was in it
            self._leave(call, "hangup")
            return
        self.plays += 1
        self.entered = ""
        self._arm(self._ivrs.player.play(call, ivr.prompt, lambda: self._prompt_ended(call)))

    def _prompt_ended(self, call: Call) -> None:
        ivr = self._ivr()
        if ivr is None:
            self._leave(call, "hangup")
            return
        caller = call.caller
        self._ivrs.switch.effects.emit(
            PromptFinished(
                call.callid,
                ivr.prompt,
                prompt_party(caller),
                ivrid=self.number,
                playtonum=caller.number,
            )
        )
        wait = float(ivr.responsetimeout)
        self._arm(self._ivrs.player.after(call, wait, lambda: self._again(call), "ivr response"))

    def _again(self, call: Call) -> None:
        """No usable answer: the menu once more, or the time-out destination."""
        ivr = self._ivr()
        if ivr is not None and self.plays < ivr.promptrepeat:
            self.play(call)
        else:
            self._leave(call, ivr.timeout_dest if ivr is not None else "hangup")

    def key(self, call: Call, key: str) -> None:
        ivr = self._ivr()
        if ivr is None:
            return
        if key == "#":  # ends an entry; alone, it does nothing
            if self.entered:
                self._cancel()
                self._decide(call)
            return
        self._cancel()
        self.entered += key
        if self._could_grow(ivr):
            wait = float(ivr.digittimeout)
            self._arm(self._ivrs.player.after(call, wait, lambda: self._decide(call), "ivr digit"))
        else:
            self._decide(call)

    def _could_grow(self, ivr: Ivr) -> bool:
        """Whether more keys could still make a longer choice than what was entered."""
        entered = self.entered
        choices = list(ivr.keys)
        if ivr.dialext:
            choices += list(self._ivrs.config.extensions)
        return any(len(c) > len(entered) and c.startswith(entered) for c in choices)

    def _decide(self, call: Call) -> None:
        ivr = self._ivr()
        entered, self.entered = self.entered, ""
        if ivr is None:
            return
        destination = ivr.keys.get(entered)
        if destination is None and ivr.dialext and entered in self._ivrs.config.extensions:
            destination = entered
        if destination is not None:
            self._leave(call, destination)
        else:
            self._again(call)

    def _leave(self, call: Call, destination: str) -> None:
        self._cancel()
        self._ivrs.destinations.forward(call, destination, NOT_FOUND)

    def describe(self) -> dict[str, str]:
        return {"type": "ivr", "number": self.number, "entered": self.entered}
