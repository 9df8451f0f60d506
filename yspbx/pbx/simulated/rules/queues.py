"""Queue settings (``queue/update``): every failure is ``10019``."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from yspbx.errors import Errno
from yspbx.pbx.models import Queue
from yspbx.pbx.simulated.rules import common as c
from yspbx.pbx.vocabulary import (
    AGENT_TIMEOUTS,
    ANNOUNCE_FREQUENCIES,
    BREAKOUT_KEYS,
    MAX_WAIT_TIMES,
    QUEUE_ACTIONS,
    RETRY_TIMES,
    RING_STRATEGIES,
    WRAPUP_TIMES,
)

if TYPE_CHECKING:
    from yspbx.pbx.simulated.tables import ConfigTables

ON_OFF = c.one_of(True, False)

CHECKER = c.Checker(
    Errno.QUEUE_CONFIG_FAILED,
    {
        "number": c.text_rule(c.number),
        "name": c.text_rule(c.object_name),
        "password": c.text_rule(lambda v: c.digits(v, 127)),
        "ringstrategy": c.one_of(*RING_STRATEGIES),
        "failoveraction": c.one_of(*QUEUE_ACTIONS),
        "failoverdest": c.text_rule(lambda v: c.free_text(v, 63)),
        "agents": c.list_rule(c.number),
        "agenttimeout": c.one_of(*AGENT_TIMEOUTS),
        "wrapuptime": c.one_of(*WRAPUP_TIMES),
        "ringinuse": ON_OFF,
        "retry": c.one_of(*RETRY_TIMES),
        "maxwaittime": c.one_of(*MAX_WAIT_TIMES),
        "joinempty": ON_OFF,
        "leavewhenempty": ON_OFF,
        "announcepos": ON_OFF,
        "announcefreq": c.one_of(*ANNOUNCE_FREQUENCIES),
        "announceholdtime": ON_OFF,
        "userannouncefreq": c.one_of(*ANNOUNCE_FREQUENCIES),
        "breakoutkey": c.one_of(*BREAKOUT_KEYS),
        "breakoutaction": c.one_of("", *QUEUE_ACTIONS),
        "breakoutdest": c.text_rule(lambda v: c.free_text(v, 63)),
        "idannouncement": c.text_rule(lambda v: c.free_text(v, 63)),
        "satisfactionsurvey": c.text_rule(lambda v: c.free_text(v, 63)),
    },
)


def action_destination_ok(config: ConfigTables, queue: Queue, action: str, dest: str) -> bool:
    """Whether a failover or breakout ``dest`` names something the ``action`` can reach."""
    if action in ("Extension", "Voicemail", "Fax to Email"):
        return dest in config.extensions
    if action == "IVR":
        return dest in config.ivrs
    if action == "Ring Group":
        return dest in config.ringgroups
    if action == "Queue":
        return dest in config.queues and dest != queue.number
    if action == "Conference":
        return c.number(dest)
    return True  # hang up, dial by name: no destination


def check_queue(
    config: ConfigTables, queue: Queue, current: Queue | None, changed: Collection[str]
) -> None:
    CHECKER.fields(queue, changed)
    if c.renamed(queue, current, "number", changed):
        owner = config.number_owner(queue.number)
        if owner is not None:
            raise CHECKER.fail(f"number {queue.number} is already used by {owner}")
    if "agents" in changed:
        unknown = c.missing(queue.agents, config.extensions)
        if unknown:
            raise CHECKER.fail(f"no extension {unknown}")
        if len(set(queue.agents)) != len(queue.agents):
            raise CHECKER.fail("an agent is listed twice")
    pairs = (("failoveraction", "failoverdest"), ("breakoutaction", "breakoutdest"))
    for action_field, dest_field in pairs:
        if not c.touched(changed, action_field, dest_field):
            continue
        action, dest = getattr(queue, action_field), getattr(queue, dest_field)
        if action and not action_destination_ok(config, queue, action, dest):
            raise CHECKER.fail(f"{dest_field} {dest!r} is not a {action} destination")
    for prompt_field in ("idannouncement", "satisfactionsurvey"):
        prompt = getattr(queue, prompt_field)
        if prompt_field in changed and prompt != "None" and prompt not in config.prompts:
            raise CHECKER.fail(f"{prompt_field}: no custom prompt {prompt!r}")
