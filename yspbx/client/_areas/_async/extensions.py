from __future__ import annotations

import builtins
from typing import Unpack

from yspbx.client._areas._async._area import AsyncArea
from yspbx.client._models import extensions
from yspbx.client._models.extensions import Extension, ExtensionChanges, ExtensionSummary
from yspbx.client._wire import IdList, split_list


class AsyncExtensions(AsyncArea):
    """Extensions (docs/pbx-api/system-extensions.md)."""

    async def list(self) -> builtins.list[ExtensionSummary]:
        """Every extension with its status, type and name."""
        return await self._send(extensions.EXTENSION_LIST)

    async def query(self, numbers: IdList | None = None) -> builtins.list[Extension]:
        """The full settings of the given extensions (all of them when None)."""
        fields = extensions.ExtensionQuery(numbers=split_list(numbers) if numbers else None)
        return await self._send(extensions.EXTENSION_QUERY, fields)

    async def update(self, number: str, **changes: Unpack[ExtensionChanges]) -> None:
        """Change some settings of extension ``number``; only what is given is sent."""
        fields = extensions.ExtensionUpdate.model_validate({"extension": number, **changes})
        await self._send(extensions.EXTENSION_UPDATE, fields)
