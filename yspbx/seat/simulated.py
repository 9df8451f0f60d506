"""The factory of simulated seats: the simulated engine, its reports and timers, and the
simulator's controls."""

from __future__ import annotations

from yspbx.pbx.simulated import SimulatedEngine
from yspbx.pbx.simulated.calls.ids import SEQUENCE_KEY
from yspbx.reports.service import ReportService
from yspbx.scheduler import Scheduler
from yspbx.seat.seat import Seat, SeatContext


class SimulatedSeats:
    simulated = True
    # Call ids keep counting across a reset, as on a PBX that never reuses one.
    kept_on_reset = frozenset({SEQUENCE_KEY})

    def build(self, context: SeatContext, booted_at: float | None = None) -> Seat:
        clock, store = context.clock, context.store
        booted_at = clock.now() if booted_at is None else booted_at
        scheduler = Scheduler(clock)
        engine = SimulatedEngine(context.settings, clock, scheduler, store.state, booted_at)
        reports = ReportService(
            context.settings.reports,
            clock,
            scheduler,
            store,
            context.sessions,
            serial_number=lambda: engine.serial_number,
            monitored=engine.status_monitored,
            sender=context.sender,
            owner=context.node,
        )
        engine.subscribe(reports.publish)
        return Seat(
            engine=engine,
            reports=reports,
            scheduler=scheduler,
            sessions=context.sessions,
            booted_at=booted_at,
            simulator=engine,
        )
