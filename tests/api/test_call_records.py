"""Records and recordings over HTTP (docs/pbx-api/files.md): one-time randoms, downloads, errnos."""

from __future__ import annotations

import csv
import io
import re
import wave

import httpx
import pytest

from tests.support.calls_http import cdr_window, download_cdrs
from tests.support.helpers import API, Api, Sim, failed
from yspbx.pbx.simulated.calls.cdr import CSV_COLUMNS
from yspbx.testing import ServerProcess

# The column line of a CSV a unit's cdr/download wrote, as three deployed importers spell it.
UNIT_CSV_HEADER = (
    "callid,timestart,callfrom,callto,callduraction,talkduraction,srctrunkname,dsttrunkname,"
    "status,type,pincode,recording,didnumber,sn"
)
RECORDING = re.compile(r"^\d{14}-(\d+\.\d+)-(\d+)-(\d+)-(Inbound|Outbound|Internal)\.wav$")


def recorded_call(sim: Sim, talk: float = 5) -> str:
    """An inbound call to 1000 (which records), talked for ``talk`` seconds; its callid."""
    callid = str(
        sim.post("/calls", {"from": "0612345678", "to": "1000", "trunk": "SIP-Carrier"})["callid"]
    )
    sim.post(f"/calls/{callid}/answer", {})
    sim.advance(talk)
    sim.post(f"/calls/{callid}/hangup", {})
    return callid


def rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


def fetch(api: Api, token: str, name: str, random: str, method: str = "GET") -> httpx.Response:
    params = {"recording": name, "random": random, "token": token}
    return api.http.request(method, API + "recording/download", params=params)


