"""What a run did: calls offered, answered and abandoned (in all and per queue), reports per
report address, CDRs; and the five totals the CLI's last line prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from yspbx.hub import ReportTally


@dataclass
class QueueCounts:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0


@dataclass
class Summary:
    calls: int = 0
    inbound: int = 0
    outbound: int = 0
    wakeups: int = 0
    sms: int = 0
    answered: int = 0
    abandoned: int = 0
    cdrs: int = 0
    # Actions the PBX refused (an agent logging in twice, a phone already busy dialling out).
    refused_actions: int = 0
    skipped_outbound: int = 0
    queues: dict[str, QueueCounts] = field(default_factory=dict)
    reports: ReportTally = field(default_factory=ReportTally)

    def queue(self, number: str) -> QueueCounts:
        counts = self.queues.get(number)
        if counts is None:
            counts = self.queues[number] = QueueCounts()
        return counts

    def totals(self) -> dict[str, int]:
        """The CLI's last line, in this order (docs/scenarios.md)."""
        return {
            "calls": self.calls,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "reports": sum(self.reports.queued.values()),
            "cdrs": self.cdrs,
        }

    def to_json(self) -> dict[str, Any]:
        tally = self.reports
        targets = sorted(set(tally.queued) | set(tally.delivered) | set(tally.refused))
        return {
            "totals": self.totals(),
            "calls": {
                "offered": self.calls,
                "inbound": self.inbound,
                "outbound": self.outbound,
                "wakeups": self.wakeups,
                "answered": self.answered,
                "abandoned": self.abandoned,
            },
            "sms": self.sms,
            "cdrs": self.cdrs,
            "queues": {
                number: {
                    "offered": counts.offered,
                    "answered": counts.answered,
                    "abandoned": counts.abandoned,
                }
                for number, counts in sorted(self.queues.items())
            },
            "reports": {
                "sessions": [
                    {
                        "target": target,
                        "queued": tally.queued.get(target, 0),
                        "delivered": tally.delivered.get(target, 0),
                        "refused": tally.refused.get(target, 0),
                    }
                    for target in targets
                ],
                "dropped": tally.dropped,
                "pending": tally.pending,
            },
            "refused_actions": self.refused_actions,
            "skipped_outbound": self.skipped_outbound,
        }
