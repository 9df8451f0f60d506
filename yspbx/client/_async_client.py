"""The asynchronous client: runs the shared flows with ``await`` and an async lock."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, TypeVar

import anyio
import httpx

from yspbx.client._areas._async import (
    AsyncApi2,
    AsyncCalls,
    AsyncCdr,
    AsyncExtensions,
    AsyncHotel,
    AsyncInboundRoutes,
    AsyncIvrs,
    AsyncOutboundRoutes,
    AsyncPagingGroups,
    AsyncPrompts,
    AsyncQueues,
    AsyncRecordings,
    AsyncSms,
    AsyncSystem,
    AsyncTrunks,
)
from yspbx.client._base import USER_AGENT, BaseClient, Flow, Login, Send
from yspbx.client._endpoint import Download, Endpoint
from yspbx.client._exceptions import YspbxError
from yspbx.client._verify import tls_verify
from yspbx.client._wire import RequestModel

log = logging.getLogger("yspbx.client")

T = TypeVar("T")

# After a failed heartbeat, try again this much sooner than a full interval.
RETRY_AFTER_FAILURE = 60.0


class AsyncClient(BaseClient):
    """The asynchronous twin of :class:`~yspbx.client.Client`: the same options and methods,
    awaited; ``aclose()`` and ``async with`` instead of ``close()`` and ``with``.

    ``transport=`` takes any ``httpx.AsyncBaseTransport``.
    """

    _http: httpx.AsyncClient

    def __init__(
        self,
        base_url: str,
        *,
        username: str,
        password: str | None = None,
        password_md5: str | None = None,
        verify: bool | ssl.SSLContext = True,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        report_port: int = 8260,
        report_url: str | None = None,
        report_version: str | None = "1.0.2",
        keepalive_interval: float = 25 * 60.0,
        retries: int = 2,
        retry_backoff: float = 0.25,
        lockout_seconds: float = 600.0,
        lockout_threshold: int = 5,
        api_version: str = "1.1.0",
    ) -> None:
        super().__init__(
            base_url,
            username=username,
            password=password,
            password_md5=password_md5,
            report_port=report_port,
            report_url=report_url,
            report_version=report_version,
            keepalive_interval=keepalive_interval,
            retries=retries,
            retry_backoff=retry_backoff,
            lockout_seconds=lockout_seconds,
            lockout_threshold=lockout_threshold,
            api_version=api_version,
        )
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            verify=tls_verify(verify),
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": USER_AGENT},
        )
        self._login_lock = anyio.Lock()
        self._keepalive: asyncio.Task[None] | None = None
        self.system = AsyncSystem(self)
        self.extensions = AsyncExtensions(self)
        self.trunks = AsyncTrunks(self)
        self.inbound_routes = AsyncInboundRoutes(self)
        self.outbound_routes = AsyncOutboundRoutes(self)
        self.ivrs = AsyncIvrs(self)
        self.queues = AsyncQueues(self)
        self.paging_groups = AsyncPagingGroups(self)
        self.calls = AsyncCalls(self)
        self.prompts = AsyncPrompts(self)
        self.sms = AsyncSms(self)
        self.hotel = AsyncHotel(self)
        self.recordings = AsyncRecordings(self)
        self.cdr = AsyncCdr(self)
        self.v2 = AsyncApi2(self)

    # -- running flows --------------------------------------------------------------------

    async def _run(self, flow: Flow[T]) -> T:
        try:
            step = next(flow)
            while True:
                if isinstance(step, Send):
                    reply: Any = await self._transmit(step)
                else:
                    reply = await self._login(step)
                step = flow.send(reply)
        except StopIteration as stop:
            result: T = stop.value
            return result
        finally:
            flow.close()

    async def _transmit(self, step: Send) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = await self._http.send(step.request)
            except httpx.TransportError as exc:
                if not self._may_retry(exc, step.retry, attempt):
                    raise self._transport_error(exc, step.request) from exc
                await anyio.sleep(self._backoff(attempt))
                attempt += 1
                continue
            self._exchanged()
            return response

    async def _login(self, step: Login) -> str:
        async with self._login_lock:
            token = self._auth.token
            if token is not None and token != step.stale:
                return token
            return await self._run(self._login_flow())

    async def _send(self, endpoint: Endpoint[T], fields: RequestModel | None = None) -> T:
        return await self._run(self._call_flow(endpoint, fields))

    async def _download(self, download: Download, params: dict[str, str]) -> bytes:
        return await self._run(self._download_flow(download, params))

    # -- the session ----------------------------------------------------------------------

    async def login(self) -> str:
        """Log in now unless already logged in; returns the token."""
        token = self._auth.token
        return token if token is not None else await self._login(Login(None))

    async def heartbeat(
        self, *, ip: str | None = None, port: int | None = None, url: str | None = None
    ) -> None:
        """Keep the token alive for another 30 minutes; optionally move the report target."""
        await self._run(self._heartbeat_flow(ip, port, url))

    async def logout(self) -> None:
        """End the session (and a background keep-alive): the token stops working and reports
        stop. The next call logs in again."""
        await self.stop_keepalive()
        await self._run(self._logout_flow())

    # -- keep-alive -----------------------------------------------------------------------

    async def _heartbeats(self, interval: float) -> None:
        wait = interval
        while True:
            await anyio.sleep(max(0.0, wait))
            idle = self._idle_seconds()
            if idle < interval:
                wait = interval - idle
                continue
            if self._auth.token is None:  # logged out: nothing to keep alive
                wait = interval
                continue
            try:
                await self.heartbeat()
                wait = interval
            except YspbxError as exc:
                log.warning("keep-alive heartbeat failed: %s", exc)
                wait = min(interval, RETRY_AFTER_FAILURE)

    @asynccontextmanager
    async def keepalive(self, interval: float | None = None) -> AsyncIterator[AsyncClient]:
        """``async with client.keepalive(): ...`` logs in and keeps the session alive inside
        the block (from an asyncio task; see :meth:`start_keepalive`)."""
        await self.start_keepalive(interval)
        try:
            yield self
        finally:
            await self.stop_keepalive()

    async def start_keepalive(self, interval: float | None = None) -> None:
        """Log in now and keep the session alive from a background asyncio task, until
        :meth:`stop_keepalive`, :meth:`logout` or :meth:`aclose`. (The rest of the client runs
        on any event loop anyio supports; the keep-alive needs asyncio.)"""
        if self._keepalive is not None:
            return
        await self.login()
        self._keepalive = asyncio.create_task(
            self._heartbeats(interval or self.keepalive_interval), name="yspbx-keepalive"
        )

    async def stop_keepalive(self) -> None:
        task, self._keepalive = self._keepalive, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- life cycle -----------------------------------------------------------------------

    async def aclose(self) -> None:
        """Stop the keep-alive, log out (best effort) and close the connections."""
        await self.stop_keepalive()
        try:
            await self.logout()
        except YspbxError as exc:
            log.debug("logout on close failed: %s", exc)
        finally:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
