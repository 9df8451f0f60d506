"""The scenario file as pydantic models: what traffic arrives, what callers and phones do, and
which PBX objects the scenario needs. Every table refuses keys it does not know (a misspelt key
would otherwise be ignored silently and the run would not do what the author meant).

Times of day (``start``, ``login``, wake-up ``at``) are in the PBX's time zone; durations are
PBX seconds (numbers, or ``"10h"``, ``"90m"``, ``"45s"``). Lists of extensions accept ranges
(``"2000-2049"``), expanded at load time.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from yspbx.object_tables import PBX_TABLES
from yspbx.scenarios.distribution import Distribution
from yspbx.scenarios.units import (
    DAY,
    MAX_RANGE,
    check_pattern,
    expand_numbers,
    parse_duration,
    parse_time_of_day,
)

Seconds = Annotated[float, BeforeValidator(parse_duration), Field(ge=0)]
Probability = Annotated[float, Field(ge=0, le=1)]
Rate = Annotated[float, Field(ge=0)]


def _time_of_day(value: Any) -> str:
    """Validated and kept as written (``"08:00"``); seconds via :func:`parse_time_of_day`."""
    parse_time_of_day(value)
    return str(value).strip()


TimeOfDay = Annotated[str, BeforeValidator(_time_of_day)]


def _as_text(value: Any) -> Any:
    """A number written without quotes (``did = 5503340``) as the text it means."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


NumberText = Annotated[str, BeforeValidator(_as_text)]


def _as_list(value: Any) -> Any:
    """A single entry as a list of one; unquoted numbers as text."""
    if isinstance(value, str | int) and not isinstance(value, bool):
        return [_as_text(value)]
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    return value


def _numbers(value: list[str]) -> list[str]:
    return expand_numbers(value)


def _patterns(value: list[str]) -> list[str]:
    return [check_pattern(v) for v in expand_numbers(value)]


# Extension lists: "2000-2049" expands; a single string is a list of one.
Numbers = Annotated[list[str], BeforeValidator(_as_list), AfterValidator(_numbers)]
# Number pools: literal numbers or patterns with '#' for a random digit.
Patterns = Annotated[list[str], BeforeValidator(_as_list), AfterValidator(_patterns)]


def _at_entry(value: Any) -> float | str:
    """An explicit arrival: seconds after the start (a number) or a time of day ("09:15")."""
    if isinstance(value, bool):
        raise ValueError(f"must be seconds after the start or a time of day (got {value!r})")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"must be >= 0 (got {value!r})")
        return float(value)
    if isinstance(value, str):
        parse_time_of_day(value)
        return value.strip()
    raise ValueError(f"must be seconds after the start or a time of day (got {value!r})")


