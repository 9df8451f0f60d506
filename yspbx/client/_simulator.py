"""``Simulator``: the control plane of a yspbx server (``/sim/v1``), for tests and the CLI.

A real PBX has no such thing: this drives the simulated one (a caller rings in, a phone
answers, the clock jumps ahead) and looks inside it (every request received, every report sent,
who is locked out). Errors are :class:`SimulatorError` with the control plane's ``error`` code.
"""

from __future__ import annotations

import ssl
from types import TracebackType
from typing import Any

import httpx
from pydantic import Field, TypeAdapter

from yspbx.client._exceptions import ConnectError, TransportError, TransportTimeout, YspbxError
from yspbx.client._wire import ResponseModel


class SimulatorError(YspbxError):
    """The control plane refused a request (``{"error", "detail"}`` with a 4xx status)."""

    def __init__(self, status_code: int, error: str, detail: str) -> None:
        super().__init__(f"{status_code} {error}: {detail}")
        self.status_code = status_code
        self.error = error
        self.detail = detail


class BlockedIp(ResponseModel):
    ip: str
    until: float


class ExtensionState(ResponseModel):
    number: str
    status: str


class SimLeg(ResponseModel):
    """One party's channel in a live call."""

    number: str
    kind: str = ""
    """``ext``, ``inbound`` (came in on a trunk) or ``outbound`` (went out on one)."""
    role: str = ""
    """``caller``, ``callee`` or ``monitor``."""
    state: str = ""
    """``ringing``, ``dialing`` (up, waiting), ``talking`` or ``held``."""
    muted: bool = False
    id: str | None = None
    """A trunk leg's ``inboundid`` / ``outboundid``."""
    trunk: str | None = None
    trunk_number: str | None = None
    """The number as the trunk dialled it (after the route's strip and prepend)."""
    status: str | None = None
    """A trunk leg's status as ``inbound/query`` / ``outbound/query`` say it."""
    monitor_mode: str | None = None


class SimDestination(ResponseModel):
    """The PBX feature holding a call: ``ivr``, ``queue``, ``ringgroup`` or ``voicemail``."""

    type: str
    number: str


class SimFeature(ResponseModel):
    """What the PBX is doing with a call: an IVR, queue, ring group, prompt or survey.

    ``type`` says which; the other fields are those that kind has (``number`` for an IVR,
    queue or ring group, ``entered`` for the keys an IVR collected, ``prompt``, ``queue``).
    """

    type: str
    number: str | None = None
    entered: str | None = None
    prompt: str | None = None
    queue: str | None = None


class SimService(ResponseModel):
    """A call the PBX placed for itself: a ``prompt`` playback or a ``wakeup`` alarm."""

    type: str
    prompt: str | None = None
    wakeupid: str | None = None


class SimCall(ResponseModel):
    """A live call as the simulator sees it."""

    callid: str
    parties: list[str] = Field(default_factory=list)
    """The live parties' numbers, caller first (then the feature holding the call, if any)."""
    state: str = ""
    """``ringing``, ``talking``, ``held`` or ``dialing``."""
    trunk: str | None = None
    type: str = ""
    """The call record's type so far: ``Internal``, ``Outbound``, ``Inbound``, ..."""
    destination: SimDestination | None = None
    started_at: float | None = None
    answered_at: float | None = None
    digits: str = ""
    """The keys the caller pressed so far."""
    legs: list[SimLeg] = Field(default_factory=list)
    feature: SimFeature | None = None
    offer: str | None = None
    """``answer`` while an ``Invite``d call waits for accept/refuse, ``destination`` while an
    ``Incoming`` call waits to be directed, else None."""
    service: SimService | None = None

    def leg(self, number: str) -> SimLeg:
        """The live leg of ``number`` (a ``KeyError`` when it has none)."""
        for leg in self.legs:
            if leg.number == number:
                return leg
        raise KeyError(number)


class SimState(ResponseModel):
    now: float
    extensions: list[ExtensionState] = Field(default_factory=list)
    calls: list[SimCall] = Field(default_factory=list)
    sessions: int = 0
    blocked_ips: list[BlockedIp] = Field(default_factory=list)


class SentReport(ResponseModel):
    """One event report the simulator produced; ``body`` is exactly what was (to be) sent."""

    id: Any = None
    action: str = ""
    target: str = ""
    body: str = ""
    attempts: int = 0
    delivered: bool = False
    last_status: int | None = None


class JournalEntry(ResponseModel):
    """One API request the server received (tokens and password hashes masked)."""

    time: float
    client_ip: str
    method: str
    path: str
    query: str = ""
    body: str = ""
    http_status: int = 200
    response: str = ""


