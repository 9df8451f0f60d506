"""Fetching records and recordings: ``recording/get_random|download`` and
``cdr/get_random|download``, with the errnos docs/pbx-api/files.md lists for them.

* recordings: ``20015`` an ``allowedip`` that is not an IP address, ``20014`` no such
  recording, ``20012`` a random that is unknown, spent, expired, or for another file or client;
* records: ``10006`` an ``extid`` that is neither ``all`` nor existing extensions, ``20019`` a
  time not written ``yyyy-mm-dd hh:mm:ss`` (or a start after the end), ``20015`` as above,
  ``20020`` a bad random, ``20021`` no record in the range.
"""

from __future__ import annotations

from datetime import timezone

from yspbx.errors import Errno, PbxError
from yspbx.pbx.simulated.calls.cdr import CdrBook, to_csv
from yspbx.pbx.simulated.calls.downloads import Tickets, valid_ip
from yspbx.pbx.simulated.calls.recordings import Recordings
from yspbx.pbx.simulated.config import SimulatedConfig
from yspbx.pbx.timefmt import parse_time


class RecordAccess:
    def __init__(
        self,
        config: SimulatedConfig,
        cdrs: CdrBook,
        recordings: Recordings,
        tickets: Tickets,
        zone: timezone,
        serial_number: str,
    ) -> None:
        self._config = config
        self._sn = serial_number
        self._cdrs = cdrs
        self._recordings = recordings
        self._tickets = tickets
        self._zone = zone

    async def recording_random(self, name: str, app_ip: str, allowed_ip: str | None) -> str:
        ips = self._downloaders(app_ip, allowed_ip)
        if await self._recordings.read(name) is None:
            raise PbxError(Errno.RECORDING_NOT_FOUND, name)
        return await self._tickets.issue("recording", name, ips)

    async def download_recording(self, name: str, random: str, client_ip: str) -> bytes:
        if not await self._tickets.redeem("recording", name, random, client_ip):
            raise PbxError(Errno.RECORDING_RANDOM_INVALID, name)
        content = await self._recordings.read(name)
        if content is None:
            raise PbxError(Errno.RECORDING_NOT_FOUND, name)
        return content

    async def cdr_random(
        self, extid: str, starttime: str, endtime: str, app_ip: str, allowed_ip: str | None
    ) -> str:
        self._extensions(extid)
        self._range(starttime, endtime)
        ips = self._downloaders(app_ip, allowed_ip)
        return await self._tickets.issue("cdr", _subject(extid, starttime, endtime), ips)

    async def download_cdr(
        self, extid: str, starttime: str, endtime: str, random: str, client_ip: str
    ) -> bytes:
        start, end = self._range(starttime, endtime)
        subject = _subject(extid, starttime, endtime)
        if not await self._tickets.redeem("cdr", subject, random, client_ip):
            raise PbxError(Errno.CDR_RANDOM_INVALID, subject)
        found = await self._cdrs.between(start, end, self._extensions(extid))
        if not found:
            raise PbxError(Errno.CDR_NOT_FOUND, subject)
        return to_csv(found, self._sn)

    def _extensions(self, extid: str) -> list[str] | None:
        """None for ``all``; else the named extensions, each of which must exist."""
        if extid.strip().lower() == "all":
            return None
        return self._config.extension_numbers(extid.split(","))

    def _range(self, starttime: str, endtime: str) -> tuple[float, float]:
        try:
            start = parse_time(starttime, self._zone)
            end = parse_time(endtime, self._zone)
        except ValueError:
            raise PbxError(Errno.CDR_TIME_INVALID, f"{starttime!r} - {endtime!r}") from None
        if start > end:
            raise PbxError(Errno.CDR_TIME_INVALID, "the range ends before it starts")
        return start, end

    @staticmethod
    def _downloaders(app_ip: str, allowed_ip: str | None) -> list[str]:
        ips = [valid_ip(app_ip) or app_ip]
        if allowed_ip is not None and allowed_ip.strip():
            extra = valid_ip(allowed_ip)
            if extra is None:
                raise PbxError(Errno.ALLOWED_IP_INVALID, allowed_ip)
            ips.append(extra)
        return ips


def _subject(extid: str, starttime: str, endtime: str) -> str:
    return "|".join(part.strip() for part in (extid, starttime, endtime))
