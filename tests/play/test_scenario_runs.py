"""Playing scenarios on a real server over HTTP (``/sim/v1/scenarios``, ``yspbx sim run``).

Runs are shortened with ``duration``; at ``max`` speed the server's clock jumps from event to
event, so nothing here waits for a timer: the tests wait (``wait_until``) only for the run to
finish in real time and for reports to reach a real receiver.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.helpers import Api
from tests.support.polling import wait_until
from tests.support.stores import free_port
from yspbx.client import Event
from yspbx.scenarios import builtin_names
from yspbx.testing import ReportCollector, ServerProcess

# Call ids carry the time the PBX started counting: masked before comparing two PBXs.
CALLID = re.compile(r"\d{9,11}\.\d+")


@pytest.fixture(scope="module")
def fast() -> Iterator[ServerProcess]:
    """A memory-store server of this module's own (runs change the clock a lot)."""
    with ServerProcess() as process:
        yield process


def create_pbx(url: str) -> dict[str, Any]:
    response = httpx.post(url + "/sim/v1/pbxs", json={})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def start(url: str, **body: Any) -> dict[str, Any]:
    response = httpx.post(url + "/sim/v1/scenarios", json=body, timeout=30)
    assert response.status_code == 202, response.text
    data: dict[str, Any] = response.json()
    return data


def finished(url: str, run_id: str, timeout: float = 60.0) -> dict[str, Any]:
    def look() -> dict[str, Any]:
        data: dict[str, Any] = httpx.get(f"{url}/sim/v1/scenarios/{run_id}").json()
        return data

    run = wait_until(
        look, until=lambda r: r["state"] not in ("starting", "running"), timeout=timeout
    )
    return run


def totals(run: dict[str, Any]) -> dict[str, int]:
    result: dict[str, int] = run["summary"]["totals"]
    return result


def sent_bodies(url: str) -> list[str]:
    reports = httpx.get(url + "/sim/v1/reports").json()
    return [CALLID.sub("<callid>", r["body"]) for r in reports]


