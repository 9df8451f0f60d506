from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from yspbx.client._endpoint import Download, Endpoint
from yspbx.client._wire import RequestModel

if TYPE_CHECKING:
    from yspbx.client._async_client import AsyncClient

T = TypeVar("T")


class AsyncArea:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def _send(self, endpoint: Endpoint[T], fields: RequestModel | None = None) -> T:
        return await self._client._send(endpoint, fields)

    async def _download(self, download: Download, params: dict[str, str]) -> bytes:
        return await self._client._download(download, params)
