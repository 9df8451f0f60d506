# Generated from _async/files.py by `python -m yspbx.client._unasync`: do not edit.
from __future__ import annotations

from datetime import datetime

from yspbx.client._areas._sync._area import Area
from yspbx.client._models import files
from yspbx.client._models.files import CdrTicket, RecordingTicket
from yspbx.client._wire import IdList, join_list, wire_time


class Recordings(Area):
    """Call recordings (docs/pbx-api/files.md). The name comes from a ``NewCdr`` report's
    ``recording``; ``fetch`` asks for a one-time ticket and downloads in one go."""

    def ticket(self, recording: str, *, allowed_ip: str | None = None) -> RecordingTicket:
        """A one-time ticket for ``recording``, valid 30 seconds (``allowed_ip``: one more
        address that may use it)."""
        fields = files.RecordingTicketRequest(recording=recording, allowed_ip=allowed_ip)
        return (self._send(files.RECORDING_TICKET, fields)).filled_from(fields)

    def download(self, ticket: RecordingTicket) -> bytes:
        """The recording's audio (WAV), using up ``ticket``."""
        params = {"recording": ticket.recording, "random": ticket.random}
        return self._download(files.RECORDING_DOWNLOAD, params)

    def fetch(self, recording: str) -> bytes:
        """Ticket and download: the recording's audio."""
        return self.download(self.ticket(recording))


class Cdr(Area):
    """Call detail records as the PBX's CSV export (docs/pbx-api/files.md)."""

    def ticket(
        self,
        start: datetime | str,
        end: datetime | str,
        *,
        extensions: IdList = "all",
        allowed_ip: str | None = None,
    ) -> CdrTicket:
        """A one-time ticket for the records of ``extensions`` between ``start`` and ``end``
        (datetimes, or ``yyyy-mm-dd hh:mm:ss`` in the PBX's time), valid 30 seconds."""
        fields = files.CdrTicketRequest(
            extensions=join_list(extensions),
            start=wire_time(start),
            end=wire_time(end),
            allowed_ip=allowed_ip,
        )
        return (self._send(files.CDR_TICKET, fields)).filled_from(fields)

    def download(self, ticket: CdrTicket) -> bytes:
        """The records as CSV, using up ``ticket``."""
        params = {
            "extid": ticket.extensions,
            "starttime": ticket.start,
            "endtime": ticket.end,
            "random": ticket.random,
        }
        return self._download(files.CDR_DOWNLOAD, params)

    def fetch(
        self, start: datetime | str, end: datetime | str, *, extensions: IdList = "all"
    ) -> bytes:
        """Ticket and download: the records as CSV."""
        return self.download(self.ticket(start, end, extensions=extensions))
