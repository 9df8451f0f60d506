"""The S-Series request/response envelope, as a plain ASGI app for ``/api/...``.

Every request goes through the same checks, in the order the PBX applies them:

1. method: ``POST`` only (``GET`` too for the two downloads) -> 20001;
2. token (all endpoints but ``login``): missing -> 20005, unknown -> 20004, expired -> 20006;
3. body: a JSON object, an empty body counting as ``{}`` -> 20000; a body larger than
   ``api.max_body_bytes`` is refused unread with HTTP 413 and errno 30001;
4. endpoint known -> 10003;
5. required fields present and not blank -> 10004;
6. the endpoint's own rules.

Failures are HTTP 200 with ``{"status":"Failed","errno":"<digits>"}``; an unexpected exception is
logged with its trace and answered the same way with 30001, never as a 500. A store that does not
answer, or an engine process that cannot be reached, is answered with 20010 (the PBX's "the
request could not be handed on"). Every answer carries the PBX's two CORS headers, spelt as the
PBX spells them.

In a fleet, a process without the engine checks everything up to the required fields itself
(the token against the shared store), then hands the request to the engine's process, which runs
the endpoint's handler (:meth:`ApiApp.execute`) and sends back the bytes to answer.

This is the hot path of the server, so it is written against ASGI directly: no middleware
stack, no per-request objects beyond what the handler needs.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import time
from collections.abc import Awaitable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from yspbx import jsontext
from yspbx.addresses import canonical_ip, ip_of
from yspbx.api.cache import AnswerCache
from yspbx.api.handover import ApiCall, api_message, read_api_answer
from yspbx.api.registry import (
    DIALECTS,
    ApiRequest,
    Dialect,
    Encoded,
    Endpoint,
    FileReply,
    Params,
    encode_success,
    is_blank,
)
from yspbx.asgi_body import BodyTooLarge, ClientGone, header, read_body
from yspbx.errors import Errno, PbxError
from yspbx.fleet.links import EngineUnavailable
from yspbx.services import Services, ServicesHolder
from yspbx.store.base import DEFERRED_WRITES, DeferredWrites, JournalEntry, StoreUnavailable

log = logging.getLogger(__name__)

Scope = Mapping[str, Any]
Message = dict[str, Any]

API_PREFIX = DIALECTS[0].prefix
LOGIN_ALIASES = DIALECTS[0].aliases
_TOKEN_ANYWHERE = re.compile(r"(?:^|[?&])token=([^&?#]*)")

CORS_HEADERS = [
    (b"Access-control-allow-origin", b"*"),
    (b"Access-control-allow-methods", b"GET, POST, OPTIONS, PUT, DELETE"),
]
_JSON_TYPE = (b"Content-Type", b"application/json")

_FAILED: dict[Errno, bytes] = {
    errno: json.dumps({"status": "Failed", "errno": errno.value}, separators=(",", ":")).encode()
    for errno in Errno
}
# The request could not be handed on: the store or the engine's process did not answer.
UNAVAILABLE = (StoreUnavailable, EngineUnavailable)
_HEADER_LIST = re.compile(rb"[A-Za-z0-9_, -]+")


def failed(errno: Errno) -> bytes:
    return _FAILED[errno]


def client_ip_of(scope: Scope, trust_proxy: bool) -> str:
    """The application server's IP: the TCP peer, or the first X-Forwarded-For hop if trusted;
    in its canonical spelling (a dual-stack socket's ``::ffff:10.0.0.7`` is ``10.0.0.7``), so
    lockouts, ``api.allowed_ips``, the loopback trust and the journal see one address."""
    if trust_proxy:
        for name, value in scope.get("headers", ()):
            if name == b"x-forwarded-for":
                first = value.split(b",", 1)[0].strip().decode("latin-1")
                address = ip_of(first)
                if address is None:
                    break
                return str(address)
    client = scope.get("client")
    if not client:
        return "0.0.0.0"
    peer = str(client[0])
    # Only IPv6 peers can need a new spelling; IPv4 ones skip the parse on the hot path.
    return canonical_ip(peer) if ":" in peer else peer


def _query(query_string: bytes) -> dict[str, str]:
    # First occurrence wins, as with a PBX reading ?token= once.
    result: dict[str, str] = {}
    for key, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        result.setdefault(key, value)
    return result


def _token_of(query_string: bytes, anywhere: bool = False) -> str | None:
    if query_string.startswith(b"token=") and b"&" not in query_string and b"%" not in query_string:
        return query_string[6:].decode("latin-1")
    found = _query(query_string).get("token")
    if found is None and anywhere:
        # ``?<hex>=<hex>?token=...``: a second ``?`` a strict parser misses; units read it.
        match = _TOKEN_ANYWHERE.search(query_string.decode("latin-1"))
        found = match.group(1) if match else None
    return found


def _dialect_of(path: str, dialects: tuple[Dialect, ...]) -> tuple[Dialect, str | None]:
    """The dialect a path is in and the endpoint name it asks for (None: no endpoint path)."""
    for dialect in dialects:
        if path.startswith(dialect.prefix):
            return dialect, path[len(dialect.prefix) :]
        if path in dialect.aliases:
            return dialect, "login"
    return dialects[0], None


class ApiApp:
    def __init__(
        self,
        holder: ServicesHolder,
        endpoints: Iterable[Endpoint],
        dialects: tuple[Dialect, ...] = DIALECTS,
    ) -> None:
        self._holder = holder
        self.dialects = dialects
        self.endpoints: dict[str, Endpoint] = {e.key: e for e in endpoints}
        # Per hosted PBX (by name; '' the default): each has its own allowed IPs and answers.
        self._allowed_cache: dict[tuple[str, str], bool] = {}
        self._answers: dict[str, AnswerCache] = {}
        self._last_complaint = 0.0

    def answers_for(self, services: Services) -> AnswerCache:
        cache = self._answers.get(services.name)
        if cache is None:
            cache = self._answers[services.name] = AnswerCache()
        return cache

    def forget(self, name: str) -> None:
        """Drop what was kept for a PBX that is removed."""
        self._answers.pop(name, None)
        self._allowed_cache.clear()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        services = self._holder.services
        method: str = scope["method"]
        path: str = scope["path"]
        if method == "OPTIONS":
            await self._preflight(scope, send)
            return
        client_ip = client_ip_of(scope, services.settings.api.trust_proxy)
        dialect, name = _dialect_of(path, self.dialects)
        body = b""
        status = 200
        headers: list[tuple[bytes, bytes]]
        journal = True
        # Writes the handler's store calls left to be committed with the journal entry (a
        # SQLite login decided at once): awaited before the answer leaves. The events that
        # tell of them (the login, then the request's journal entry) are held in it until
        # then, and dropped if a write fails; it stays the context's until the answer left.
        collecting = DeferredWrites()
        deferred = collecting.writes
        deferring = DEFERRED_WRITES.set(collecting)
        try:
            try:
                if not services.seated:
                    await services.sync_clock()
                now = services.clock.now()
                if not self._allowed(services, client_ip):
                    status, payload = 403, failed(Errno.LOCKED_OUT)
                    headers = [_JSON_TYPE, *CORS_HEADERS]
                else:
                    try:
                        body, reply = await self._handle(
                            services, scope, receive, dialect, name, client_ip
                        )
                    except BodyTooLarge:
                        status, reply = 413, Encoded(failed(Errno.INTERNAL))
                    if isinstance(reply, FileReply):
                        payload = reply.content
                        headers = [
                            (b"Content-Type", reply.media_type.encode("latin-1")),
                            (
                                b"Content-Disposition",
                                f'attachment; filename="{reply.filename}"'.encode("latin-1"),
                            ),
                            *CORS_HEADERS,
                        ]
                    else:
                        payload = reply.body
                        headers = [_JSON_TYPE, *CORS_HEADERS]
            except ClientGone:
                collecting.release(await _settled(deferred))
                return
            except UNAVAILABLE as exc:
                self._unavailable(exc)
                payload, headers, journal = (
                    failed(Errno.FORWARD_FAILED),
                    [_JSON_TYPE, *CORS_HEADERS],
                    False,
                )
            finally:
                collecting.open = False
            headers.append((b"Content-Length", str(len(payload)).encode("ascii")))
            if dialect.headers:
                headers.extend(dialect.headers)
            if journal:
                journaled = payload if not headers[0][1].startswith(b"audio") else b"<file>"
                entry = JournalEntry(
                    now, client_ip, method, path, scope["query_string"], body, status, journaled
                )
                await services.journal.record(entry)
            refusal = await self._written(deferred) if deferred else None
            if collecting.held is not None:
                # Told only now that what they tell of is on disk (or dropped: it is not).
                collecting.release(refusal is None)
            if refusal is not None:
                # What the handler wrote is not on disk (its token must not be handed out).
                payload = refusal
                headers = [_JSON_TYPE, *CORS_HEADERS]
                headers.append((b"Content-Length", str(len(payload)).encode("ascii")))
                headers.extend(dialect.headers)
        finally:
            # Whatever is still held when the request ends early is not known to be written.
            if collecting.held is not None:
                collecting.release(False)
            DEFERRED_WRITES.reset(deferring)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else payload})

    async def _written(self, deferred: list[Awaitable[object]]) -> bytes | None:
        """Wait for the request's deferred writes (done already when the commit that carried
        its journal entry carried them too); the answer to send instead if one failed."""
        try:
            for write in deferred:
                await write
        except UNAVAILABLE as exc:
            self._unavailable(exc)
            return failed(Errno.FORWARD_FAILED)
        except Exception:
            log.exception("a deferred write failed")
            return failed(Errno.INTERNAL)
        return None

    def _unavailable(self, exc: BaseException) -> None:
        """Log, now and then, that requests are refused for want of the store or engine."""
        now = time.monotonic()
        if now - self._last_complaint > 10:
            self._last_complaint = now
            log.warning("answering 20010: %s", exc)

    def _allowed(self, services: Services, client_ip: str) -> bool:
        networks = services.settings.api.allowed_ips
        if not networks:
            return True
        key = (services.name, client_ip)
        known = self._allowed_cache.get(key)
        if known is None:
            try:
                address = ipaddress.ip_address(client_ip)
                known = any(address in network for network in networks)
            except ValueError:
                known = False
            if len(self._allowed_cache) > 4096:
                self._allowed_cache.clear()
            self._allowed_cache[key] = known
        return known

    async def _handle(
        self,
        services: Services,
        scope: Scope,
        receive: Any,
        dialect: Dialect,
        name: str | None,
        client_ip: str,
    ) -> tuple[bytes, Encoded | FileReply]:
        endpoint = self.endpoints.get(dialect.key(name)) if name is not None else None
        methods = endpoint.methods if endpoint is not None else frozenset({"POST"})
        if scope["method"] not in methods:
            return b"", Encoded(failed(Errno.POST_ONLY))
        session = None
        query_string: bytes = scope["query_string"]
        if endpoint is None or endpoint.needs_token:
            try:
                session = await services.sessions.authenticate(
                    _token_of(query_string, dialect.token_anywhere)
                )
            except PbxError as exc:
                return b"", Encoded(failed(exc.errno))
        body = await read_body(scope, receive, services.settings.api.max_body_bytes)
        data = _parse_json(body, dialect.numbers_as_text)
        if data is None:
            return body, Encoded(failed(Errno.JSON_ONLY))
        if endpoint is None:
            return body, Encoded(failed(Errno.UNSUPPORTED_REQUEST))
        for required in endpoint.required:
            if is_blank(data.get(required)):
                return body, Encoded(failed(Errno.MISSING_PARAMETER))
        reads_query = endpoint.methods != {"POST"} or dialect.token_anywhere
        query = _query(query_string) if query_string and reads_query else {}
        if endpoint.uses_engine and services.fleet is not None and not services.fleet.seated:
            call = ApiCall(endpoint.key, client_ip, session, body, query)
            return body, read_api_answer(await services.hand_over(api_message(call)))
        request = ApiRequest(
            services.engine,
            services.sessions,
            client_ip,
            session,
            Params(data),
            query,
            self.answers_for(services),
        )
        return body, await self._run(endpoint, request)

    async def execute(self, call: ApiCall) -> Encoded | FileReply:
        """Run a request another process of the fleet checked and handed over."""
        endpoint = self.endpoints.get(call.endpoint)
        if endpoint is None:
            return Encoded(failed(Errno.UNSUPPORTED_REQUEST))
        data = _parse_json(call.body, endpoint.dialect != DIALECTS[0].version)
        if data is None:
            return Encoded(failed(Errno.JSON_ONLY))
        services = self._holder.services
        request = ApiRequest(
            services.engine,
            services.sessions,
            call.client_ip,
            call.session,
            Params(data),
            call.query,
            self.answers_for(services),
        )
        return await self._run(endpoint, request)

    async def _run(self, endpoint: Endpoint, request: ApiRequest) -> Encoded | FileReply:
        try:
            reply = await endpoint.handler(request)
            if isinstance(reply, dict):
                return Encoded(encode_success(reply))
            return reply
        except PbxError as exc:
            return Encoded(failed(exc.errno))
        except UNAVAILABLE as exc:
            self._unavailable(exc)
            return Encoded(failed(Errno.FORWARD_FAILED))
        except Exception:
            log.exception("endpoint %s failed", endpoint.path)
            return Encoded(failed(Errno.INTERNAL))

    async def _preflight(self, scope: Scope, send: Any) -> None:
        headers = [*CORS_HEADERS, (b"Content-Length", b"0")]
        requested = header(scope, b"access-control-request-headers")
        if requested and _HEADER_LIST.fullmatch(requested[:512]):
            headers.append((b"Access-control-allow-headers", requested[:512]))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


async def _settled(writes: list[Awaitable[object]]) -> bool:
    """Wait for writes whose request went away, so their failures are not left unread;
    whether all of them were committed."""
    committed = True
    for write in writes:
        try:
            await write
        except Exception:
            committed = False
            log.debug("a write of a request whose client left failed", exc_info=True)
    return committed


def _parse_json(body: bytes, numbers_as_text: bool = False) -> dict[str, Any] | None:
    if not body or body.isspace():
        return {}
    try:
        # 2.0.0 clients send callids as bare numbers: 1571620483.10 must not become ...483.1.
        data = jsontext.loads(body, numbers_as_text)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None
