# Generated from _async/_area.py by `python -m yspbx.client._unasync`: do not edit.
from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from yspbx.client._endpoint import Download, Endpoint
from yspbx.client._wire import RequestModel

if TYPE_CHECKING:
    from yspbx.client._client import Client

T = TypeVar("T")


class Area:
    def __init__(self, client: Client) -> None:
        self._client = client

    def _send(self, endpoint: Endpoint[T], fields: RequestModel | None = None) -> T:
        return self._client._send(endpoint, fields)

    def _download(self, download: Download, params: dict[str, str]) -> bytes:
        return self._client._download(download, params)