def align_clocks(*urls: str) -> None:
    """Bring the PBXs' clocks to (about) the same instant, early in a day: a run starts at
    its scenario's next start time of day, then the same instant on every PBX."""
    now = max(httpx.get(u + "/sim/v1/clock").json()["now"] for u in urls)
    target = (now // 86400 + 2) * 86400 + 60
    for url in urls:
        current = httpx.get(url + "/sim/v1/clock").json()["now"]
        response = httpx.post(url + "/sim/v1/clock/advance", json={"seconds": target - current})
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_runs_end_to_end(fast: ServerProcess, name: str) -> None:
    pbx = create_pbx(fast.url)
    url = pbx["url"]
    # hotel-night's wake-up calls come eight hours in: it plays whole.
    duration = None if name == "hotel-night" else 600
    with ReportCollector() as receiver, closing(Api(url)) as api:
        api.token(port=str(receiver.port))
        body: dict[str, Any] = {"scenario": name, "seed": 7}
        if duration is not None:
            body["duration"] = duration
        run = finished(url, start(url, **body)["id"], timeout=120)
        assert run["state"] == "completed", run
        count = totals(run)
        assert count["calls"] > 0, count
        assert count["cdrs"] > 0, count
        assert count["answered"] > 0
        # Every report queued went out to the receiver, in order.
        sessions = run["summary"]["reports"]["sessions"]
        assert [s["queued"] for s in sessions] == [s["delivered"] for s in sessions]
        assert count["reports"] == sessions[0]["queued"] > 0
        wait_until(lambda: len(receiver.events), until=lambda n: n >= count["reports"])
        assert run["progress"]["done"] == run["progress"]["total"] == run["duration"]
        if name == "hotel-night":
            assert run["summary"]["calls"]["wakeups"] > 0
        if name in ("call-centre", "burst"):
            assert run["summary"]["queues"], run["summary"]
    httpx.delete(f"{fast.url}/sim/v1/pbxs/{pbx['name']}")


def test_a_session_whose_receiver_is_down_counts_every_report_queued(
    fast: ServerProcess,
) -> None:
    """A session whose receiver never answers is parked after its first attempt: its reports
    wait in the event log, and the summary still counts every one of them as queued (and not
    delivered), as many as a session whose receiver answers gets."""
    pbx = create_pbx(fast.url)
    url = pbx["url"]
    try:
        with ReportCollector() as receiver, closing(Api(url)) as api:
            api.token(port=str(receiver.port))
            api.token(port=str(free_port()))  # nobody listens there
            run = finished(url, start(url, scenario="small-office", seed=3, duration=600)["id"])
            assert run["state"] == "completed", run
            sessions = {s["target"]: s for s in run["summary"]["reports"]["sessions"]}
            up = sessions[f"http://127.0.0.1:{receiver.port}/"]
            (down,) = (s for target, s in sessions.items() if s is not up)
            assert up["queued"] == up["delivered"] > 10
            assert down["queued"] == up["queued"]
            assert down["delivered"] == 0
            reports = run["summary"]["reports"]
            assert reports["pending"] == down["queued"] - reports["dropped"]
    finally:
        httpx.delete(f"{fast.url}/sim/v1/pbxs/{pbx['name']}")


def test_same_seed_same_reports_and_cdrs_on_two_fresh_pbxs(server: ServerProcess) -> None:
    """On SQLite, two fresh PBXs of the session's server: byte-identical report bodies (call
    ids masked), CDRs among them, times included (the clocks at the same time of day)."""
    a, b = create_pbx(server.url), create_pbx(server.url)
    try:
        align_clocks(a["url"], b["url"])
        with ReportCollector() as ra, ReportCollector() as rb:
            for pbx, receiver in ((a, ra), (b, rb)):
                with closing(Api(pbx["url"])) as api:
                    api.token(port=str(receiver.port))
            runs = [
                finished(
                    p["url"], start(p["url"], scenario="small-office", seed=11, duration=3600)["id"]
                )
                for p in (a, b)
            ]
            assert [r["state"] for r in runs] == ["completed", "completed"]
            assert totals(runs[0]) == totals(runs[1])
            assert runs[0]["started_at"] == runs[1]["started_at"]
            first, second = sent_bodies(a["url"]), sent_bodies(b["url"])
            assert len(first) == totals(runs[0])["reports"] > 0
            assert first == second
            cdrs = [body for body in first if "NewCdr" in body]
            assert len(cdrs) == totals(runs[0])["cdrs"] > 0
            # A different seed gives another day.
            align_clocks(a["url"])
            other = finished(
                a["url"], start(a["url"], scenario="small-office", seed=12, duration=3600)["id"]
            )
            assert sent_bodies(a["url"])[len(first) :] != first
            assert other["state"] == "completed"
    finally:
        for pbx in (a, b):
            httpx.delete(f"{server.url}/sim/v1/pbxs/{pbx['name']}")


def test_a_slow_receiver_paces_the_run_without_loss_and_in_order(tmp_path: Path) -> None:
    """The receiver takes 3 ms a report and the PBX may keep only 250 undelivered reports per
    session: unpaced, the burst's reports would overflow that bound and be shed."""
    config = tmp_path / "yspbx.toml"
    config.write_text("[reports]\nmax_pending = 250\n", encoding="utf-8")
    received: list[str] = []

    with ServerProcess(config=config) as process, ReportCollector() as receiver:

        async def slow(event: Event) -> None:
            received.append(event.action)
            await asyncio.sleep(0.003)

        receiver.receiver.on_any(slow)
        with closing(Api(process.url)) as api:
            api.token(port=str(receiver.port))
        run = finished(process.url, start(process.url, scenario="burst", duration=60)["id"])
        assert run["state"] == "completed"
        reports = run["summary"]["reports"]
        assert reports["dropped"] == 0
        queued = totals(run)["reports"]
        assert queued > 250
        assert reports["sessions"][0]["delivered"] == queued
        wait_until(lambda: len(received), until=lambda n: n >= queued)
        log = httpx.get(process.url + "/sim/v1/reports").json()
        assert [r["state"] for r in log] == ["delivered"] * len(log)
        # In the order the PBX queued them.
        assert received == [r["action"] for r in log][-len(received) :]


def test_one_run_at_a_time_stop_and_reset(fast: ServerProcess) -> None:
    pbx = create_pbx(fast.url)
    url = pbx["url"]
    run = start(url, scenario="call-centre", speed="realtime")
    assert run["state"] in ("starting", "running")
    again = httpx.post(url + "/sim/v1/scenarios", json={"scenario": "burst"})
    assert again.status_code == 409, again.text
    assert "still" in again.json()["detail"]
    # The default PBX is another PBX: it may run at the same time.
    other = start(fast.url, scenario="burst", duration=10)
    assert finished(fast.url, other["id"])["state"] == "completed"
    wait_until(lambda: httpx.get(url + "/sim/v1/calls").json(), what="a call of the run")
    stopped = httpx.post(f"{url}/sim/v1/scenarios/{run['id']}/stop")
    assert stopped.status_code == 200
    assert stopped.json()["state"] == "stopped"
    # Its calls were hung up, and the clock follows the wall again.
    assert httpx.get(url + "/sim/v1/calls").json() == []
    listed = httpx.get(url + "/sim/v1/scenarios").json()
    assert [r["id"] for r in listed] == [run["id"]]
    # A reset stops a run too.
    second = start(url, scenario="call-centre", speed="realtime")
    assert httpx.post(url + "/sim/v1/reset").status_code == 200
    assert httpx.get(f"{url}/sim/v1/scenarios/{second['id']}").json()["state"] == "stopped"
    assert httpx.get(url + "/sim/v1/scenarios/nope").status_code == 404
    httpx.delete(f"{fast.url}/sim/v1/pbxs/{pbx['name']}")


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"text": "name = 'x'\nduration = -5\n", "source": "day.toml"}, "day.toml: duration: "),
        ({"text": "[[inbound]]\ndid = '1'\nrate = 5\nbogus = 1\n"}, "inbound[0].bogus"),
        ({"text": "not toml ["}, "not valid TOML"),
        ({"scenario": "no-such"}, "no built-in scenario 'no-such'"),
        ({}, "give either"),
        ({"scenario": "burst", "speed": "fast"}, "speed 'fast'"),
        ({"scenario": "burst", "duration": 0}, "'duration' must be between"),
        ({"scenario": "burst", "seed": "x"}, "'seed' must be an integer"),
        (
            {
                "text": "[[pbx.queues]]\nnumber = '6700'\nname = 'Dup'\n[[pbx.queues]]\n"
                "number = '6799'\nname = 'Bad'\nagenttimeout = -3\n"
            },
            "pbx: ",
        ),
    ],
)
def test_a_bad_scenario_is_a_400_with_the_reason(
    fast: ServerProcess, body: dict[str, Any], says: str
) -> None:
    response = httpx.post(fast.url + "/sim/v1/scenarios", json=body)
    assert response.status_code == 400, response.text
    assert says in response.json()["detail"]


def test_cli_prints_the_summary_and_the_totals_as_its_last_line(
    fast: ServerProcess, tmp_path: Path
) -> None:
    scenario = tmp_path / "mine.toml"
    scenario.write_text(
        'name = "mine"\nstart = "09:00"\nduration = "20m"\n'
        '[[inbound]]\ntrunk = "SIP-Carrier"\ndid = "5503301"\nat = [10, 200, 400]\ntalk = 30\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "yspbx",
            "sim",
            "run",
            str(scenario),
            "--seed",
            "3",
            "--pbx",
            fast.url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert list(json.loads(last)) == ["calls", "answered", "abandoned", "reports", "cdrs"]
    assert json.loads(last)["calls"] == 3
    assert json.loads(last)["answered"] == 3
    assert "scenario mine" in done.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text("duration = 'soon'\n", encoding="utf-8")
    refused = subprocess.run(
        [sys.executable, "-m", "yspbx", "sim", "run", str(bad), "--pbx", fast.url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0
    assert "bad.toml: duration:" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
