# Generated from _async/extensions.py by `python -m yspbx.client._unasync`: do not edit.
from __future__ import annotations

import builtins
from typing import Unpack

from yspbx.client._areas._sync._area import Area
from yspbx.client._models import extensions
from yspbx.client._models.extensions import Extension, ExtensionChanges, ExtensionSummary
from yspbx.client._wire import IdList, split_list


class Extensions(Area):
    """Extensions (docs/pbx-api/system-extensions.md)."""

    def list(self) -> builtins.list[ExtensionSummary]:
        """Every extension with its status, type and name."""
        return self._send(extensions.EXTENSION_LIST)

    def query(self, numbers: IdList | None = None) -> builtins.list[Extension]:
        """The full settings of the given extensions (all of them when None)."""
        fields = extensions.ExtensionQuery(numbers=split_list(numbers) if numbers else None)
        return self._send(extensions.EXTENSION_QUERY, fields)

    def update(self, number: str, **changes: Unpack[ExtensionChanges]) -> None:
        """Change some settings of extension ``number``; only what is given is sent."""
        fields = extensions.ExtensionUpdate.model_validate({"extension": number, **changes})
        self._send(extensions.EXTENSION_UPDATE, fields)