def test_recording_round_trip(api: Api, sim: Sim) -> None:
    callid = recorded_call(sim, talk=2)
    token = api.token()
    (row,) = rows(download_cdrs(api, sim, token))
    name = row["recording"]
    match = RECORDING.match(name)
    assert match is not None, name
    assert match.groups() == (callid, "0612345678", "1000", "Inbound")

    answer = api.call("recording/get_random", {"recording": name}, token)
    assert set(answer) == {"status", "recording", "random"}
    assert answer["recording"] == name
    assert re.fullmatch(r"[0-9a-f]{32}", answer["random"])
    response = fetch(api, token, name, answer["random"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/wav"
    assert name in response.headers["content-disposition"]
    with wave.open(io.BytesIO(response.content)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (1, 2, 8000)
        assert audio.getnframes() == 2 * 8000
    # The random is spent.
    assert fetch(api, token, name, answer["random"]).json() == failed("20012")


def test_download_by_post_and_random_expiry(api: Api, sim: Sim) -> None:
    recorded_call(sim)
    token = api.token()
    (row,) = rows(download_cdrs(api, sim, token))
    name = row["recording"]
    random = api.call("recording/get_random", {"recording": name}, token)["random"]
    assert fetch(api, token, name, random, "POST").content[:4] == b"RIFF"
    late = api.call("recording/get_random", {"recording": name}, token)["random"]
    sim.advance(31)
    token = api.token()
    assert fetch(api, token, name, late).json() == failed("20012")


def test_recording_errnos(api: Api, sim: Sim, server: ServerProcess) -> None:
    recorded_call(sim)
    token = api.token()
    (row,) = rows(download_cdrs(api, sim, token))
    name = row["recording"]
    missing = "20240301091502-1709283302.40-0612345678-2001-Inbound.wav"
    assert api.call("recording/get_random", {"recording": missing}, token) == failed("20014")
    assert api.call("recording/get_random", {}, token) == failed("10004")
    bad_ip = {"recording": name, "allowedip": "not-an-ip"}
    assert api.call("recording/get_random", bad_ip, token) == failed("20015")
    random = api.call("recording/get_random", {"recording": name}, token)["random"]
    assert fetch(api, token, missing, random).json() == failed("20012")
    assert fetch(api, token, name, "0" * 32).json() == failed("20012")
    assert fetch(api, token, name, "../../etc").json() == failed("20012")
    no_random = api.http.get(API + "recording/download", params={"recording": name, "token": token})
    assert no_random.json() == failed("10004")
    # Another host with the same token may not use it, unless it was named as allowedip.
    other = Api(server.url, "127.0.0.2")
    assert fetch(other, token, name, random).json() == failed("20012")
    assert fetch(api, token, name, random).status_code == 200
    allowed = {"recording": name, "allowedip": "127.0.0.2"}
    random = api.call("recording/get_random", allowed, token)["random"]
    assert fetch(other, token, name, random).content[:4] == b"RIFF"
    other.close()
    # A download without a token is refused by the envelope like any request.
    assert api.http.get(API + "recording/download", params={"recording": name}).json() == (
        failed("20005")
    )


def test_cdr_download_csv(api: Api, sim: Sim) -> None:
    callid = recorded_call(sim, talk=7)
    internal = sim.post("/calls", {"from": "1001", "to": "1002"})["callid"]
    sim.post(f"/calls/{internal}/hangup", {})
    token = api.token()
    response = download_cdrs(api, sim, token)
    assert response.headers["content-type"].startswith("text/csv")
    # The header a unit writes, column for column (docs/fidelity.md): importers in the field
    # read the file by position and take the serial number from the last column.
    assert response.text.splitlines()[0] == UNIT_CSV_HEADER
    assert tuple(UNIT_CSV_HEADER.split(",")) == CSV_COLUMNS
    for line in response.text.splitlines()[1:]:
        fields = line.split(",")  # as a deployed importer splits it
        assert len(fields) == 14
        assert fields[13] == "369300000001"
    inbound, unanswered = rows(response)
    assert {k: inbound[k] for k in ("callid", "callfrom", "callto", "talkduraction")} == {
        "callid": callid,
        "callfrom": "0612345678",
        "callto": "1000",
        "talkduraction": "7",
    }
    assert (inbound["srctrunkname"], inbound["dsttrunkname"]) == ("SIP-Carrier", "")
    assert (inbound["didnumber"], inbound["type"], inbound["sn"]) == (
        "1000",
        "Inbound",
        "369300000001",
    )
    assert (unanswered["status"], unanswered["type"], unanswered["talkduraction"]) == (
        "NO ANSWER",
        "Internal",
        "0",
    )
    assert [r["callid"] for r in rows(download_cdrs(api, sim, token, "1002"))] == [internal]
    assert len(rows(download_cdrs(api, sim, token, "1000,1001"))) == 2


def test_cdr_errnos(api: Api, sim: Sim) -> None:
    token = api.token()
    start, end = cdr_window(sim)
    body = {"extid": "all", "starttime": start, "endtime": end}
    answer = api.call("cdr/get_random", body, token)
    assert set(answer) == {"status", "extid", "starttime", "endtime", "random"}
    assert (answer["extid"], answer["starttime"], answer["endtime"]) == ("all", start, end)
    for wrong, errno in (
        ({"extid": "9999"}, "10006"),
        ({"extid": "1001,9999"}, "10006"),
        ({"starttime": "2024/03/01 00:00"}, "20019"),
        ({"endtime": "yesterday"}, "20019"),
        ({"starttime": end, "endtime": start}, "20019"),
        ({"allowedip": "300.1.1.1"}, "20015"),
        ({"extid": ""}, "10004"),
    ):
        assert api.call("cdr/get_random", body | wrong, token) == failed(errno), wrong
    params = body | {"random": answer["random"], "token": token}
    url = API + "cdr/download"
    assert api.http.get(url, params=params | {"extid": "1001"}).json() == failed("20020")
    assert api.http.get(url, params=params | {"starttime": "bad"}).json() == failed("20019")
    # No call in the range: nothing to download (the random is spent by then).
    assert api.http.get(url, params=params).json() == failed("20021")
    assert api.http.get(url, params=params).json() == failed("20020")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_cdr_download_both_methods(api: Api, sim: Sim, method: str) -> None:
    recorded_call(sim)
    token = api.token()
    start, end = cdr_window(sim)
    body = {"extid": "1000", "starttime": start, "endtime": end}
    random = api.call("cdr/get_random", body, token)["random"]
    response = api.http.request(
        method, API + "cdr/download", params=body | {"random": random, "token": token}
    )
    assert len(rows(response)) == 1
