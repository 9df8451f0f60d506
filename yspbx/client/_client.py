"""The synchronous client: runs the shared flows with plain calls and a thread lock."""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, TypeVar

import httpx

from yspbx.client._areas._sync import (
    Api2,
    Calls,
    Cdr,
    Extensions,
    Hotel,
    InboundRoutes,
    Ivrs,
    OutboundRoutes,
    PagingGroups,
    Prompts,
    Queues,
    Recordings,
    Sms,
    System,
    Trunks,
)
from yspbx.client._base import USER_AGENT, BaseClient, Flow, Login, Send
from yspbx.client._endpoint import Download, Endpoint
from yspbx.client._exceptions import YspbxError
from yspbx.client._verify import tls_verify
from yspbx.client._wire import RequestModel

log = logging.getLogger("yspbx.client")

T = TypeVar("T")


class Client(BaseClient):
    """A client for the S-Series API of a PBX (a real one, or a yspbx server).

    ``Client("https://192.168.5.150:8088", username="api", password="secret")`` logs in on the
    first call, keeps the token (re-logging in once when the PBX forgets it) and logs out on
    :meth:`close`. Methods are grouped by area: ``client.extensions.list()``,
    ``client.calls.dial_extension("1001", "1002")``, ...

    Options: ``password_md5=`` instead of ``password=`` when only the hash is known;
    ``verify=`` (False for the PBX's self-signed certificate, or an ``ssl.SSLContext``);
    ``timeout=`` seconds; ``report_port=``/``report_url=``/``report_version=`` where and how
    the PBX sends event reports (``report_version=None``: the legacy format);
    ``keepalive_interval=`` seconds between heartbeats when keep-alive runs (25 minutes);
    ``retries=`` for queries after a transient network failure; ``lockout_seconds=`` and
    ``lockout_threshold=`` as configured on the PBX; ``transport=`` any ``httpx.BaseTransport``.
    """

    _http: httpx.Client

    def __init__(
        self,
        base_url: str,
        *,
        username: str,
        password: str | None = None,
        password_md5: str | None = None,
        verify: bool | ssl.SSLContext = True,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
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
        self._http = httpx.Client(
            base_url=self.base_url,
            verify=tls_verify(verify),
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": USER_AGENT},
        )
        self._login_lock = threading.Lock()
        self._keepalive: _Heartbeats | None = None
        self.system = System(self)
        self.extensions = Extensions(self)
        self.trunks = Trunks(self)
        self.inbound_routes = InboundRoutes(self)
        self.outbound_routes = OutboundRoutes(self)
        self.ivrs = Ivrs(self)
        self.queues = Queues(self)
        self.paging_groups = PagingGroups(self)
        self.calls = Calls(self)
        self.prompts = Prompts(self)
        self.sms = Sms(self)
        self.hotel = Hotel(self)
        self.recordings = Recordings(self)
        self.cdr = Cdr(self)
        self.v2 = Api2(self)

    # -- running flows --------------------------------------------------------------------

    def _run(self, flow: Flow[T]) -> T:
        try:
            step = next(flow)
            while True:
                if isinstance(step, Send):
                    reply: Any = self._transmit(step)
                else:
                    reply = self._login(step)
                step = flow.send(reply)
        except StopIteration as stop:
            result: T = stop.value
            return result
        finally:
            flow.close()

    def _transmit(self, step: Send) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = self._http.send(step.request)
            except httpx.TransportError as exc:
                if not self._may_retry(exc, step.retry, attempt):
                    raise self._transport_error(exc, step.request) from exc
                time.sleep(self._backoff(attempt))
                attempt += 1
                continue
            self._exchanged()
            return response

    def _login(self, step: Login) -> str:
        # One login at a time: a second thread waiting here uses the token the first obtained.
        with self._login_lock:
            token = self._auth.token
            if token is not None and token != step.stale:
                return token
            return self._run(self._login_flow())

    def _send(self, endpoint: Endpoint[T], fields: RequestModel | None = None) -> T:
        return self._run(self._call_flow(endpoint, fields))

    def _download(self, download: Download, params: dict[str, str]) -> bytes:
        return self._run(self._download_flow(download, params))

    # -- the session ----------------------------------------------------------------------

    def login(self) -> str:
        """Log in now unless already logged in; returns the token. (Every call does this
        lazily; use it to check the credentials early.)"""
        token = self._auth.token
        return token if token is not None else self._login(Login(None))

    def heartbeat(
        self, *, ip: str | None = None, port: int | None = None, url: str | None = None
    ) -> None:
        """Keep the token alive for another 30 minutes; optionally send reports elsewhere from
        now on (``url``: a path here, or ``http://host:port/path``)."""
        self._run(self._heartbeat_flow(ip, port, url))

    def logout(self) -> None:
        """End the session (and the keep-alive): the token stops working and reports stop.
        The next call logs in again."""
        self.stop_keepalive()
        self._run(self._logout_flow())

    # -- keep-alive -----------------------------------------------------------------------

    def start_keepalive(self, interval: float | None = None) -> None:
        """Log in now and send a heartbeat whenever the client has been idle for ``interval``
        seconds (``keepalive_interval`` by default), from a background thread, until
        :meth:`stop_keepalive` or :meth:`close`."""
        if self._keepalive is not None:
            return
        self.login()
        self._keepalive = _Heartbeats(self, interval or self.keepalive_interval)
        self._keepalive.start()

    def stop_keepalive(self) -> None:
        heartbeats, self._keepalive = self._keepalive, None
        if heartbeats is not None:
            heartbeats.stop()

    @contextmanager
    def keepalive(self, interval: float | None = None) -> Iterator[Client]:
        """``with client.keepalive(): ...`` keeps the session alive inside the block."""
        self.start_keepalive(interval)
        try:
            yield self
        finally:
            self.stop_keepalive()

    # -- life cycle -----------------------------------------------------------------------

    def close(self) -> None:
        """Stop the keep-alive, log out (best effort) and close the connections."""
        self.stop_keepalive()
        try:
            self.logout()
        except YspbxError as exc:
            log.debug("logout on close failed: %s", exc)
        finally:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class _Heartbeats(threading.Thread):
    """Sends a heartbeat once the client has been idle for ``interval`` seconds."""

    # After a failed heartbeat, try again this much sooner than a full interval.
    RETRY_AFTER_FAILURE = 60.0

    def __init__(self, client: Client, interval: float) -> None:
        super().__init__(name="yspbx-keepalive", daemon=True)
        self._client = client
        self._interval = interval
        self._stopped = threading.Event()

    def run(self) -> None:
        wait = self._interval
        while not self._stopped.wait(max(0.0, wait)):
            idle = self._client._idle_seconds()
            if idle < self._interval:
                wait = self._interval - idle
                continue
            if self._client.token is None:  # logged out: nothing to keep alive
                wait = self._interval
                continue
            try:
                self._client.heartbeat()
                wait = self._interval
            except YspbxError as exc:
                log.warning("keep-alive heartbeat failed: %s", exc)
                wait = min(self._interval, self.RETRY_AFTER_FAILURE)

    def stop(self) -> None:
        self._stopped.set()
        if self is not threading.current_thread():
            self.join()
