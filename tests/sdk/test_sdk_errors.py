"""The SDK's exception tree, transport failures and retries, and the package's public face."""

from __future__ import annotations

import importlib
import socket
from collections.abc import Callable

import httpx
import pytest
from pydantic import BaseModel

import yspbx
import yspbx.client
from tests.support.sdk_cases import TOKEN
from yspbx.client import (
    ApiError,
    AsyncClient,
    BadCredentialsError,
    BusyError,
    Client,
    ConnectError,
    InvalidValueError,
    LockoutError,
    LoginError,
    NotFoundError,
    NotPermittedError,
    ResponseError,
    TokenError,
    TransportError,
    TransportTimeout,
    YspbxError,
)
from yspbx.client._exceptions import api_error, login_error
from yspbx.client._models.extensions import ExtensionChanges, ExtensionUpdate
from yspbx.client._models.ivrs import IvrChanges, IvrUpdate
from yspbx.client._models.paging import PagingGroupChanges, PagingGroupFields
from yspbx.client._models.queues import QueueChanges, QueueUpdate
from yspbx.client._models.routes import (
    InboundRouteChanges,
    InboundRouteFields,
    OutboundRouteChanges,
    OutboundRouteFields,
)
from yspbx.client._models.trunks import SipTrunkAdd, SipTrunkSettings
from yspbx.errors import Errno

Handler = Callable[[httpx.Request], httpx.Response]


