"""One HTTP POST of one report, the way the PBX sends it, with a hard deadline.

The request carries the PBX's headers (``User-Agent: WebAPI``, ``Content-Type`` and ``Accept``
``application/json``, plus ``Host`` and ``Content-Length``) and one of yspbx's own,
:data:`REPORT_MARK`: a report target can be made to point at yspbx itself, and the control plane
refuses any request that carries the mark, so a report never reaches it through the trust it
gives loopback clients (the receiver may ignore the header). It goes out on a new TCP
connection each time, as the PBX's short-lived flows do (``reports.keepalive`` reuses
connections instead: faster, less faithful). Redirects are never followed. The whole
exchange, answer body included, must finish within ``timeout`` seconds of wall time: a receiver
that hangs or trickles bytes cannot hold a delivery slot longer than that. The answer's body is
read (so a cut-off answer counts as no answer) and thrown away as it arrives.

The transport is injectable (any ``httpx.AsyncBaseTransport``), as the SDK's is.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

# Marks every report this server sends; the control plane refuses requests carrying it.
REPORT_MARK = "X-Yspbx-Report"
REPORT_MARK_KEY = REPORT_MARK.lower().encode("ascii")

REPORT_HEADERS = (
    ("User-Agent", "WebAPI"),
    ("Content-Type", "application/json"),
    ("Accept", "application/json"),
    (REPORT_MARK, "1"),
)


@dataclass(frozen=True, slots=True)
class SendResult:
    """The HTTP status the receiver answered, or None and why there was no complete answer."""

    status: int | None
    error: str = ""


class ReportSender:
    def __init__(
        self,
        timeout: float,
        concurrency: int,
        transport: httpx.AsyncBaseTransport | None = None,
        keepalive: bool = False,
    ) -> None:
        self.timeout = timeout
        idle = concurrency if keepalive else 0
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=idle),
            trust_env=False,
        )

    async def post(self, url: str, body: bytes) -> SendResult:
        try:
            async with asyncio.timeout(self.timeout):
                request = httpx.Request("POST", url, headers=REPORT_HEADERS, content=body)
                response = await self._client.send(request, stream=True)
                try:
                    async for _ in response.aiter_raw():
                        pass
                finally:
                    await response.aclose()
        except TimeoutError:
            return SendResult(None, f"no answer within {self.timeout:g} s")
        except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
            return SendResult(None, f"{type(exc).__name__}: {exc}".rstrip(": "))
        return SendResult(response.status_code)

    async def aclose(self) -> None:
        await self._client.aclose()
