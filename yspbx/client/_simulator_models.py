"""What the control plane (``/sim/v1``) answers, as the :class:`~yspbx.client.Simulator` reads
it: every key it documents has a field here (``docs/control-plane.md``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from yspbx.client._wire import ResponseModel


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
    channel: str = ""
    """The leg's channel (``PJSIP/1000-000000c0``), as API 2.0.0 addresses it."""


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


class HostedPbx(ResponseModel):
    """A PBX hosted beside the server's default one (``/sim/v1/pbxs``)."""

    name: str
    # Its own base URL (its own port): give it to ``Client``/``Simulator`` as any server's.
    url: str | None = None
    # The path it is also reached under on the server's main port (``/pbx/<name>``).
    prefix: str


class SimState(ResponseModel):
    now: float
    extensions: list[ExtensionState] = Field(default_factory=list)
    calls: list[SimCall] = Field(default_factory=list)
    sessions: int = 0
    blocked_ips: list[BlockedIp] = Field(default_factory=list)


class SentReport(ResponseModel):
    """One event report the simulator produced; ``body`` is exactly what was (to be) sent."""

    id: Any = None
    """The report's number; None for a report a parked session (receiver down) will queue
    when it catches up, listed from the event log before it is stored."""
    action: str = ""
    target: str = ""
    """The full URL of the last attempt (before the first: where it is going)."""
    body: str = ""
    attempts: int = 0
    delivered: bool = False
    last_status: int | None = None
    """The last HTTP status received, None before any answer."""
    dropped: bool = False
    """The session ended before the report was delivered."""
    state: str = "pending"
    """``pending`` (not acknowledged yet), ``delivered`` (answered 200), ``refused`` (the
    receiver answered with another status as often as the PBX resends, then it was given up)
    or ``dropped`` (the session ended first)."""

    @property
    def refused(self) -> bool:
        return self.state == "refused"


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


class SimSms(ResponseModel):
    """A text message sent through ``sms/send``, as the GSM module got it."""

    smsid: str
    trunk: str = ""
    phonenumber: str = ""
    message: str = ""
    """The text, decoded (what the phone receives)."""
    sent_at: float | None = None
    status: str = ""
    """``sending`` until the outcome is reported, then ``Success`` or ``Failed``."""


class SimVoicemail(ResponseModel):
    """A message a caller left in an extension's voicemail box."""

    callid: str
    from_number: str = Field("", alias="from")
    at: float | None = None
    """When the message was left (server clock, epoch seconds)."""
    seconds: int = 0
    """How long the caller spoke."""


class ScenarioProgress(ResponseModel):
    done: float
    """PBX seconds of the scenario played so far."""
    total: float
    fraction: float


class ScenarioTotals(ResponseModel):
    """The five totals ``yspbx sim run`` prints as its last line."""

    calls: int
    answered: int
    abandoned: int
    reports: int
    cdrs: int

    def line(self) -> dict[str, int]:
        return {
            "calls": self.calls,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "reports": self.reports,
            "cdrs": self.cdrs,
        }


class ScenarioRun(ResponseModel):
    """A scenario run (``/sim/v1/scenarios/<id>``): its state, progress and summary."""

    id: str
    scenario: str
    source: str = ""
    state: str
    """``starting``, ``running``, ``completed``, ``stopped`` or ``failed``."""
    error: str | None = None
    seed: int
    speed: str
    duration: float
    progress: ScenarioProgress
    started_at: float | None = None
    ended_at: float | None = None
    wall_seconds: float = 0.0
    live_calls: int = 0
    summary: dict[str, Any] = Field(default_factory=dict)
    """Calls (offered, answered, abandoned, per queue), reports per session's address
    (queued, delivered, refused), CDRs, and ``totals``."""

    @property
    def running(self) -> bool:
        return self.state in ("starting", "running")

    @property
    def totals(self) -> ScenarioTotals:
        return ScenarioTotals.model_validate(self.summary.get("totals", {}))