def scripted(*answers: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """A transport handler that gives ``answers`` in turn, logging in whenever asked."""
    queue = list(answers)
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/login"):
            return httpx.Response(200, json={"status": "Success", "token": TOKEN})
        if request.url.path.endswith("/logout"):
            return httpx.Response(200, json={"status": "Success"})
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handle, seen


def client_for(handler: Handler, **options: object) -> Client:
    return Client(
        "http://pbx.test",
        username="api",
        password="x",
        transport=httpx.MockTransport(handler),
        retry_backoff=0,
        **options,  # type: ignore[arg-type]
    )


def device() -> httpx.Response:
    return httpx.Response(200, json={"status": "Success", "deviceinfo": {"devicename": "S100"}})


def paths(seen: list[httpx.Request]) -> list[str]:
    return [r.url.path.removeprefix("/api/v1.1.0/") for r in seen]


@pytest.mark.parametrize(
    ("errno", "kind"),
    [
        ("20004", TokenError),
        ("20005", TokenError),
        ("20006", TokenError),
        ("10006", NotFoundError),
        ("10007", NotFoundError),
        ("10013", NotFoundError),
        ("20014", NotFoundError),
        ("10008", BusyError),
        ("10027", BusyError),
        ("10025", BusyError),
        ("10015", BusyError),  # the call is not connected yet
        ("10061", BusyError),  # the trunk carries a call
        ("10009", NotPermittedError),
        ("10010", NotPermittedError),
        ("10024", NotPermittedError),
        ("20012", InvalidValueError),  # a download ticket spent, expired or unknown
        ("20020", InvalidValueError),
        ("20019", InvalidValueError),
        ("20015", InvalidValueError),
        ("20021", NotFoundError),
        ("10011", NotFoundError),
        ("10012", NotFoundError),
        ("10062", NotFoundError),
        ("10072", NotFoundError),
        ("10004", InvalidValueError),
        ("10017", InvalidValueError),
        ("10018", InvalidValueError),
        ("10019", InvalidValueError),
        ("10042", InvalidValueError),
        ("10059", InvalidValueError),
        ("10063", InvalidValueError),
        ("10069", InvalidValueError),
        ("10073", InvalidValueError),
        ("10080", InvalidValueError),
        ("10060", ApiError),  # a limit reached: no value of the request is wrong
        ("10070", ApiError),
        ("10081", ApiError),
        ("10032", ApiError),
        ("10016", ApiError),  # too late to accept or refuse: nothing to retry or correct
        ("10020", InvalidValueError),
        ("10021", NotFoundError),
        ("10022", InvalidValueError),  # an alarm at that time already
        ("10023", NotFoundError),
        ("10026", NotFoundError),
        ("10028", InvalidValueError),
        ("10029", InvalidValueError),  # an SMS the PBX cannot send: emoji, too long
        ("10030", InvalidValueError),
        ("10031", InvalidValueError),
        ("99999", ApiError),
    ],
)
def test_errno_picks_the_exception(errno: str, kind: type[ApiError]) -> None:
    error = api_error(errno, "x/y")
    assert type(error) is kind
    assert error.errno == errno
    assert error.endpoint == "x/y"


def test_an_analog_route_refusing_a_prompt_is_not_worth_retrying() -> None:
    """``10015`` from ``outbound/playprompt`` means the route's trunk is analog (a setting),
    not a call that is still connecting."""
    assert type(api_error("10015", "outbound/playprompt")) is NotPermittedError
    assert type(api_error("10015", "extension/hold")) is BusyError


def test_every_errno_of_the_table_has_a_meaning() -> None:
    for errno in Errno:
        assert api_error(errno.value).meaning == errno.meaning
    assert api_error("99999").meaning == "unknown errno 99999"


def test_login_errors() -> None:
    assert type(login_error("20003", 0)) is BadCredentialsError
    lockout = login_error("20002", 1234.5)
    assert isinstance(lockout, LockoutError)
    assert lockout.retry_at == 1234.5
    assert type(login_error("20008", 0)) is LoginError
    assert issubclass(LockoutError, LoginError)
    assert issubclass(LoginError, ApiError)
    assert issubclass(ApiError, YspbxError)
    assert issubclass(ConnectError, TransportError)
    assert issubclass(TransportTimeout, TransportError)
    assert issubclass(TransportError, YspbxError)
    assert issubclass(ResponseError, YspbxError)


def test_an_unreachable_pbx_is_a_connect_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    url = f"http://127.0.0.1:{port}"
    with (
        Client(url, username="api", password="x", retry_backoff=0) as client,
        pytest.raises(ConnectError) as caught,
    ):
        client.system.device_info()
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert f"127.0.0.1:{port}" in str(caught.value)


def test_queries_are_retried_after_transient_failures() -> None:
    handler, seen = scripted(
        httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("closed"), device()
    )
    with client_for(handler) as client:
        assert client.system.device_info().device_name == "S100"
    assert paths(seen) == ["login", *["deviceinfo/query"] * 3, "logout"]


def test_queries_give_up_after_the_retries() -> None:
    handler, seen = scripted(*[httpx.ReadTimeout("slow")] * 3)
    with client_for(handler, retries=2) as client, pytest.raises(TransportTimeout):
        client.system.device_info()
    assert paths(seen).count("deviceinfo/query") == 3


def test_actions_are_never_retried() -> None:
    """A dial that may have reached the PBX must not ring twice."""
    handler, seen = scripted(httpx.ReadTimeout("slow"))
    with client_for(handler) as client, pytest.raises(TransportTimeout):
        client.calls.dial_extension("2001", "2002")
    assert paths(seen).count("extension/dial_extension") == 1


def test_other_transport_failures_are_wrapped() -> None:
    handler, _ = scripted(httpx.ProxyError("proxy said no"))
    with client_for(handler) as client, pytest.raises(TransportError) as caught:
        client.calls.hang_up("2001")
    assert isinstance(caught.value.__cause__, httpx.ProxyError)
    assert "token" not in str(caught.value)


def test_login_is_retried_only_when_nothing_reached_the_pbx() -> None:
    attempts: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        attempts.append(request.url.path)
        if len(attempts) == 1:
            raise httpx.ConnectError("refused")
        if len(attempts) == 2:
            raise httpx.ReadTimeout("slow")  # it may have counted as a failed login
        raise AssertionError("no third login")

    with client_for(handle) as client, pytest.raises(TransportTimeout):
        client.login()
    assert len(attempts) == 2


def test_a_token_refused_again_after_relogin_fails_the_call() -> None:
    refused = httpx.Response(200, json={"status": "Failed", "errno": "20006"})
    handler, seen = scripted(refused, refused)
    with client_for(handler) as client, pytest.raises(TokenError) as caught:
        client.system.device_info()
    assert caught.value.errno == "20006"
    assert paths(seen)[:4] == ["login", "deviceinfo/query", "login", "deviceinfo/query"]


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="<html>Boa web server</html>"),
        httpx.Response(404, text="not found"),
        httpx.Response(200, json=["not", "an", "object"]),
        httpx.Response(200, json={"status": "Maybe"}),
    ],
)
def test_answers_that_are_not_the_api_are_response_errors(answer: httpx.Response) -> None:
    handler, _ = scripted(answer)
    with client_for(handler) as client, pytest.raises(ResponseError) as caught:
        client.system.device_info()
    assert caught.value.status_code == answer.status_code


def test_a_failure_with_an_error_status_is_still_read_as_the_pbx_answer() -> None:
    """yspbx answers a client outside ``api.allowed_ips`` with 403 and errno 20002."""
    handler, _ = scripted(httpx.Response(403, json={"status": "Failed", "errno": "10004"}))
    with client_for(handler) as client, pytest.raises(ApiError) as caught:
        client.system.device_info()
    assert caught.value.errno == "10004"


