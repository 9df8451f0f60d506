"""What the PBX remembers about a logged-in application server."""

from __future__ import annotations

from dataclasses import dataclass

# Report format versions: "" is the PBX's legacy format (parties as repeated keys).
LEGACY_FORMAT = ""


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
