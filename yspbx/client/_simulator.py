"""``Simulator``: the control plane of a yspbx server (``/sim/v1``), for tests and the CLI.

A real PBX has no such thing: this drives the simulated one (a caller rings in, a phone
answers, the clock jumps ahead) and looks inside it (every request received, every report sent,
who is locked out). Errors are :class:`SimulatorError` with the control plane's ``error`` code.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import anyio
import httpx
from pydantic import TypeAdapter

from yspbx.client._exceptions import ConnectError, TransportError, TransportTimeout, YspbxError
from yspbx.client._simulator_models import (
    BlockedIp,
    HostedPbx,
    JournalEntry,
    ScenarioRun,
    SentReport,
    SimCall,
    SimSms,
    SimState,
    SimVoicemail,
)
from yspbx.client._verify import tls_verify


class SimulatorError(YspbxError):
    """The control plane refused a request (``{"error", "detail"}`` with a 4xx status)."""

    def __init__(self, status_code: int, error: str, detail: str) -> None:
        super().__init__(f"{status_code} {error}: {detail}")
        self.status_code = status_code
        self.error = error
        self.detail = detail


_REPORTS = TypeAdapter(list[SentReport])
_JOURNAL = TypeAdapter(list[JournalEntry])
_CALLS = TypeAdapter(list[SimCall])
_BLOCKED = TypeAdapter(list[BlockedIp])
_SMS = TypeAdapter(list[SimSms])
_VOICEMAIL = TypeAdapter(list[SimVoicemail])
_PBXS = TypeAdapter(list[HostedPbx])
_RUNS = TypeAdapter(list[ScenarioRun])
# How often (wall seconds) run_scenario looks at a run's progress.
POLL = 0.2


def scenario_body(
    scenario: str | Path,
    speed: str = "max",
    seed: int | None = None,
    duration: float | None = None,
) -> dict[str, Any]:
    """The ``POST /sim/v1/scenarios`` body: an existing file (a ``Path``, or a string naming
    one) goes as its text; any other string names a built-in scenario."""
    body: dict[str, Any] = {"speed": speed}
    path = Path(scenario)
    if isinstance(scenario, Path) or path.is_file():
        body["text"] = path.read_text(encoding="utf-8")
        body["source"] = path.name
    else:
        body["scenario"] = str(scenario)
    if seed is not None:
        body["seed"] = seed
    if duration is not None:
        body["duration"] = duration
    return body


def _pbx_body(name: str | None, config: str | None, port: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if name is not None:
        body["name"] = name
    if config is not None:
        body["config"] = config
    if port is not None:
        body["port"] = port
    return body


def _error(response: httpx.Response) -> SimulatorError | None:
    """The control plane's refusal in ``response`` (None: it did not refuse)."""
    if response.status_code < 400:
        return None
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        return SimulatorError(
            response.status_code, str(data.get("error", "error")), str(data.get("detail", ""))
        )
    return SimulatorError(response.status_code, "http_error", response.text[:200])


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _transport_error(exc: httpx.TransportError, where: str) -> YspbxError:
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return ConnectError(f"cannot reach the simulator at {where}: {exc}")
    if isinstance(exc, httpx.TimeoutException):
        return TransportTimeout(f"the simulator did not answer in time: {exc}")
    return TransportError(f"exchange with the simulator failed: {exc!r}")


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
            verify=tls_verify(verify),
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

    # -- services ---------------------------------------------------------------------------

    def sms(self) -> list[SimSms]:
        """The text messages sent through ``sms/send`` lately (the last 1000), oldest first,
        with their outcome so far."""
        return _SMS.validate_python(self._call("GET", "/sms"))

    def settle_sms(self, smsid: str, status: Literal["Success", "Failed"] = "Failed") -> SimSms:
        """Decide now how a message still being sent ends (by default: it fails); its
        ``sms-send`` report goes out. ``SimulatorError`` 409 once it has ended."""
        return SimSms.model_validate(self._call("POST", f"/sms/{smsid}/result", {"status": status}))

    def voicemail(self, extension: str) -> list[SimVoicemail]:
        """The messages in ``extension``'s voicemail box, oldest first."""
        return _VOICEMAIL.validate_python(self._call("GET", f"/extensions/{extension}/voicemail"))

    # -- scenarios --------------------------------------------------------------------------

    def start_scenario(
        self,
        scenario: str | Path,
        *,
        speed: str = "max",
        seed: int | None = None,
        duration: float | None = None,
    ) -> ScenarioRun:
        """Start playing a scenario (a file, or a built-in by name) and return at once.
        ``SimulatorError`` 409 while another run plays on this PBX, 400 for a bad file."""
        body = scenario_body(scenario, speed, seed, duration)
        return ScenarioRun.model_validate(self._call("POST", "/scenarios", body))

    def scenario_run(self, run_id: str) -> ScenarioRun:
        """A run's state, progress and summary."""
        return ScenarioRun.model_validate(self._call("GET", f"/scenarios/{run_id}"))

    def scenario_runs(self) -> list[ScenarioRun]:
        """This PBX's runs (the last 20), oldest first."""
        return _RUNS.validate_python(self._call("GET", "/scenarios"))

    def stop_scenario(self, run_id: str) -> ScenarioRun:
        """Stop a run (its calls are hung up); returns it, stopped."""
        return ScenarioRun.model_validate(self._call("POST", f"/scenarios/{run_id}/stop"))

    def run_scenario(
        self,
        scenario: str | Path,
        *,
        speed: str = "max",
        seed: int | None = None,
        duration: float | None = None,
        on_progress: Callable[[ScenarioRun], None] | None = None,
    ) -> ScenarioRun:
        """Play a scenario to its end and return the finished run (``state`` says how it
        ended); ``on_progress`` sees the run each time it is looked at."""
        run = self.start_scenario(scenario, speed=speed, seed=seed, duration=duration)
        while run.running:
            if on_progress is not None:
                on_progress(run)
            time.sleep(POLL)
            run = self.scenario_run(run.id)
        if on_progress is not None:
            on_progress(run)
        return run

    # -- PBXs hosted on the same server ----------------------------------------------------

    def create_pbx(
        self, name: str | None = None, *, config: str | None = None, port: int | None = None
    ) -> HostedPbx:
        """A new PBX on this server, in milliseconds: ``config`` is its TOML text (none: the
        packaged default PBX), ``name`` is chosen when not given, ``port`` too. Point a
        ``Client`` or a ``Simulator`` at its ``url``. ``SimulatorError`` 409 when the name
        is taken."""
        return HostedPbx.model_validate(self._call("POST", "/pbxs", _pbx_body(name, config, port)))

    def pbxs(self) -> list[HostedPbx]:
        """The PBXs hosted beside the default one."""
        return _PBXS.validate_python(self._call("GET", "/pbxs"))

    def delete_pbx(self, name: str) -> None:
        """Remove a hosted PBX and everything it stored; its port stops answering."""
        self._call("DELETE", f"/pbxs/{name}")

    # -- plumbing -------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        try:
            response = self._http.request(
                method, path, json=body if body is not None or method == "POST" else None
            )
        except httpx.TransportError as exc:
            raise _transport_error(exc, f"{self.base_url}/sim/v1{path}") from exc
        refusal = _error(response)
        if refusal is not None:
            raise refusal
        return _json(response)

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


