"""The SDK against the real server, one test body for both twins.

``sdk`` (the fixture in ``conftest.py``) is a :class:`~yspbx.client.Client`, or an
:class:`~yspbx.client.AsyncClient` running on an event loop of its own behind
:class:`Blocking`, so a test written once drives both. Either way the client's transport keeps
every answer the server sent (:class:`Wire`), so a test can hold the typed models the SDK made
against the exact JSON they were made from (:func:`assert_read_whole`).
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from pydantic import BaseModel

from tests.support.helpers import PASSWORD
from yspbx.client import ApiError, AsyncClient, Client, Simulator

API = "/api/v1.1.0/"


class Wire:
    """The JSON answers the client under test received, oldest first."""

    def __init__(self) -> None:
        self.answers: list[tuple[str, dict[str, Any]]] = []

    def record(self, request: httpx.Request, content: bytes) -> None:
        endpoint = request.url.path.removeprefix(API)
        try:
            answer = json.loads(content)
        except ValueError:
            return
        if isinstance(answer, dict):
            self.answers.append((endpoint, answer))

    def last(self, endpoint: str) -> dict[str, Any]:
        """The latest answer to ``endpoint``."""
        for path, answer in reversed(self.answers):
            if path == endpoint:
                return dict(answer)
        raise AssertionError(f"the client received no answer to {endpoint}")

    def items(self, endpoint: str, key: str) -> list[dict[str, Any]]:
        """The objects listed under ``key`` in the latest answer to ``endpoint``."""
        items = self.last(endpoint)[key]
        assert isinstance(items, list)
        return items


class RecordingTransport(httpx.HTTPTransport):
    def __init__(self, wire: Wire, **options: Any) -> None:
        super().__init__(**options)
        self.wire = wire

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.wire.record(request, response.read())
        return response


class AsyncRecordingTransport(httpx.AsyncHTTPTransport):
    def __init__(self, wire: Wire, **options: Any) -> None:
        super().__init__(**options)
        self.wire = wire

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        self.wire.record(request, await response.aread())
        return response


class Blocking:
    """An object of the async client (the client, or one of its areas) whose coroutine
    methods run to completion on the portal's event loop when called; areas come wrapped too,
    so ``blocking.queues.status("6700")`` reads exactly as with the sync client."""

    def __init__(self, target: object, portal: BlockingPortal) -> None:
        self._target = target
        self._portal = portal

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if inspect.iscoroutinefunction(value):

            def run(*args: Any, **kwargs: Any) -> Any:
                return self._portal.call(functools.partial(value, *args, **kwargs))

            return run
        if hasattr(value, "_client"):  # an area of the client
            return Blocking(value, self._portal)
        return value


@contextmanager
def twin(kind: str, url: str, wire: Wire) -> Iterator[Client]:
    """A logged-out client of ``kind`` (``sync`` or ``async``) for the server at ``url``."""
    options: dict[str, Any] = {"username": "api", "password": PASSWORD, "retry_backoff": 0}
    if kind == "sync":
        with Client(url, transport=RecordingTransport(wire), **options) as client:
            yield client
        return
    with start_blocking_portal("asyncio") as portal:
        transport = AsyncRecordingTransport(wire)
        asynchronous = portal.call(
            functools.partial(AsyncClient, url, transport=transport, **options)
        )
        try:
            yield cast(Client, Blocking(asynchronous, portal))
        finally:
            portal.call(asynchronous.aclose)


def _same(value: Any, text: str) -> bool:
    """Whether a model's value is what the wire's string says."""
    if isinstance(value, bool):
        return text in (("on", "yes") if value else ("off", "no"))
    if isinstance(value, int):  # an IntEnum too
        return str(int(value)) == text
    if value is None:
        return text == ""
    if isinstance(value, list):
        return value == [part for part in text.split(",") if part]
    return bool(value == text)


def assert_read_whole(models: Sequence[BaseModel], answer: list[dict[str, Any]]) -> None:
    """Every key the server sent landed in a declared field of the model made from it (none
    left over in ``model_extra``), with the value the string means."""
    assert len(models) == len(answer)
    for model, sent in zip(models, answer, strict=True):
        assert model.model_extra == {}, f"{type(model).__name__} kept unknown keys"
        fields = type(model).model_fields
        by_wire = {(info.alias or name): name for name, info in fields.items()}
        for key, text in sent.items():
            assert key in by_wire, f"{type(model).__name__} has no field for {key!r}"
            name = by_wire[key]
            assert name in model.model_fields_set
            value = getattr(model, name)
            if isinstance(text, list):  # a list of objects (an inbound call's callee)
                assert_read_whole(value, text)
                continue
            assert _same(value, text), f"{type(model).__name__}.{name} = {value!r}, sent {text!r}"


# -- calls -----------------------------------------------------------------------------------

OUTSIDE = "0612345678"
FAR_END = "0698765432"


def talking(simulator: Simulator, caller: str, callee: str, trunk: str | None = None) -> str:
    """A call from ``caller`` to ``callee`` that ``callee`` answered."""
    callid = simulator.start_call(caller, callee, trunk=trunk)
    assert simulator.answer(callid) == callee
    return callid


def raised(
    call: Callable[[], object], kind: type[ApiError], errno: str, endpoint: str | None = None
) -> None:
    """``call`` raises exactly ``kind`` (not a subclass) with ``errno`` (for ``endpoint``)."""
    with pytest.raises(kind) as caught:
        call()
    assert type(caught.value) is kind
    assert caught.value.errno == errno
    if endpoint is not None:
        assert caught.value.endpoint == endpoint