_REPORTS = TypeAdapter(list[SentReport])
_JOURNAL = TypeAdapter(list[JournalEntry])
_CALLS = TypeAdapter(list[SimCall])
_BLOCKED = TypeAdapter(list[BlockedIp])


class Simulator:
    """``Simulator("http://127.0.0.1:8088")``; ``token=`` when the server sets ``sim.token``."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = 10.0,
        verify: bool | ssl.SSLContext = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(
            base_url=self.base_url + "/sim/v1",
            headers=headers,
            timeout=timeout,
            verify=verify,
            transport=transport,
        )

    # -- inside the PBX -------------------------------------------------------------------

    def state(self) -> SimState:
        return SimState.model_validate(self._call("GET", "/state"))

    def reset(self) -> None:
        """Back to the configuration's PBX: no calls, sessions, lockouts or logs."""
        self._call("POST", "/reset")

    def now(self) -> float:
        """The server clock (epoch seconds)."""
        return float(self._call("GET", "/clock")["now"])

    def advance(self, seconds: float) -> float:
        """Move the server clock forward; every timer due meanwhile fires. Returns the time."""
        return float(self._call("POST", "/clock/advance", {"seconds": seconds})["now"])

    def journal(self) -> list[JournalEntry]:
        return _JOURNAL.validate_python(self._call("GET", "/journal"))

    def reports(self) -> list[SentReport]:
        return _REPORTS.validate_python(self._call("GET", "/reports"))

    def blocked_ips(self) -> list[BlockedIp]:
        return _BLOCKED.validate_python(self._call("GET", "/blocked-ips"))

    def unblock(self, ip: str) -> None:
        """Lift a login lockout, as deleting the PBX's "API-IP" block does."""
        self._call("DELETE", f"/blocked-ips/{ip}")

    # -- the outside world ----------------------------------------------------------------

    def register(self, extension: str) -> None:
        self._call("POST", f"/extensions/{extension}/register")

    def unregister(self, extension: str) -> None:
        self._call("POST", f"/extensions/{extension}/unregister")

    def start_call(self, caller: str, callee: str, *, trunk: str | None = None) -> str:
        """With ``trunk``: ``caller`` (outside) calls ``callee`` through that trunk. Without:
        extension ``caller`` dials ``callee``. Returns the call id."""
        body: dict[str, str] = {"from": caller, "to": callee}
        if trunk is not None:
            body["trunk"] = trunk
        return str(self._call("POST", "/calls", body)["callid"])

    def calls(self) -> list[SimCall]:
        """The live calls, oldest first."""
        return _CALLS.validate_python(self._call("GET", "/calls"))

    def call(self, callid: str) -> SimCall:
        """One live call (``SimulatorError`` 404 once it has ended)."""
        return SimCall.model_validate(self._call("GET", f"/calls/{callid}"))

    def answer(self, callid: str, *, party: str | None = None) -> str:
        """The ringing party (or ``party``) picks up. Returns who did."""
        return str(self._call("POST", f"/calls/{callid}/answer", _party(party))["party"])

    def hang_up(self, callid: str, *, party: str | None = None) -> str:
        """``party`` (by default the caller) hangs up, or declines while ringing. Returns who
        did."""
        return str(self._call("POST", f"/calls/{callid}/hangup", _party(party))["party"])

    def dtmf(self, callid: str, digits: str) -> None:
        """The caller presses ``digits`` (``0-9``, ``*``, ``#``)."""
        self._call("POST", f"/calls/{callid}/dtmf", {"digits": digits})

    def transfer(self, callid: str, party: str, to: str) -> None:
        """Extension ``party`` blind-transfers the other side of its call to ``to`` from its
        phone (the PBX reports it as ``Tranfer``; API transfers are not reported)."""
        self._call("POST", f"/calls/{callid}/transfer", {"party": party, "to": to})

    # -- plumbing -------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        try:
            response = self._http.request(
                method, path, json=body if body is not None or method == "POST" else None
            )
        except httpx.TransportError as exc:
            where = f"{self.base_url}/sim/v1{path}"
            if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
                raise ConnectError(f"cannot reach the simulator at {where}: {exc}") from exc
            if isinstance(exc, httpx.TimeoutException):
                raise TransportTimeout(f"the simulator did not answer in time: {exc}") from exc
            raise TransportError(f"exchange with the simulator failed: {exc!r}") from exc
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code >= 400:
            if isinstance(data, dict):
                raise SimulatorError(
                    response.status_code,
                    str(data.get("error", "error")),
                    str(data.get("detail", "")),
                )
            raise SimulatorError(response.status_code, "http_error", response.text[:200])
        return data

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Simulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _party(party: str | None) -> dict[str, str]:
    return {} if party is None else {"party": party}
