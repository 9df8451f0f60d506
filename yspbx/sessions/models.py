"""What the PBX remembers about a logged-in application server."""

from __future__ import annotations

from dataclasses import dataclass

# Report format versions: "" is the PBX's legacy format (parties as repeated keys).
LEGACY_FORMAT = ""
WELL_FORMED_FORMAT = "1.0.2"
V2_FORMAT = "2.0.0"


def format_of(version: str) -> str:
    """The report format a stored ``version`` means: legacy, 1.0.2 (the ``call`` array) or
    2.0.0 (events keyed ``event``, ``CallStatus``); any version from 2 on is 2.0.0."""
    if version == LEGACY_FORMAT:
        return LEGACY_FORMAT
    return V2_FORMAT if version.split(".", 1)[0] not in ("0", "1") else WELL_FORMED_FORMAT


@dataclass(slots=True)
class ReportTarget:
    """Where event reports for a session go; the URL is derived, never stored."""

    ip: str
    port: int
    url: str = ""
    absolute: bool = False
    absolute_host: str = ""
    absolute_port: int = 0

    @property
    def address(self) -> str:
        """The full ``http://`` URL, built by the PBX's rule (docs/pbx-api/sessions.md)."""
        if self.absolute:
            return f"http://{_host(self.absolute_host)}:{self.absolute_port}{self.url}"
        return f"http://{_host(self.ip)}:{self.port}/{self.url}"


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


@dataclass(slots=True)
class Session:
    token: str
    client_ip: str
    created_at: float
    expires_at: float
    target: ReportTarget
    version: str = LEGACY_FORMAT

    @property
    def well_formed_reports(self) -> bool:
        """Whether reports use the 1.0.2 format (a ``call`` array) rather than the legacy one."""
        return self.version != LEGACY_FORMAT

    @property
    def report_format(self) -> str:
        return format_of(self.version)
