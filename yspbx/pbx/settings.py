"""The engine's slice of the settings: the PBX itself, as the configuration file describes it.

The device, its objects (extensions, trunks, routes, IVRs, queues, groups), its prompts and the
call timings. The server's settings (:class:`yspbx.settings.Settings`) are this slice plus the
server's own sections, read from the same file at the same keys; the engine is handed the
slice, so the domain never imports the server's settings and a second PBX can be described by
a slice of its own.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from yspbx.pbx.models import (
    Conference,
    Device,
    Extension,
    ExtensionGroup,
    InboundRoute,
    Ivr,
    OutboundRoute,
    PagingGroup,
    Queue,
    RingGroup,
    Trunk,
)


class CallSettings(BaseModel):
    """How long the simulated PBX lets things take (server-clock seconds)."""

    model_config = ConfigDict(extra="forbid")

    ring_timeout: float = Field(30, gt=0)
    inbound_control_window: float = Field(10, gt=0)
    prompt_seconds: float = Field(5, gt=0)
    sms_seconds: float = Field(3, gt=0)
    survey_seconds: float = Field(10, gt=0)


class PbxSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    calls: CallSettings = CallSettings()
    device: Device = Device()
    prompts: list[str] = []
    extensions: list[Extension] = []
    extensiongroups: list[ExtensionGroup] = []
    trunks: list[Trunk] = []
    inroutes: list[InboundRoute] = []
    outroutes: list[OutboundRoute] = []
    ivrs: list[Ivr] = []
    queues: list[Queue] = []
    ringgroups: list[RingGroup] = []
    paginggroups: list[PagingGroup] = []
    conferences: list[Conference] = []
