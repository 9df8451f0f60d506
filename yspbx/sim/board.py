"""What the console's board and queue panel show, shaped from the simulated engine's state:
each extension's do-not-disturb switch and forwarding rules (``GET /sim/v1/state``) and each
queue's agents (``GET /sim/v1/queues``), in plain words rather than the PBX's wire codes, since
these answers are for people and tools watching the simulator, not for an API client."""

from __future__ import annotations

from typing import Any

from yspbx.pbx.config_ops import AgentState
from yspbx.pbx.models import Extension
from yspbx.pbx.simulated.calls.forwarding import Cause, ForwardRule
from yspbx.pbx.simulated.engine import SimulatedEngine

_CAUSES: tuple[Cause, ...] = ("always", "noanswer", "busy")

# The engine's agent codes (queuestatus/query's agentstatus) as words.
AGENT_WORDS: dict[AgentState, str] = {
    AgentState.UNKNOWN: "unknown",
    AgentState.NOT_INUSE: "idle",
    AgentState.INUSE: "talking",
    AgentState.BUSY: "talking",
    AgentState.INVALID: "invalid",
    AgentState.UNAVAILABLE: "unavailable",
    AgentState.RINGING: "ringing",
    AgentState.RINGINUSE: "ringing",
    AgentState.ONHOLD: "on hold",
    AgentState.PAUSED: "paused",
    AgentState.WRAPUP: "wrap-up",
}


def _destination(extension: Extension, rule: ForwardRule) -> str:
    """Where the rule sends a call, as the engine dials it ("" for the extension's voicemail)."""
    if rule.to == "Extension":
        return rule.extension
    if rule.to == "Mobile Number":
        return rule.prefix + extension.mobile
    if rule.to == "Custom Number":
        return rule.prefix + rule.number
    return ""


def forwarding(extension: Extension) -> list[dict[str, str]]:
    """The extension's forwarding rules that are switched on, always first."""
    rules = []
    for cause in _CAUSES:
        rule = ForwardRule.of(extension, cause)
        if rule is not None:
            rules.append(
                {"rule": cause, "to": rule.to, "destination": _destination(extension, rule)}
            )
    return rules


def extension_settings(simulator: SimulatedEngine) -> list[dict[str, Any]]:
    """Each extension's do-not-disturb switch and forwarding rules (``GET /sim/v1/state``)."""
    return [
        {"number": e.number, "dnd": e.dnd, "forward": forwarding(e)}
        for e in simulator.config.extensions.values()
    ]


async def queues(simulator: SimulatedEngine) -> list[dict[str, Any]]:
    """Every queue with its agents (static and logged-in) and the callers waiting."""
    config = simulator.config
    answer = []
    for status in await config.queue_status(None):
        queue = config.queues[status.number]
        dynamic = {m.agent for m in config.queue_members(status.number) if m.dynamic}
        answer.append(
            {
                "number": status.number,
                "name": queue.name,
                "waiting": status.waiting,
                "agents": [
                    {
                        "number": a.agent,
                        "state": AGENT_WORDS.get(a.state, "unknown"),
                        "dynamic": a.agent in dynamic,
                    }
                    for a in status.agents
                ],
            }
        )
    return answer
