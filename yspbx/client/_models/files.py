"""Recordings and CDR exports (docs/pbx-api/files.md): a one-time ticket, then the file.

A ticket (the ``random`` string) is valid for 30 seconds and for one download only.
"""

from __future__ import annotations

from pydantic import Field

from yspbx.client._endpoint import Download, Endpoint, whole
from yspbx.client._wire import RequestModel, ResponseModel


class RecordingTicketRequest(RequestModel):
    recording: str
    allowed_ip: str | None = Field(None, alias="allowedip")


class CdrTicketRequest(RequestModel):
    extensions: str = Field(alias="extid")
    start: str = Field(alias="starttime")
    end: str = Field(alias="endtime")
    allowed_ip: str | None = Field(None, alias="allowedip")


class RecordingTicket(ResponseModel):
    recording: str = ""
    random: str = ""

    def filled_from(self, request: RecordingTicketRequest) -> RecordingTicket:
        """The download needs the name: take it from the request if the answer left it out."""
        return self if self.recording else self.model_copy(update={"recording": request.recording})


class CdrTicket(ResponseModel):
    extensions: str = Field("", alias="extid")
    """``all``, one extension or several, comma-separated, as the ticket was asked for."""
    start: str = Field("", alias="starttime")
    end: str = Field("", alias="endtime")
    random: str = ""

    def filled_from(self, request: CdrTicketRequest) -> CdrTicket:
        """The download repeats the request's fields: take any the answer left out."""
        missing = {
            name: getattr(request, name)
            for name in ("extensions", "start", "end")
            if not getattr(self, name)
        }
        return self.model_copy(update=missing) if missing else self


RECORDING_TICKET = Endpoint("recording/get_random", whole(RecordingTicket), query=True)
RECORDING_DOWNLOAD = Download("recording/download")
CDR_TICKET = Endpoint("cdr/get_random", whole(CdrTicket), query=True)
CDR_DOWNLOAD = Download("cdr/download")
