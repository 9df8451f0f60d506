"""``/sim/v1/pbxs``: the PBXs hosted beside the default one, created, listed and removed at run
time (docs/control-plane.md, "Hosted PBXs")."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from yspbx.hosting import PbxConfigInvalid, PbxExists, PbxRegistry, PortUnavailable, UnknownPbx
from yspbx.sim.bodies import json_object
from yspbx.sim.errors import bad_request, conflict, not_found


def build_pbx_routes(registry: PbxRegistry) -> list[Route]:
    async def listing(request: Request) -> JSONResponse:
        return JSONResponse([registry.describe(h) for h in registry.listing()])

    async def create(request: Request) -> JSONResponse:
        data = await json_object(request)
        name, config, port = data.get("name"), data.get("config"), data.get("port")
        if name is not None and not isinstance(name, str):
            raise bad_request("'name' must be a string")
        if config is not None and not isinstance(config, str):
            raise bad_request("'config' must be TOML text (a string)")
        if port is not None and (
            isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535
        ):
            raise bad_request("'port' must be a port number (0: any free port)")
        try:
            hosted = await registry.create(name, config, port or None)
        except PbxExists as exc:
            raise conflict(str(exc)) from None
        except PortUnavailable as exc:
            raise conflict(str(exc)) from None
        except PbxConfigInvalid as exc:
            raise bad_request(str(exc)) from None
        return JSONResponse(registry.describe(hosted), status_code=201)

    async def remove(request: Request) -> Response:
        try:
            await registry.remove(request.path_params["name"])
        except UnknownPbx as exc:
            raise not_found(str(exc)) from None
        return Response(status_code=204)

    async def one(request: Request) -> JSONResponse:
        hosted = await registry.find(request.path_params["name"])
        if hosted is None:
            raise not_found(f"no PBX named {request.path_params['name']!r}")
        return JSONResponse(registry.describe(hosted))

    return [
        Route("/pbxs", listing, methods=["GET"]),
        Route("/pbxs", create, methods=["POST"]),
        Route("/pbxs/{name}", one, methods=["GET"]),
        Route("/pbxs/{name}", remove, methods=["DELETE"]),
    ]
