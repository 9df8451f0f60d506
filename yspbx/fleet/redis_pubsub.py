"""The link between processes on several hosts sharing Redis: one pub/sub channel per process.

Each process subscribes to ``<prefix>node:<node id>``; that channel is its address. A request is
published to the engine holder's channel with the caller's own channel to answer on; the answer
comes back on it. ``PUBLISH`` says how many subscribers got the message, so a request nobody
received is known at once (:class:`~yspbx.fleet.links.NotDelivered`) and is sent again once the
lease names a live holder. Pub/sub keeps nothing: a message published while a subscriber
reconnects is lost, and its caller answers 20010 after its time-out rather than hanging.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import struct
from typing import Any

from redis.asyncio import Redis

from yspbx.fleet.links import Handler, NotDelivered, answer_within
from yspbx.fleet.messages import BadMessage, Message, pack, unpack
from yspbx.store.base import StoreUnavailable
from yspbx.store.redis.connection import UNAVAILABLE

log = logging.getLogger(__name__)

_REQUEST, _ANSWER = b"Q", b"A"
_ID_SIZE = 16
_LENGTH = struct.Struct("!H")
# How long a reader waits for a message before looking again (and noticing a stop).
_POLL = 1.0


class RedisLink:
    def __init__(self, client: Redis, prefix: str, node: str, timeout: float = 2.0) -> None:
        self._client = client
        self._address = f"{prefix}node:{node}"
        self._timeout = timeout
        self._handler: Handler | None = None
        self._waiting: dict[bytes, asyncio.Future[Message]] = {}
        self._subscribed = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None
        self._serving: set[asyncio.Task[None]] = set()

    @property
    def address(self) -> str:
        return self._address

    async def start(self, handler: Handler) -> None:
        self._handler = handler
        self._reader = asyncio.create_task(self._read(), name="yspbx-link-reader")
        try:
            await asyncio.wait_for(self._subscribed.wait(), self._timeout)
        except TimeoutError:
            raise StoreUnavailable("could not subscribe to Redis") from None

    async def _read(self) -> None:
        delay = 0.05
        while True:
            pubsub = self._client.pubsub()
            try:
                await pubsub.subscribe(self._address)
                self._subscribed.set()
                delay = 0.05
                while True:
                    message = await pubsub.get_message(
                        ignore_subscribe_messages=True, timeout=_POLL
                    )
                    if message is not None and message.get("type") == "message":
                        self._receive(message["data"])
            except UNAVAILABLE as exc:
                if self._subscribed.is_set():
                    log.warning("lost the Redis subscription (%s); subscribing again", exc)
                self._subscribed.clear()
                await asyncio.sleep(delay)
                delay = min(1.0, delay * 2)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    def _receive(self, data: Any) -> None:
        frame = bytes(data)
        kind, request_id = frame[:1], frame[1 : 1 + _ID_SIZE]
        rest = frame[1 + _ID_SIZE :]
        try:
            if kind == _ANSWER:
                waiter = self._waiting.pop(request_id, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(unpack(rest))
            elif kind == _REQUEST:
                (length,) = _LENGTH.unpack_from(rest)
                reply_to = rest[_LENGTH.size : _LENGTH.size + length]
                message = unpack(rest[_LENGTH.size + length :])
                task = asyncio.create_task(self._answer(request_id, reply_to, message))
                self._serving.add(task)
                task.add_done_callback(self._serving.discard)
        except (struct.error, BadMessage) as exc:
            log.warning("ignored an unreadable link message: %s", exc)

    async def _answer(self, request_id: bytes, reply_to: bytes, message: Message) -> None:
        assert self._handler is not None
        reply = await self._handler(message)
        try:
            await self._client.publish(reply_to, _ANSWER + request_id + pack(reply))
        except UNAVAILABLE as exc:
            log.warning("could not send an answer back: %s", exc)

    async def call(self, address: str, message: Message, within: float) -> Message:
        if not self._subscribed.is_set():
            raise NotDelivered("not subscribed to Redis: an answer could not come back")
        request_id = secrets.token_hex(_ID_SIZE // 2).encode()
        reply_to = self._address.encode()
        frame = _REQUEST + request_id + _LENGTH.pack(len(reply_to)) + reply_to + pack(message)
        waiter = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = waiter
        try:
            try:
                receivers = await self._client.publish(address, frame)
            except UNAVAILABLE as exc:
                raise StoreUnavailable(f"Redis: {exc}") from exc
            if not receivers:
                raise NotDelivered(f"nobody listens on {address}")
            return await answer_within(waiter, within)
        finally:
            self._waiting.pop(request_id, None)

    async def probe(self, address: str) -> bool | None:
        # A holder whose subscription is briefly down is still alive: only the lease can tell.
        return None

    async def close(self) -> None:
        tasks = [t for t in (self._reader, *self._serving) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
