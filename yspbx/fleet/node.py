"""This process's place in the fleet: the engine lease, the link, and handing requests over.

:meth:`FleetNode.request` is how a process without the engine gets an engine request done: it
finds the holder through the lease, sends the request over the link and returns the answer.
While no process holds the engine (a handover), it waits and asks again, up to
``server.engine_timeout``; then it gives up with :class:`EngineUnavailable` (errno 20010, or
503 on the control plane). A request that may already have reached the engine is never sent
twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable

from yspbx.fleet.lease import ENGINE_LEASE, EngineLease, GainHook, LossHook
from yspbx.fleet.links import EngineUnavailable, Link, NoAnswer, NotDelivered
from yspbx.fleet.messages import Message
from yspbx.store.base import LeaseGrant, LeaseStore, Store

log = logging.getLogger(__name__)

Executor = Callable[[Message], Awaitable[Message]]

NOT_HOLDER = "not_holder"
# Pause between looks for a holder during a handover.
_RETRY_PAUSE = 0.05


def node_name() -> str:
    """A name for this process, unique in the fleet and readable in logs: host/pid/random."""
    return f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(3)}"


def link_for(store: Store, node: str, timeout: float) -> Link:
    """Redis pub/sub on a Redis store (processes on several hosts); loopback TCP otherwise
    (processes on one machine sharing a SQLite file)."""
    from yspbx.store import REDIS_SCHEMES

    if store.url.startswith(REDIS_SCHEMES):
        from yspbx.fleet.redis_pubsub import RedisLink
        from yspbx.store.redis import RedisStore

        assert isinstance(store, RedisStore)
        return RedisLink(store.client, store.prefix, node, timeout)
    from yspbx.fleet.tcp import TcpLink

    return TcpLink(connect_timeout=timeout)


def not_holder() -> Message:
    return Message({"kind": NOT_HOLDER})


class FleetNode:
    def __init__(
        self,
        leases: LeaseStore,
        link: Link,
        node: str,
        lease_seconds: float,
        timeout: float,
        on_gain: GainHook,
        on_loss: LossHook,
    ) -> None:
        self.node = node
        self._leases = leases
        self._link = link
        self._timeout = timeout
        self.lease = EngineLease(leases, link, node, lease_seconds, on_gain, on_loss)
        self._executor: Executor | None = None
        self._holder: LeaseGrant | None = None

    @property
    def seated(self) -> bool:
        """Whether this process runs the engine now."""
        return self.lease.held

    async def start(self, executor: Executor | None) -> None:
        self._executor = executor
        await self._link.start(self._serve)
        await self.lease.start()

    async def stop(self) -> None:
        await self.lease.stop()
        await self._link.close()

    async def _serve(self, message: Message) -> Message:
        """Answer a request another process handed over, if this process runs the engine."""
        if not self.seated or self._executor is None:
            return not_holder()
        return await self._executor(message)

    async def request(self, message: Message) -> Message:
        """Have the engine's process answer ``message`` (this process, if it holds the lease)."""
        deadline = time.monotonic() + self._timeout
        while True:
            if self.seated and self._executor is not None:
                return await self._executor(message)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise EngineUnavailable("no process runs the engine")
            holder = self._holder or await self._find_holder()
            if holder is None or holder.owner == self.node:
                self.lease.kick()
                await asyncio.sleep(min(_RETRY_PAUSE, remaining))
                continue
            try:
                reply = await self._link.call(holder.address, message, remaining)
            except NotDelivered:
                self._holder = None
                self.lease.kick()
                await asyncio.sleep(min(_RETRY_PAUSE, remaining))
                continue
            except NoAnswer as exc:
                self._holder = None
                raise EngineUnavailable(f"the engine process did not answer: {exc}") from None
            if reply.kind == NOT_HOLDER:
                self._holder = None
                await asyncio.sleep(min(_RETRY_PAUSE, remaining))
                continue
            self._holder = holder
            return reply

    async def _find_holder(self) -> LeaseGrant | None:
        return await self._leases.holder(ENGINE_LEASE)
