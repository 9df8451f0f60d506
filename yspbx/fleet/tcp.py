"""The link between processes on one machine: loopback TCP, one kept connection per peer.

Each process listens on ``127.0.0.1`` on a free port; its address (``host:port/secret``) is what
the engine lease records. A connection opens with the secret, so only a process that can read
the store (and so the lease) can send the engine requests. Frames are a length, a request id
and a packed :class:`~yspbx.fleet.messages.Message`; answers come back on the same connection,
in whatever order they finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import itertools
import logging
import secrets
import struct

from yspbx.fleet.links import Handler, NoAnswer, NotDelivered, answer_within
from yspbx.fleet.messages import BadMessage, Message, pack, unpack

log = logging.getLogger(__name__)

_FRAME = struct.Struct("!IQ")  # length of what follows the id, request id
_HELLO_ID = 0
_MAX_FRAME = 64 * 1024 * 1024


async def _read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readexactly(_FRAME.size)
    length, request_id = _FRAME.unpack(head)
    if length > _MAX_FRAME:
        raise BadMessage("frame too large")
    return request_id, await reader.readexactly(length)


def _frame(request_id: int, data: bytes) -> bytes:
    return _FRAME.pack(len(data), request_id) + data


def _split(address: str) -> tuple[str, int, bytes]:
    hostport, _, secret = address.partition("/")
    host, _, port = hostport.rpartition(":")
    return host, int(port), secret.encode()


class _Connection:
    """One connection to a peer, shared by every request this process sends it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[Message]] = {}
        self._lock = asyncio.Lock()
        self.closed = False
        self._task = asyncio.create_task(self._read(), name="yspbx-link-reader")

    async def _read(self) -> None:
        try:
            while True:
                request_id, data = await _read_frame(self._reader)
                waiter = self._waiting.pop(request_id, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(unpack(data))
        except (OSError, EOFError, asyncio.IncompleteReadError, BadMessage):
            pass
        finally:
            self.closed = True
            for waiter in self._waiting.values():
                if not waiter.done():
                    waiter.set_exception(NoAnswer("the engine process closed the connection"))
            self._waiting.clear()
            self._writer.close()

    async def call(self, message: Message, within: float) -> Message:
        request_id = next(self._ids)
        waiter = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = waiter
        try:
            try:
                async with self._lock:
                    self._writer.write(_frame(request_id, pack(message)))
                    await self._writer.drain()
            except OSError as exc:
                raise NotDelivered(str(exc)) from exc
            return await answer_within(waiter, within)
        finally:
            self._waiting.pop(request_id, None)

    async def close(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


class TcpLink:
    def __init__(self, host: str = "127.0.0.1", connect_timeout: float = 2.0) -> None:
        self._host = host
        self._connect_timeout = connect_timeout
        self._secret = secrets.token_hex(16)
        self._address = ""
        self._server: asyncio.Server | None = None
        self._handler: Handler | None = None
        self._peers: dict[str, _Connection] = {}
        self._connecting = asyncio.Lock()
        self._serving: set[asyncio.Task[None]] = set()
        self._accepted: set[asyncio.StreamWriter] = set()

    @property
    def address(self) -> str:
        return self._address

    async def start(self, handler: Handler) -> None:
        self._handler = handler
        self._server = await asyncio.start_server(self._accept, self._host, 0)
        port = self._server.sockets[0].getsockname()[1]
        self._address = f"{self._host}:{port}/{self._secret}"

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        lock = asyncio.Lock()
        self._accepted.add(writer)
        try:
            hello_id, secret = await asyncio.wait_for(_read_frame(reader), self._connect_timeout)
            if hello_id != _HELLO_ID or not hmac.compare_digest(secret, self._secret.encode()):
                log.warning("refused a link connection without the right secret")
                return
            while True:
                request_id, data = await _read_frame(reader)
                task = asyncio.create_task(self._answer(writer, lock, request_id, data))
                self._serving.add(task)
                task.add_done_callback(self._serving.discard)
        except (OSError, EOFError, TimeoutError, asyncio.IncompleteReadError, BadMessage):
            pass
        finally:
            self._accepted.discard(writer)
            writer.close()

    async def _answer(
        self, writer: asyncio.StreamWriter, lock: asyncio.Lock, request_id: int, data: bytes
    ) -> None:
        assert self._handler is not None
        reply = await self._handler(unpack(data))
        with contextlib.suppress(OSError):
            async with lock:
                writer.write(_frame(request_id, pack(reply)))
                await writer.drain()

    async def _peer(self, address: str) -> _Connection:
        async with self._connecting:
            peer = self._peers.get(address)
            if peer is not None and not peer.closed:
                return peer
            # Forget connections to processes gone since (a holder that died or moved).
            for known, connection in list(self._peers.items()):
                if connection.closed:
                    del self._peers[known]
            host, port, secret = _split(address)
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(host, port), self._connect_timeout
                )
            except (OSError, TimeoutError) as exc:
                raise NotDelivered(f"{host}:{port}: {exc}") from exc
            writer.write(_frame(_HELLO_ID, secret))
            peer = self._peers[address] = _Connection(reader, writer)
            return peer

    async def call(self, address: str, message: Message, within: float) -> Message:
        peer = await self._peer(address)
        return await peer.call(message, within)

    async def probe(self, address: str) -> bool | None:
        host, port, _ = _split(address)
        try:
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port), self._connect_timeout
            )
        except ConnectionRefusedError:
            return False
        except (OSError, TimeoutError):
            return None
        writer.close()
        return True

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._accepted):
            writer.close()
        for task in list(self._serving):
            task.cancel()
        await asyncio.gather(*self._serving, return_exceptions=True)
        for peer in list(self._peers.values()):
            await peer.close()
        self._peers.clear()