def test_an_unreadable_answer_shape_is_a_response_error() -> None:
    handler, _ = scripted(httpx.Response(200, json={"status": "Success", "extlist": "nope"}))
    with client_for(handler) as client, pytest.raises(ResponseError, match="extensionlist"):
        client.extensions.list()


async def test_async_queries_are_retried_and_actions_not() -> None:
    handler, seen = scripted(httpx.ConnectError("down"), device(), httpx.ConnectError("down"))
    transport = httpx.MockTransport(handler)
    async with AsyncClient(
        "http://pbx.test", username="api", password="x", transport=transport, retry_backoff=0
    ) as client:
        assert (await client.system.device_info()).device_name == "S100"
        with pytest.raises(ConnectError):
            await client.calls.hold("2001")
    assert paths(seen) == [
        "login",
        "deviceinfo/query",
        "deviceinfo/query",
        "extension/hold",
        "logout",
    ]


def test_constructor_checks() -> None:
    with pytest.raises(TypeError):
        Client("http://pbx.test", username="api")
    with pytest.raises(TypeError):
        Client("http://pbx.test", username="api", password="x", password_md5="0" * 32)
    with pytest.raises(ValueError, match="32 hexadecimal"):
        Client("http://pbx.test", username="api", password_md5="not-a-hash")
    with pytest.raises(ValueError, match="report_port"):
        Client("http://pbx.test", username="api", password="x", report_port=70000)
    hashed = Client(
        "http://pbx.test", username="api", password_md5="8DC34F93E849DAB027E77E05A7DA40AC"
    )
    assert hashed._auth.password_md5 == "8dc34f93e849dab027e77e05a7da40ac"
    hashed.close()


def test_public_names_are_complete() -> None:
    exported = set(yspbx.client.__all__)
    defined = {
        name
        for name, value in vars(yspbx.client).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("yspbx.client")
    }
    assert defined <= exported
    for name in exported:
        assert getattr(yspbx.client, name) is not None
    for name in yspbx.__all__:
        assert getattr(yspbx, name) is getattr(yspbx.client, name)
    assert {"Client", "AsyncClient", "ApiError", "ReportReceiver"} <= set(yspbx.__all__)
    with pytest.raises(AttributeError):
        _ = yspbx.NoSuchThing


def test_exceptions_print_with_their_public_module() -> None:
    import pickle
    import traceback

    from yspbx.client import ConnectError, SimulatorError

    assert repr(yspbx.ApiError) == "<class 'yspbx.ApiError'>"
    assert repr(ConnectError) == "<class 'yspbx.client.ConnectError'>"
    try:
        raise yspbx.BadCredentialsError("20003", "login")
    except yspbx.ApiError as exc:
        last = traceback.format_exception(exc)[-1]
    assert last.startswith("yspbx.BadCredentialsError: errno 20003")
    for name in yspbx.client.__all__:
        value = getattr(yspbx.client, name)
        if isinstance(value, type) and issubclass(value, Exception):
            public = "yspbx" if name in yspbx.__all__ else "yspbx.client"
            assert value.__module__ == public, name
            assert getattr(importlib.import_module(public), name) is value
    # Found again by that name, so they still pickle.
    assert type(pickle.loads(pickle.dumps(ConnectError("refused")))) is ConnectError
    assert SimulatorError.__module__ == "yspbx.client"


def test_generated_sync_areas_are_up_to_date() -> None:
    from yspbx.client._unasync import stale

    assert stale() == [], "run: python -m yspbx.client._unasync"


@pytest.mark.parametrize(
    ("changes", "model", "positional"),
    [
        (ExtensionChanges, ExtensionUpdate, {"extension"}),
        (IvrChanges, IvrUpdate, {"ivr"}),
        (QueueChanges, QueueUpdate, {"queue"}),
        (SipTrunkSettings, SipTrunkAdd, {"name", "trunk_type"}),
        (InboundRouteChanges, InboundRouteFields, {"id", "name"}),
        (OutboundRouteChanges, OutboundRouteFields, {"id", "name"}),
        (PagingGroupChanges, PagingGroupFields, {"id"}),
    ],
)
def test_keyword_changes_match_their_request_models(
    changes: type, model: type[BaseModel], positional: set[str]
) -> None:
    """The ``**changes`` a method accepts are exactly the fields its request can carry."""
    assert set(changes.__annotations__) == set(model.model_fields) - positional


def test_the_client_imports_nothing_from_the_server_but_the_errno_table() -> None:
    import subprocess
    import sys

    code = (
        "import sys, yspbx.client; print(sorted(m for m in sys.modules if m.startswith('yspbx')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    modules = eval(loaded)  # a printed list of strings
    assert {m for m in modules if not m.startswith("yspbx.client")} == {"yspbx", "yspbx.errors"}
