from __future__ import annotations

import builtins
from typing import Unpack

from yspbx.client._areas._async._area import AsyncArea
from yspbx.client._models import routes, trunks
from yspbx.client._models.routes import (
    InboundRoute,
    InboundRouteChanges,
    OutboundRoute,
    OutboundRouteChanges,
)
from yspbx.client._models.trunks import SipTrunk, SipTrunkSettings, SipTrunkType, Trunk
from yspbx.client._wire import IdList, split_list


class AsyncTrunks(AsyncArea):
    """Trunks (docs/pbx-api/trunks-routes.md): every trunk's state, and the SIP trunks' settings."""

    async def list(self) -> builtins.list[Trunk]:
        """Every trunk (SIP, IAX, FXO, BRI, E1, GSM, ...) with its status."""
        return await self._send(trunks.TRUNK_LIST)

    async def query_sip(self, names: IdList = "all") -> builtins.list[SipTrunk]:
        """The settings of the given SIP trunks (``"all"``: every one)."""
        fields = trunks.SipTrunkQuery(names=split_list(names))
        return await self._send(trunks.SIP_TRUNK_QUERY, fields)

    async def add_sip(
        self, name: str, trunk_type: SipTrunkType, **settings: Unpack[SipTrunkSettings]
    ) -> None:
        """Add a SIP trunk: ``register`` (with an ITSP account), ``peer`` or ``account``."""
        fields = trunks.SipTrunkAdd.model_validate(
            {"name": name, "trunk_type": trunk_type, **settings}
        )
        await self._send(trunks.SIP_TRUNK_ADD, fields)

    async def update_sip(
        self,
        trunk_id: str,
        trunk_type: SipTrunkType,
        *,
        name: str | None = None,
        **settings: Unpack[SipTrunkSettings],
    ) -> None:
        """Change the SIP trunk with id ``trunk_id`` (``SipTrunk.id``); send only what changes."""
        fields = trunks.SipTrunkUpdate.model_validate(
            {"id": trunk_id, "trunk_type": trunk_type, "name": name, **settings}
        )
        await self._send(trunks.SIP_TRUNK_UPDATE, fields)

    async def delete_sip(self, names: IdList) -> None:
        """Delete SIP trunks by name (``"all"``: every one)."""
        await self._send(trunks.SIP_TRUNK_DELETE, trunks.SipTrunkDelete(names=split_list(names)))


class AsyncInboundRoutes(AsyncArea):
    """Inbound routes (docs/pbx-api/trunks-routes.md): where calls arriving on a trunk go."""

    async def query(self, names: IdList = "all") -> builtins.list[InboundRoute]:
        return await self._send(
            routes.INBOUND_ROUTE_QUERY, routes.RouteNames(names=split_list(names))
        )

    async def add(
        self,
        name: str,
        *,
        trunks: IdList,
        destination_type: str,
        destination: str,
        did: str | None = None,
        caller_id: str | None = None,
    ) -> None:
        """Route calls from ``trunks`` (matching ``did`` and ``caller_id`` patterns when given)
        to ``destination`` of ``destination_type`` (``extension``, ``ivr``, ``queue``, ...)."""
        fields = routes.InboundRouteFields(
            name=name,
            did=did,
            caller_id=caller_id,
            trunks=split_list(trunks),
            destination_type=destination_type,
            destination=destination,
        )
        await self._send(routes.INBOUND_ROUTE_ADD, fields)

    async def update(
        self, name: str, *, route_id: str | None = None, **changes: Unpack[InboundRouteChanges]
    ) -> None:
        """Change a route, found by ``route_id`` when given (then ``name`` renames it), else
        by ``name``."""
        fields = routes.InboundRouteFields.model_validate({"id": route_id, "name": name, **changes})
        await self._send(routes.INBOUND_ROUTE_UPDATE, fields)

    async def delete(self, names: IdList) -> None:
        """Delete routes by name (``"all"``: every one)."""
        await self._send(routes.INBOUND_ROUTE_DELETE, routes.RouteNames(names=split_list(names)))


class AsyncOutboundRoutes(AsyncArea):
    """Outbound routes (docs/pbx-api/trunks-routes.md): which numbers go out where, for whom."""

    async def query(self, names: IdList = "all") -> builtins.list[OutboundRoute]:
        fields = routes.RouteNames(names=split_list(names))
        return await self._send(routes.OUTBOUND_ROUTE_QUERY, fields)

    async def add(
        self,
        name: str,
        *,
        prefix: str,
        trunks: IdList,
        extensions: IdList,
        strip: int | None = None,
        prepend: str | None = None,
        extension_groups: IdList | None = None,
    ) -> None:
        """Send numbers matching ``prefix`` (a dial pattern) out through ``trunks``, for the
        given extensions, after removing ``strip`` leading digits and adding ``prepend``."""
        fields = routes.OutboundRouteFields(
            name=name,
            prefix=prefix,
            strip=strip,
            prepend=prepend,
            trunks=split_list(trunks),
            extensions=split_list(extensions),
            extension_groups=split_list(extension_groups) if extension_groups else None,
        )
        await self._send(routes.OUTBOUND_ROUTE_ADD, fields)

    async def update(
        self, name: str, *, route_id: str | None = None, **changes: Unpack[OutboundRouteChanges]
    ) -> None:
        """Change a route, found by ``route_id`` when given (then ``name`` renames it), else
        by ``name``."""
        fields = routes.OutboundRouteFields.model_validate(
            {"id": route_id, "name": name, **changes}
        )
        await self._send(routes.OUTBOUND_ROUTE_UPDATE, fields)

    async def delete(self, names: IdList) -> None:
        """Delete routes by name (``"all"``: every one)."""
        await self._send(routes.OUTBOUND_ROUTE_DELETE, routes.RouteNames(names=split_list(names)))
