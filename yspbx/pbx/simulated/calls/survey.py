"""The queue's satisfaction survey (docs/pbx-api/ivrs-queues-paging.md, docs/pbx-api/reports.md).

When a queue with a ``satisfactionsurvey`` prompt connects a caller with an agent, the call
carries a :class:`Survey`. If the caller hangs up first, nothing more happens. If the agent
hangs up first, the conversation is over (the two ``BYE`` reports go out then, the agent is
free) but the caller stays on the line: the survey prompt plays, and the first key the caller
presses (reported as ``DTMF`` like every key, then as ``satisfaction``) is the answer. A
"thank you" prompt follows and the PBX hangs up. Without a key within ``calls.survey_seconds``
after the prompt, the PBX hangs up with no ``satisfaction`` report. The call's record is
written when the caller's line is released, so it covers the survey too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from yspbx.pbx.events import CallReleased, SurveyAnswered
from yspbx.pbx.simulated.calls.model import Call, Feature, Leg, LegState, Role

if TYPE_CHECKING:
    from yspbx.pbx.simulated.calls.destinations import Destinations

# The fixed prompt the PBX plays after the answer (its length is one prompt file's).
THANK_YOU = "thank-you"

SurveyStage = Literal["after the call", "asking", "thanking"]


class Survey(Feature):
    def __init__(self, destinations: Destinations, queue: str, prompt: str) -> None:
        self._switch = destinations.switch
        self._player = destinations.player
        self.queue = queue
        self.prompt = prompt
        self.stage: SurveyStage = "after the call"

    def party_left(self, call: Call, leg: Leg) -> bool:
        if self.stage != "after the call":
            # The caller hangs up during the survey: the call ends (its BYEs went out already).
            self._switch.end(call, "ANSWERED")
            return True
        caller = call.caller
        if leg is caller or leg.role is Role.MONITOR or not caller.connected:
            return False
        self._agent_left(call, leg, caller)
        return True

    def _agent_left(self, call: Call, agent: Leg, caller: Leg) -> None:
        switch = self._switch
        switch.effects.emit(CallReleased(call.callid, (agent.party(), caller.party())))
        switch.effects.emit(CallReleased(call.callid, (caller.party(), agent.party())))
        for other in call.live_legs():
            if other is not caller:
                switch.move(call, other, LegState.ENDED)
        switch.move(call, caller, LegState.DIALING)
        self.stage = "asking"
        wait = self._player.duration(self.prompt) + float(switch.settings.calls.survey_seconds)
        self._player.after(call, wait, lambda: switch.end(call, "ANSWERED"), "survey")

    def key(self, call: Call, key: str) -> None:
        if self.stage != "asking":
            return
        self.stage = "thanking"
        call.cancel_timers()
        self._switch.effects.emit(SurveyAnswered(call.callid, key))
        self._player.play(call, THANK_YOU, lambda: self._switch.end(call, "ANSWERED"))

    def describe(self) -> dict[str, str]:
        if self.stage == "after the call":
            return {}
        return {"type": "survey", "queue": self.queue, "prompt": self.prompt}
