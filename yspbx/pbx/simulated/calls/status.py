"""An extension's status as its calls make it, and the ``ExtensionStatus`` it reports.

The status of an extension follows its legs: a connected leg (talking, on hold, waiting for the
far side) makes it ``Busy``, a ringing one ``Ringing``, none ``Idle``. ``extensionlist/query``
also tells ``Hold`` apart; the report only knows ``Ringing``, ``Busy`` and ``Idle``. Changes are
reported for extensions selected for status monitoring (``status_monitor``), each change once.
"""

from __future__ import annotations

from collections.abc import Iterable

from yspbx.pbx.events import ExtensionState, ExtensionStatusChanged
from yspbx.pbx.simulated.calls.effects import EffectQueue
from yspbx.pbx.simulated.calls.model import Leg, LegState
from yspbx.pbx.simulated.config import SimulatedConfig


def list_status(legs: Iterable[Leg]) -> str | None:
    """What ``extensionlist/query`` shows for an extension with these live legs (None: idle)."""
    states = {leg.state for leg in legs if leg.live}
    if LegState.HELD in states:
        return "Hold"
    if states & {LegState.TALKING, LegState.DIALING}:
        return "Busy"
    if LegState.RINGING in states:
        return "Ringing"
    return None


def report_status(legs: Iterable[Leg]) -> ExtensionState:
    listed = list_status(legs)
    if listed is None:
        return "Idle"
    return "Ringing" if listed == "Ringing" else "Busy"


class StatusReporter:
    def __init__(self, config: SimulatedConfig, effects: EffectQueue) -> None:
        self._config = config
        self._effects = effects
        self._reported: dict[str, ExtensionState] = {}

    def update(self, number: str, legs: Iterable[Leg]) -> None:
        """Report the extension's status if its legs changed it."""
        status = report_status(legs)
        if self._reported.get(number, "Idle") == status:
            return
        if status == "Idle":
            self._reported.pop(number, None)
        else:
            self._reported[number] = status
        extension = self._config.extensions.get(number)
        if extension is not None and extension.status_monitor:
            fxs = extension.type == "FXS"
            self._effects.emit(ExtensionStatusChanged(number, status, fxs))
