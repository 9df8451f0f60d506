"""How a request reaches the process that runs the engine: the link, and how it can fail.

A :class:`Link` both receives requests for its own process (``start``) and sends requests to
another process at an address the engine lease names (``call``). Two implementations: loopback
TCP for processes on one machine sharing a SQLite file (:mod:`yspbx.fleet.tcp`), and Redis
pub/sub for processes on several hosts sharing Redis (:mod:`yspbx.fleet.redis_pubsub`).

The failures tell the caller what it may do next: :class:`NotDelivered` means the request was
certainly not delivered (ask the lease again and retry); :class:`NoAnswer` means it may have
been delivered and acted on (never retry: a dial must not happen twice).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Protocol

from yspbx.fleet.messages import Message

Handler = Callable[[Message], Awaitable[Message]]


class NotDelivered(Exception):
    """Nobody received the request."""


class NoAnswer(Exception):
    """The request went out, but no answer came back in time."""


async def answer_within(waiter: asyncio.Future[Message], within: float) -> Message:
    """The answer a link's waiter receives, or :class:`NoAnswer` after ``within`` seconds."""
    try:
        return await asyncio.wait_for(waiter, within)
    except TimeoutError:
        raise NoAnswer(f"no answer within {within:.3g} s") from None


class EngineUnavailable(Exception):
    """No engine process answered in time: the request could not be handed on (errno 20010)."""


class Link(Protocol):
    @property
    def address(self) -> str:
        """Where this process receives requests (valid once started)."""

    async def start(self, handler: Handler) -> None:
        """Receive requests for this process and answer each with ``handler``."""

    async def call(self, address: str, message: Message, within: float) -> Message:
        """Send ``message`` to the process at ``address`` and wait ``within`` seconds at most
        for its answer."""

    async def probe(self, address: str) -> bool | None:
        """Whether a process still listens at ``address``: False only when it surely does not
        (its lease may then be taken over at once), None when the link cannot tell."""

    async def close(self) -> None: ...
