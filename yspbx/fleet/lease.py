"""The engine lease: which process of the fleet runs the engine, and handing it over.

Every process tries to take the lease; the one that holds it runs the engine (calls, timers,
report fan-out and delivery) and renews the lease every third of its life. Another process
takes it over when it runs out (its holder died or lost the store), or at once when the holder
stopped cleanly (it releases the lease) or its link address refuses connections (a process that
died on this machine). Times here are wall time (``time.monotonic``), never the server clock:
``clock/advance`` must not hand the engine over.

A holder that cannot reach the store to confirm its lease before it would run out stops
running the engine by itself, so two engines never run at once for longer than a renewal's
time-out. A holder that was merely slow (a stalled event loop) and finds the lease still its own
keeps running: renewing succeeds as long as nobody took the lease over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from yspbx.fleet.links import Link
from yspbx.store.base import LeaseGrant, LeaseStore, StoreUnavailable

log = logging.getLogger(__name__)

ENGINE_LEASE = "engine"
GAIN_TIMEOUT_FLOOR = 2.0

GainHook = Callable[[str | None], Awaitable[None]]
LossHook = Callable[[str], Awaitable[None]]


class EngineLease:
    def __init__(
        self,
        leases: LeaseStore,
        link: Link,
        node: str,
        ttl: float,
        on_gain: GainHook,
        on_loss: LossHook,
    ) -> None:
        self._leases = leases
        self._link = link
        self.node = node
        self.ttl = ttl
        self._on_gain = on_gain
        self._on_loss = on_loss
        self.held = False
        self._confirmed_until = 0.0
        self._kick = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._complained = False

    @property
    def interval(self) -> float:
        return self.ttl / 3

    @property
    def gain_timeout(self) -> float:
        """How long starting the engine may take before the take-over is given up: the lease,
        but never under 2 s (a loaded machine's engine start must not fail a short lease)."""
        return max(self.ttl, GAIN_TIMEOUT_FLOOR)

    async def start(self) -> None:
        """Try once now (a lone process starts as the holder), then keep trying in the
        background."""
        await self._attempt()
        self._task = asyncio.create_task(self._loop(), name="yspbx-engine-lease")

    def kick(self) -> None:
        """Look at the lease now rather than at the next tick (a request found no holder)."""
        self._kick.set()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if self.held:
            await self._lose("the server is stopping")
            with contextlib.suppress(StoreUnavailable, TimeoutError):
                await asyncio.wait_for(self._leases.release(ENGINE_LEASE, self.node), self.ttl)

    async def _loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._kick.wait(), self.interval)
            self._kick.clear()
            await self._attempt()

    async def _attempt(self) -> None:
        started = time.monotonic()
        try:
            if self.held:
                renewed = await asyncio.wait_for(
                    self._leases.renew(ENGINE_LEASE, self.node, self.ttl), self.interval
                )
                if renewed:
                    self._confirmed_until = started + self.ttl
                    self._complained = False
                    return
                await self._lose("another process holds the engine lease now")
                return
            await self._try_to_take()
            self._complained = False
        except (StoreUnavailable, TimeoutError) as exc:
            if not self._complained:
                log.warning("engine lease: the store did not answer (%s)", exc or "time-out")
                self._complained = True
        except Exception:
            log.exception("engine lease: unexpected failure")
        if self.held and time.monotonic() > self._confirmed_until - self.interval / 2:
            await self._lose("the engine lease could not be renewed in time")

    async def _try_to_take(self) -> None:
        grant = await self._leases.acquire(ENGINE_LEASE, self.node, self._link.address, self.ttl)
        if not grant.acquired and grant.address and await self._holder_is_gone(grant):
            log.warning("engine lease: %s is gone; taking over at once", grant.owner)
            grant = await self._leases.acquire(
                ENGINE_LEASE, self.node, self._link.address, self.ttl, steal_from=grant.owner
            )
        if not grant.acquired:
            return
        try:
            # Bounded: starting the engine does no work that grows with the sessions (BootUp
            # goes out after the take-over, :meth:`ReportService.start`), and a store that
            # stalls cannot keep a take-over going for long.
            await asyncio.wait_for(self._on_gain(grant.previous), self.gain_timeout)
            # The lease was granted before the engine started: confirm it is still ours, and
            # count its life from now.
            confirmed_at = time.monotonic()
            renewed = await asyncio.wait_for(
                self._leases.renew(ENGINE_LEASE, self.node, self.ttl), self.interval
            )
        except (StoreUnavailable, TimeoutError) as exc:
            await self._give_up(f"the store did not answer ({exc or 'time-out'})")
            return
        except Exception:
            log.exception("engine lease: could not start the engine; giving the lease up")
            await self._give_up("the engine did not start")
            return
        if not renewed:
            await self._on_loss_quietly("another process took the engine lease over meanwhile")
            return
        # Held (and so answering engine requests) only once the engine runs.
        self.held = True
        self._confirmed_until = confirmed_at + self.ttl
        log.info("engine lease: this process (%s) runs the engine", self.node)

    async def _give_up(self, reason: str) -> None:
        """A take-over that did not complete: stop what started, and free the lease."""
        await self._on_loss_quietly(reason)
        with contextlib.suppress(StoreUnavailable, TimeoutError):
            await asyncio.wait_for(self._leases.release(ENGINE_LEASE, self.node), self.ttl)

    async def _on_loss_quietly(self, reason: str) -> None:
        log.warning("engine lease: the take-over did not complete: %s", reason)
        try:
            await self._on_loss(reason)
        except Exception:
            log.exception("engine lease: stopping the engine failed")

    async def _holder_is_gone(self, grant: LeaseGrant) -> bool:
        return await self._link.probe(grant.address) is False

    async def _lose(self, reason: str) -> None:
        if not self.held:
            return
        self.held = False
        log.warning("engine lease: this process stops running the engine: %s", reason)
        try:
            await self._on_loss(reason)
        except Exception:
            log.exception("engine lease: stopping the engine failed")
