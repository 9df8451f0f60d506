"""The names of the PBX's object tables, in one place.

The config file (``[[extensions]]``, ``[[queues]]``, ...) and a scenario's ``[pbx]`` section
use the same table names, and ``base = "empty"`` starts exactly these empty. The config checks
and the scenario package sit in layers that may not import one another, so the list lives
below both.
"""

from __future__ import annotations

PBX_TABLES = (
    "extensions",
    "extensiongroups",
    "trunks",
    "inroutes",
    "outroutes",
    "ivrs",
    "queues",
    "ringgroups",
    "paginggroups",
    "conferences",
)
