"""The engine seat: a reset builds a new one (nothing of the old one lives on), and the control
plane exists only where the seat has simulator controls."""

from __future__ import annotations

import hashlib

import httpx

from tests.support.engine import Pbx
from yspbx.app import YspbxApp
from yspbx.pbx.events import CallFailed, CdrWritten
from yspbx.seat import Seat, SeatContext, SimulatedSeats
from yspbx.services import Services
from yspbx.settings import load_settings
from yspbx.store.memory import MemoryStore


async def test_a_reset_builds_a_new_seat_on_a_store_that_kept_only_the_clock_and_call_ids(
    pbx: Pbx,
) -> None:
    services = pbx.services
    old = services.seat
    first = await pbx.calls.dial_extension("1001", "1002", autoanswer=False)
    await pbx.advance(30)
    # A document no reset code knows of, as a new feature would store one.
    await services.store.state.put("feature.of.tomorrow/1", b"kept by nobody")
    now = services.clock.now()

    await services.reset()

    assert services.seat is not old
    assert services.engine is not old.engine
    assert await services.store.state.get("feature.of.tomorrow/1") is None
    assert services.clock.now() >= now
    # Call ids keep counting: the new engine's first call comes after the old one's.
    second = await services.simulator.calls.dial_extension("1001", "1002", autoanswer=False)
    assert int(second.split(".")[1]) > int(first.split(".")[1])


async def test_the_old_seat_fires_no_timer_after_a_reset(pbx: Pbx) -> None:
    await pbx.calls.dial_extension("1001", "1002", autoanswer=False)
    pbx.take()

    await pbx.services.reset()
    # Past the old call's ring time-out: the old engine, stopped, reports nothing.
    await pbx.advance(120)

    assert pbx.of(CallFailed) == []
    assert pbx.of(CdrWritten) == []
    assert pbx.services.seat.scheduler.pending() != []  # the new seat's own timers run


def _seconds(uptime: str) -> int:
    hours, minutes, seconds = (int(part) for part in uptime.split(":"))
    return hours * 3600 + minutes * 60 + seconds


async def test_uptime_goes_on_across_a_reset(pbx: Pbx) -> None:
    await pbx.advance(3600)
    before = _seconds((await pbx.services.engine.device_info()).uptime)
    await pbx.services.reset()
    after = _seconds((await pbx.services.engine.device_info()).uptime)
    # Counted from the boot, not from the reset (which would say 00:00:00).
    assert 3600 <= before <= after <= before + 5


class _NotSimulated:
    """Seats of an engine without simulator controls (as a real PBX's would be)."""

    simulated = False
    kept_on_reset = SimulatedSeats.kept_on_reset

    def build(self, context: SeatContext, booted_at: float | None = None) -> Seat:
        seat = SimulatedSeats().build(context, booted_at)
        seat.simulator = None
        return seat


async def test_the_control_plane_is_mounted_only_for_seats_with_simulator_controls() -> None:
    settings, store, seats = load_settings(), MemoryStore(), _NotSimulated()
    app = YspbxApp(settings, store, seats=seats)
    services = Services.build(settings, store, seats=seats)
    await services.start()
    app.holder.services = services
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://pbx") as http:
            assert (await http.get("/sim/v1/state")).status_code == 404
            password = hashlib.md5(b"yspbx-demo").hexdigest()
            login = await http.post(
                "/api/v1.1.0/login", json={"username": "api", "password": password, "port": "8260"}
            )
            token = login.json()["token"]
            answer = await http.post("/api/v1.1.0/extensionlist/query", params={"token": token})
            assert answer.json()["status"] == "Success"
    finally:
        await services.stop()
