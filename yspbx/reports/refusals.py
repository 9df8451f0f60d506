"""When a receiver that answers, but not with 200, gets a report for the last time.

A receiver that cannot be reached is down: its reports wait for it, in order, as long as its
session lives. A receiver that *answers* with another status is up and has said no: resending
that report forever would hold every report behind it, which units in the field do not do
(deployed connectors answer ``400`` to reports they have no use for and still get the rest).
So a refused report is sent again a few times, on the same backoff as any retry but counted
from its first refusal, and then settled as ``refused``; the session's next report goes at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from yspbx.settings import ReportSettings


@dataclass(frozen=True, slots=True)
class RefusalPolicy:
    """At most ``attempts`` refused attempts per report. With the default backoff (1, 2, 4, 8
    seconds of server clock) and 5 attempts, a receiver that keeps answering settles a report
    15 seconds after its first refusal."""

    attempts: int

    @classmethod
    def from_settings(cls, settings: ReportSettings) -> RefusalPolicy:
        return cls(settings.refused_attempts)

    def gives_up(self, refusals: int) -> bool:
        """Whether a report refused ``refusals`` times (this attempt included) is settled."""
        return refusals >= self.attempts
