"""The engine seat: one PBX's engine and what runs with it, built by a factory.

:class:`Seat` (:mod:`.seat`) holds the engine, its report fan-out and delivery, its timers and,
for the simulated engine, the simulator's controls; a :class:`SeatFactory` builds seats of one
engine kind (:mod:`.simulated` today). :func:`factory_for` picks the factory a configuration
asks for. ``docs/architecture.md`` ("The seat") tells who builds what, and when.
"""

from __future__ import annotations

from yspbx.seat.seat import Seat, SeatContext, SeatFactory
from yspbx.seat.simulated import SimulatedSeats
from yspbx.seat.stored import forget_stored
from yspbx.settings import Settings

__all__ = ["Seat", "SeatContext", "SeatFactory", "SimulatedSeats", "factory_for", "forget_stored"]


def factory_for(settings: Settings) -> SeatFactory:
    """The seat factory for the engine the settings describe (the simulated PBX, today)."""
    return SimulatedSeats()