class AsyncSimulator:
    """The control plane from async code: the hosted PBXs (create, list, delete) and the
    PBX's clock and reset, the calls a test's fixtures make around its own code. The full set
    of controls is :class:`Simulator`'s."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = 10.0,
        verify: bool | ssl.SSLContext = True,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.AsyncClient(
            base_url=self.base_url + "/sim/v1",
            headers=headers,
            timeout=timeout,
            verify=tls_verify(verify),
            transport=transport,
        )

    async def create_pbx(
        self, name: str | None = None, *, config: str | None = None, port: int | None = None
    ) -> HostedPbx:
        """As :meth:`Simulator.create_pbx`."""
        data = await self._call("POST", "/pbxs", _pbx_body(name, config, port))
        return HostedPbx.model_validate(data)

    async def pbxs(self) -> list[HostedPbx]:
        return _PBXS.validate_python(await self._call("GET", "/pbxs"))

    async def delete_pbx(self, name: str) -> None:
        await self._call("DELETE", f"/pbxs/{name}")

    async def state(self) -> SimState:
        return SimState.model_validate(await self._call("GET", "/state"))

    async def reset(self) -> None:
        await self._call("POST", "/reset")

    async def now(self) -> float:
        return float((await self._call("GET", "/clock"))["now"])

    async def advance(self, seconds: float) -> float:
        return float((await self._call("POST", "/clock/advance", {"seconds": seconds}))["now"])

    async def start_scenario(
        self,
        scenario: str | Path,
        *,
        speed: str = "max",
        seed: int | None = None,
        duration: float | None = None,
    ) -> ScenarioRun:
        """As :meth:`Simulator.start_scenario`."""
        body = scenario_body(scenario, speed, seed, duration)
        return ScenarioRun.model_validate(await self._call("POST", "/scenarios", body))

    async def scenario_run(self, run_id: str) -> ScenarioRun:
        return ScenarioRun.model_validate(await self._call("GET", f"/scenarios/{run_id}"))

    async def scenario_runs(self) -> list[ScenarioRun]:
        return _RUNS.validate_python(await self._call("GET", "/scenarios"))

    async def stop_scenario(self, run_id: str) -> ScenarioRun:
        return ScenarioRun.model_validate(await self._call("POST", f"/scenarios/{run_id}/stop"))

    async def run_scenario(
        self,
        scenario: str | Path,
        *,
        speed: str = "max",
        seed: int | None = None,
        duration: float | None = None,
        on_progress: Callable[[ScenarioRun], None] | None = None,
    ) -> ScenarioRun:
        """As :meth:`Simulator.run_scenario`."""
        run = await self.start_scenario(scenario, speed=speed, seed=seed, duration=duration)
        while run.running:
            if on_progress is not None:
                on_progress(run)
            await anyio.sleep(POLL)
            run = await self.scenario_run(run.id)
        if on_progress is not None:
            on_progress(run)
        return run

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        try:
            response = await self._http.request(
                method, path, json=body if body is not None or method == "POST" else None
            )
        except httpx.TransportError as exc:
            raise _transport_error(exc, f"{self.base_url}/sim/v1{path}") from exc
        refusal = _error(response)
        if refusal is not None:
            raise refusal
        return _json(response)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncSimulator:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
