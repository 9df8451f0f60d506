"""Call detail records: written when a call (or a stretch of it) ends, kept, exported as CSV.

Records live in the state store under ``calls.cdr/<start time>/<callid>/<n>``: ordered by
start time, so a time range is a prefix scan, and they survive a restart. The CSV export has
the columns a unit's ``cdr/download`` writes, in its order, with its spellings: the tables'
``dsttrunkname`` (the report says ``desttrunkname``), no ``agentringtime``, and the serial
number last. Deployed importers read the file by position (docs/fidelity.md).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection
from dataclasses import fields
from datetime import timezone
from typing import Any

from yspbx.pbx.models import Cdr, CdrStatus
from yspbx.pbx.simulated.calls.model import Segment
from yspbx.pbx.timefmt import format_time
from yspbx.store.base import StateStore

PREFIX = "calls.cdr/"

CSV_COLUMNS = (
    "callid",
    "timestart",
    "callfrom",
    "callto",
    "callduraction",
    "talkduraction",
    "srctrunkname",
    "dsttrunkname",
    "status",
    "type",
    "pincode",
    "recording",
    "didnumber",
    "sn",
)


def build_cdr(
    callid: str, segment: Segment, status: CdrStatus, ended_at: float, zone: timezone
) -> Cdr:
    answered = segment.answered_at
    talk = 0 if answered is None else max(0, round(ended_at - answered))
    return Cdr(
        callid=callid,
        started_at=segment.started_at,
        timestart=format_time(segment.started_at, zone),
        callfrom=segment.callfrom,
        callto=segment.callto,
        call_duration=max(0, round(ended_at - segment.started_at)),
        talk_duration=talk,
        status=status,
        type=segment.type,
        srctrunkname=segment.srctrunkname,
        desttrunkname=segment.desttrunkname,
        recording=segment.recording if answered is not None else "",
        didnumber=segment.didnumber,
        agentringtime=segment.agentringtime,
    )


# The record's fields in order. Every value is a str, int or float, so reading them off is
# what dataclasses.asdict does, without its deep copy of each value (several times slower, and
# paid for every call's record).
_FIELDS = tuple(f.name for f in fields(Cdr))


def cdr_document(cdr: Cdr) -> dict[str, Any]:
    """The record as the JSON object the store keeps (the same keys as ``asdict``)."""
    return {name: getattr(cdr, name) for name in _FIELDS}


def csv_row(cdr: Cdr, sn: str) -> dict[str, str]:
    """The record under the CSV's column names."""
    row = cdr_document(cdr)
    row["callduraction"] = str(row.pop("call_duration"))
    row["talkduraction"] = str(row.pop("talk_duration"))
    row["dsttrunkname"] = row.pop("desttrunkname")
    row["sn"] = sn
    return {column: str(row.get(column, "")) for column in CSV_COLUMNS}


def to_csv(cdrs: list[Cdr], sn: str) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for cdr in cdrs:
        writer.writerow(csv_row(cdr, sn))
    return out.getvalue().encode("utf-8")


class CdrBook:
    def __init__(self, state: StateStore) -> None:
        self._state = state

    async def save(self, cdr: Cdr, index: int) -> None:
        key = f"{PREFIX}{cdr.started_at:020.6f}/{cdr.callid}/{index}"
        await self._state.put(key, json.dumps(cdr_document(cdr)).encode())

    async def between(
        self, start: float, end: float, extensions: Collection[str] | None = None
    ) -> list[Cdr]:
        """Records that started within ``[start, end]``, touching ``extensions`` if given."""
        found: list[Cdr] = []
        for _, value in await self._state.scan(PREFIX):
            cdr = Cdr(**json.loads(value))
            if not start <= cdr.started_at <= end:
                continue
            if extensions is not None and not {cdr.callfrom, cdr.callto} & set(extensions):
                continue
            found.append(cdr)
        return found

    async def all(self) -> list[Cdr]:
        return [Cdr(**json.loads(value)) for _, value in await self._state.scan(PREFIX)]
