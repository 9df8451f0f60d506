"""Why a simulator control (a phone or the outside world acting) could not be carried out.

The control plane turns these into 404 / 409 / 400; the API never sees them (the API's
failures are :class:`yspbx.errors.PbxError` with an errno).
"""

from __future__ import annotations


class SimulationError(Exception):
    """Base class: the message says what was wrong, for the person driving the simulator."""


class NotFound(SimulationError):
    """No such call, party, extension or trunk."""


class NotPossible(SimulationError):
    """The thing exists but cannot do that now (answer a call that is not ringing, ...)."""


class Invalid(SimulationError):
    """A number or key string that no phone could dial."""
