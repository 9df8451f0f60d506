"""The console in a real browser: Debian's headless chromium driven by Playwright, clicking
through the README's tour against the session's real server (docs/console.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from tests.support.helpers import Api, Sim
from tests.support.polling import wait_until
from yspbx.console.routes import STATIC
from yspbx.testing import ReportCollector, ServerProcess

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT = 10_000  # ms


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser: Browser, server: ServerProcess, sim: Sim) -> Iterator[Page]:
    """The console, open and listening to the event stream, with no request to another host."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    foreign: list[str] = []
    errors: list[str] = []
    tab.on("request", lambda r: None if r.url.startswith(server.url) else foreign.append(r.url))
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto(server.url + "/console")
    expect(tab.locator("body")).to_have_attribute("data-link", "live", timeout=WAIT)
    yield tab
    context.close()
    assert foreign == []
    assert errors == []


def test_the_page_is_guarded_and_offline(server: ServerProcess) -> None:
    answer = httpx.get(server.url + "/console")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    # Nothing the page loads names another host (the request log of the tour checks it too).
    for text in [answer.text, *(path.read_text("utf-8") for path in STATIC.iterdir())]:
        assert re.search(r"https?:|\bsrc=\"//|\bhref=\"//", text) is None
    refused = httpx.get(server.url + "/console", headers={"Origin": "http://elsewhere.example"})
    assert refused.status_code == 403
    script = httpx.get(server.url + "/console/static/console.js", headers={"Host": "evil.example"})
    assert script.status_code == 403


def test_the_tour(page: Page, api: Api, collector: ReportCollector) -> None:
    api.token(port=str(collector.port))
    # An outside number calls the main DID through the trunk: extension 1000 rings.
    page.get_by_role("button", name="Place call").click()
    phone = page.locator(".phone[data-number='1000']")
    expect(phone).to_have_attribute("data-state", "ringing", timeout=WAIT)
    # Pick the phone up from the board.
    phone.click()
    page.locator("#phone").get_by_role("button", name="Answer").click()
    expect(phone).to_have_attribute("data-state", "talking", timeout=WAIT)
    expect(page.locator("#call-rows .call-state")).to_have_text("talking")
    # The reports the application server received, with the receiver's answer.
    delivered = page.locator("#report-rows tr.delivered[data-action='ANSWER']")
    expect(delivered.first).to_be_visible(timeout=WAIT)
    expect(delivered.first.locator("td").nth(4)).to_have_text("200")
    page.get_by_label("Action").select_option("ANSWER")
    expect(page.locator("#report-rows tr:not([data-action='ANSWER'])")).to_have_count(0)
    # Hang up from the calls table: the phone is idle again.
    page.locator("#call-rows").get_by_role("button", name="Hang up").click()
    expect(phone).to_have_attribute("data-state", "idle", timeout=WAIT)
    # The journal shows the API requests as they come.
    expect(page.locator("#journal-rows")).to_contain_text("/login", timeout=WAIT)


def test_dnd_and_forwarding_badges(page: Page, api: Api) -> None:
    phone = page.locator(".phone[data-number='1001']")
    expect(phone).to_be_visible(timeout=WAIT)
    expect(phone.locator(".badge")).to_have_count(0)
    token = api.token()
    changes = {
        "extid": "1001",
        "dnd": "on",
        "alwaysforward": "on",
        "atransferto": "Extension",
        "atransferext": "1003",
    }
    assert api.call("extension/update", changes, token)["status"] == "Success"
    # The config event on the stream brings the new settings to the board.
    expect(phone.locator(".badge.dnd")).to_have_text("DND", timeout=WAIT)
    expect(phone.locator(".badge.fwd")).to_have_text("FWD 1003")
    expect(phone).to_have_attribute("aria-label", re.compile("do not disturb"))
    api.call("extension/update", {"extid": "1001", "dnd": "off"}, token)
    expect(phone.locator(".badge.dnd")).to_have_count(0, timeout=WAIT)


def test_queue_panel_shows_agents(page: Page, api: Api) -> None:
    panel = page.locator("#queue-list li[data-queue='6700']")
    expect(panel.locator("li[data-agent='1001']")).to_have_attribute(
        "data-state", "idle", timeout=WAIT
    )
    expect(panel.locator("li[data-agent='1004']")).to_have_count(0)
    token = api.token()
    login = {"queueid": "6700", "extid": "1004", "password": "1234"}
    assert api.call("queue/add_dynamicagent", login, token)["status"] == "Success"
    agent = panel.locator("li[data-agent='1004']")
    expect(agent).to_have_text("1004: idle (logged in)", timeout=WAIT)
    pause = {"queueid": "6700", "extid": "1004"}
    assert api.call("queue/pause_agent", pause, token)["status"] == "Success"
    expect(agent).to_have_attribute("data-state", "paused", timeout=WAIT)


def test_jump_the_clock(page: Page, sim: Sim) -> None:
    before = sim.get("/clock")["now"]
    page.get_by_role("button", name="+1 h").click()
    expect(page.locator("#fired li").last).to_contain_text("timers fired", timeout=WAIT)
    assert sim.get("/clock")["now"] >= before + 3600


def test_unblock_an_ip(page: Page, server: ServerProcess, sim: Sim) -> None:
    intruder = Api(server.url, "127.0.0.54")
    for _ in range(5):
        intruder.login(password="0" * 32)
    intruder.close()
    expect(page.locator("#failures")).to_contain_text("127.0.0.54: 5 failed", timeout=WAIT)
    # The journal says what each errno means.
    page.get_by_label("Filter").fill("127.0.0.54")
    expect(page.locator("#journal-rows tr").first).to_contain_text(
        "20003: login failed: invalid username or password", timeout=WAIT
    )
    page.get_by_role("button", name="Unblock 127.0.0.54").click()
    expect(page.locator("#blocked")).to_have_text("none", timeout=WAIT)
    assert sim.get("/blocked-ips") == []


def test_reset_asks_first(page: Page, sim: Sim) -> None:
    sim.post("/calls", {"from": "0612345678", "to": "5503301", "trunk": "SIP-Carrier"})
    expect(page.locator("#call-rows tr")).to_have_count(1, timeout=WAIT)
    page.get_by_role("button", name="Reset the PBX…").click()
    page.get_by_role("button", name="No").click()
    assert len(sim.get("/calls")) == 1
    page.get_by_role("button", name="Reset the PBX…").click()
    page.get_by_role("button", name="Yes, reset").click()
    expect(page.locator("#call-rows tr")).to_have_count(0, timeout=WAIT)
    assert sim.get("/calls") == []


def test_serve_prints_the_console_address() -> None:
    # A server of its own: the shared one keeps only its latest output lines.
    with ServerProcess() as own:
        wait_until(lambda: any(line.startswith("console: ") for line in own.output))
        lines = list(own.output)
    at = next(i for i, line in enumerate(lines) if line.startswith("yspbx listening on "))
    assert lines[at] == f"yspbx listening on {own.url}"
    assert lines[at + 1] == f"console: {own.url}/console"
