"""``extension/playprompt`` and ``outbound/playprompt`` (docs/pbx-api/call-services.md): the PBX
calls a party and plays it a prompt.

The PBX rings the extension (or dials the number outside through an outbound route); once the
party answers, the prompt plays (:class:`~.prompts.Playback`), ``PlayPromptEnd`` reports its end
and the PBX hangs up (one ``BYE`` naming the party, then the record). These calls send no
``RING``/``ALERT``: there is no calling party to ring for. The record is ``Internal`` from and to
the extension, or ``Outbound`` from ``fromext`` (empty when none was given) to the number.

Errnos, in this order: ``10006`` an unknown extension or ``fromext``; ``10023`` a prompt that is
not in the custom-prompt list (each file of ``a+b``; a purely numeric name never is);
``10008`` the extension is in a call; ``10024`` no outbound route for the number that
``fromext`` may use (without ``fromext``, any route); ``10015`` the route's trunk is analog
(FXO), which reports a call established before anyone answers, so a prompt cannot wait for the
answer.
"""

from __future__ import annotations

from yspbx.errors import Errno, PbxError
from yspbx.pbx.simulated.calls.call_targets import PromptTarget
from yspbx.pbx.simulated.calls.dialing import Dialer
from yspbx.pbx.simulated.calls.prompts import check_prompt
from yspbx.pbx.simulated.calls.routing import Router
from yspbx.pbx.simulated.calls.switch import Switch

# Trunks that report a call established at once (the vendor: PSTN / analog lines).
_ANSWERS_AT_ONCE = frozenset({"FXO"})


class PromptCalls:
    def __init__(self, switch: Switch, dialer: Dialer, router: Router) -> None:
        self._switch = switch
        self._dialer = dialer
        self._router = router
        self._config = switch.config

    def to_extension(self, extid: str, prompt: str, autoanswer: bool) -> str:
        self._dialer.extension(extid)
        prompt = check_prompt(self._config.prompts, prompt)
        self._dialer.idle(extid)
        call = self._switch.new_call("Internal", extid, extid)
        call.service = {"type": "prompt", "prompt": prompt}
        self._dialer.ring_extension_first(call, extid, PromptTarget(prompt), autoanswer)
        return call.callid

    def to_number(self, number: str, prompt: str, fromext: str) -> str:
        if fromext:
            self._dialer.extension(fromext)
        prompt = check_prompt(self._config.prompts, prompt)
        route = self._router.outbound_for_api(number, fromext)
        trunk = self._config.trunks.get(route.trunk)
        if trunk is not None and trunk.type in _ANSWERS_AT_ONCE:
            raise PbxError(Errno.CALL_NOT_CONNECTED, f"{trunk.name} is an analog trunk")
        call = self._switch.new_call("Outbound", fromext, number)
        call.segment.desttrunkname = route.trunk
        call.service = {"type": "prompt", "prompt": prompt}
        self._dialer.ring_outside_first(call, route, PromptTarget(prompt))
        return call.callid