AtEntry = Annotated[float | str, BeforeValidator(_at_entry)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _profile(value: list[float]) -> list[float]:
    if len(value) != 24:
        raise ValueError(f"must have 24 values, one per hour of the day (has {len(value)})")
    return value


Profile = Annotated[list[Rate], AfterValidator(_profile)]
TIMINGS = ("rate", "profile", "at", "count")


class Traffic(Strict):
    """When a source's calls (or messages) arrive: exactly one of ``rate`` (Poisson, per
    hour), ``profile`` (24 Poisson rates, one per hour of the day), ``at`` (a list) or
    ``count`` (that many, spread uniformly at random); ``window`` limits them to a part of the
    run (seconds after the start, ``[from, to)``)."""

    rate: Rate | None = None
    profile: Profile | None = None
    at: list[AtEntry] | None = None
    count: int | None = Field(default=None, ge=0, le=1_000_000)
    window: list[Seconds] | None = Field(default=None, min_length=2, max_length=2)

    @model_validator(mode="after")
    def _one_timing(self) -> Traffic:
        given = [k for k in TIMINGS if getattr(self, k) is not None]
        if len(given) != 1:
            which = " and ".join(given) if given else "none"
            raise ValueError(f"needs exactly one of rate, profile, at or count (has {which})")
        if self.window is not None and self.window[1] <= self.window[0]:
            raise ValueError(f"window {self.window} must end after it starts")
        return self


class Inbound(Traffic):
    """Calls from outside, arriving on a trunk for a DID; the PBX's inbound routes decide where
    they go (an IVR, a queue, an extension)."""

    name: str = ""
    trunk: str | None = None
    did: NumberText
    callers: Patterns = Field(default_factory=lambda: ["0#########"], min_length=1)
    ivr: dict[str, Probability] | None = None
    ivr_delay: Distribution = Distribution.fixed(4)
    patience: Distribution | None = None
    hangup_early: Probability = 0.0
    talk: Distribution | None = None

    @field_validator("ivr")
    @classmethod
    def _ivr_keys(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is None:
            return None
        for key in value:
            if not re.fullmatch(r"[0-9*#]*", key):
                raise ValueError(f"IVR key {key!r} is not digits, '*' or '#' ('' = none)")
        if value and sum(value.values()) <= 0:
            raise ValueError("IVR choices need a weight > 0")
        return value


class PhoneSettings(Strict):
    """What a phone does with a call it rings for."""

    answer_after: Distribution = Distribution.fixed(3)
    no_answer: Probability = 0.0
    talk: Distribution = Distribution.fixed(120)
    hold: Probability = 0.0
    hold_time: Distribution = Distribution.fixed(20)
    transfer: Probability = 0.0
    transfer_to: Numbers = Field(default_factory=list)
    forward: Probability = 0.0
    forward_to: Numbers = Field(default_factory=list)
    wrapup: Distribution = Distribution.fixed(0)

    @model_validator(mode="after")
    def _targets(self) -> PhoneSettings:
        if self.transfer > 0 and not self.transfer_to:
            raise ValueError("transfer > 0 needs transfer_to")
        if self.forward > 0 and not self.forward_to:
            raise ValueError("forward > 0 needs forward_to")
        return self


class PhoneGroup(Strict):
    """Overrides of :class:`PhoneSettings` for some extensions (unset keys keep the default)."""

    extensions: Numbers
    answer_after: Distribution | None = None
    no_answer: Probability | None = None
    talk: Distribution | None = None
    hold: Probability | None = None
    hold_time: Distribution | None = None
    transfer: Probability | None = None
    transfer_to: Numbers | None = None
    forward: Probability | None = None
    forward_to: Numbers | None = None
    wrapup: Distribution | None = None


class Phones(PhoneSettings):
    dnd: Numbers = Field(default_factory=list)
    groups: list[PhoneGroup] = Field(default_factory=list)

    def for_extension(self, number: str) -> PhoneSettings:
        """The settings for one extension: the defaults, then each group naming it, in order."""
        values = {k: getattr(self, k) for k in PhoneSettings.model_fields}
        for group in self.groups:
            if number in group.extensions:
                for key in PhoneSettings.model_fields:
                    override = getattr(group, key)
                    if override is not None:
                        values[key] = override
        return PhoneSettings.model_validate(values)


class Agents(Strict):
    """Dynamic agents of a queue: log in at ``login``, out at ``logout``, pausing now and then."""

    queue: NumberText
    extensions: Numbers = Field(min_length=1)
    login: TimeOfDay | None = None
    logout: TimeOfDay | None = None
    pause_every: Distribution | None = None
    pause_length: Distribution = Distribution.fixed(300)

    def shifts(self, start_of_day: float, duration: float) -> list[tuple[float, float]]:
        """When these agents are logged in, as ``(from, to)`` seconds after the run's start,
        clipped to the run. Without ``login`` they are in from the start, without ``logout``
        until the end; a ``logout`` before ``login`` is a shift across midnight. A run that
        starts within a shift starts with the agents logged in."""
        if self.login is None and self.logout is None:
            return [(0.0, duration)]
        if self.login is None or self.logout is None:
            first = 0.0 if self.login is None else None
            edge = parse_time_of_day(self.logout if self.login is None else self.login)
            at = (edge - start_of_day) % DAY
            if first is not None:  # logged in until the first logout
                return [(0.0, min(at, duration))] if at > 0 else []
            return [(at, duration)] if at < duration else []
        begin_tod, end_tod = parse_time_of_day(self.login), parse_time_of_day(self.logout)
        length = (end_tod - begin_tod) % DAY or DAY
        out: list[tuple[float, float]] = []
        day = -1
        while True:
            begin = day * DAY + begin_tod - start_of_day
            if begin >= duration:
                return out
            low, high = max(begin, 0.0), min(begin + length, duration)
            if high > low:
                out.append((low, high))
            day += 1


class Outbound(Traffic):
    """Calls the scenario's extensions dial out."""

    name: str = ""
    from_: Numbers = Field(alias="from", min_length=1)
    to: Patterns = Field(min_length=1)
    answer: Probability = 1.0
    answer_after: Distribution = Distribution.fixed(5)
    talk: Distribution | None = None


class Wakeup(Strict):
    """Hotel wake-up calls: the PBX rings each room at ``at`` every day of the run."""

    name: str = ""
    rooms: Numbers = Field(min_length=1)
    at: TimeOfDay
    spread: Distribution = Distribution.fixed(0)
    answer: Probability = 1.0
    talk: Distribution = Distribution.fixed(15)


class Sms(Traffic):
    """SMS arriving on a GSM trunk."""

    name: str = ""
    trunk: str
    from_: Patterns = Field(alias="from", default_factory=lambda: ["+#########"], min_length=1)
    to: Annotated[list[str], BeforeValidator(_as_list)] = Field(min_length=1)
    text: Annotated[list[str], BeforeValidator(_as_list)] = Field(
        default_factory=lambda: ["Hello"], min_length=1
    )


class ExtensionRange(Strict):
    """Shorthand for many extensions: ``first = "2000"``, ``count = 50``."""

    first: Annotated[str, Field(pattern=r"^\d+$")]
    count: int = Field(ge=1, le=MAX_RANGE)
    username: str = "{number}"
    fields: dict[str, Any] = Field(default_factory=dict)

    @field_validator("username")
    @classmethod
    def _template(cls, value: str) -> str:
        try:
            value.format(number="2000", n=1)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"{value!r}: only {{number}} and {{n}} may be filled in") from exc
        return value

    def expand(self) -> list[dict[str, Any]]:
        start = int(self.first)
        out = []
        for n in range(self.count):
            number = str(start + n).zfill(len(self.first))
            # Caller ID, register name and passwords: the PBX's defaults for a scenario's
            # extension (SimulatedConfig.add_objects fills them in).
            obj: dict[str, Any] = {
                "number": number,
                "username": self.username.format(number=number, n=n + 1),
            }
            obj.update(self.fields)
            out.append(obj)
        return out


class PbxSection(Strict):
    """Objects the scenario needs, added to the target PBX where missing. Each table is checked
    against the PBX's own models when it is added (the scenario package knows only the shape)."""

    extension_ranges: list[ExtensionRange] = Field(default_factory=list)
    extensions: list[dict[str, Any]] = Field(default_factory=list)
    extensiongroups: list[dict[str, Any]] = Field(default_factory=list)
    trunks: list[dict[str, Any]] = Field(default_factory=list)
    inroutes: list[dict[str, Any]] = Field(default_factory=list)
    outroutes: list[dict[str, Any]] = Field(default_factory=list)
    ivrs: list[dict[str, Any]] = Field(default_factory=list)
    queues: list[dict[str, Any]] = Field(default_factory=list)
    ringgroups: list[dict[str, Any]] = Field(default_factory=list)
    paginggroups: list[dict[str, Any]] = Field(default_factory=list)
    conferences: list[dict[str, Any]] = Field(default_factory=list)

    def objects(self) -> dict[str, list[dict[str, Any]]]:
        """The objects by config table, ranges expanded; only tables with objects."""
        out: dict[str, list[dict[str, Any]]] = {}
        ranged = [obj for r in self.extension_ranges for obj in r.expand()]
        for kind in PBX_TABLES:
            items = [dict(o) for o in getattr(self, kind)]
            if kind == "extensions":
                items = ranged + items
            if items:
                out[kind] = items
        return out


SOURCE_KINDS = ("inbound", "outbound", "wakeups", "sms")


class Scenario(Strict):
    """A whole scenario file."""

    name: str = ""
    description: str = ""
    start: TimeOfDay = "00:00"
    duration: Seconds = Field(default=3600.0, gt=0)
    seed: int = 1
    pbx: PbxSection = Field(default_factory=PbxSection)
    inbound: list[Inbound] = Field(default_factory=list)
    phones: Phones = Field(default_factory=Phones)
    agents: list[Agents] = Field(default_factory=list)
    outbound: list[Outbound] = Field(default_factory=list)
    wakeups: list[Wakeup] = Field(default_factory=list)
    sms: list[Sms] = Field(default_factory=list)

    @model_validator(mode="after")
    def _name_sources(self) -> Scenario:
        """Every traffic source gets a name (``inbound[2]`` when the file gives none), unique
        within its kind, since arrivals and summaries refer to sources by name."""
        for kind in SOURCE_KINDS:
            for i, entry in enumerate(getattr(self, kind)):
                if not entry.name:
                    entry.name = f"{kind}[{i}]"
        return self

    @property
    def start_of_day(self) -> float:
        """The start as seconds after midnight (PBX time zone)."""
        return parse_time_of_day(self.start)

    def pbx_objects(self) -> dict[str, list[dict[str, Any]]]:
        return self.pbx.objects()
