"""Make ``docs/img/console.png`` from the real page (``python -m tests.console.screenshot``).

A fresh server on the memory store, a scene played through the control plane and the API (an
application logged in with a receiver, a call answered, another ringing, an IP locked out),
then the console in Debian's headless chromium, as the browser tests drive it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from tests.console.test_console_browser import ARGS, CHROMIUM, WAIT
from tests.support.helpers import Api, Sim
from yspbx.testing import ReportCollector, ServerProcess

TARGET = Path(__file__).resolve().parents[2] / "docs" / "img" / "console.png"


def scene(url: str, collector: ReportCollector) -> None:
    sim, api = Sim(url), Api(url)
    api.token(port=str(collector.port))
    first = sim.post("/calls", {"from": "0612345678", "to": "5503301", "trunk": "SIP-Carrier"})
    sim.post(f"/calls/{first['callid']}/answer", {})
    intruder = Api(url, "127.0.0.77")
    for _ in range(5):
        intruder.login(password="0" * 32)
    for closing in (intruder, api, sim):
        closing.close()


def main() -> int:
    with ReportCollector() as collector, ServerProcess() as server, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(server.url + "/console")
        expect(page.locator("body")).to_have_attribute("data-link", "live", timeout=WAIT)
        scene(server.url, collector)
        page.get_by_role("button", name="+1 min").click()
        expect(page.locator("#fired li").last).to_contain_text("timers", timeout=WAIT)
        sim = Sim(server.url)
        sim.post("/calls", {"from": "1001", "to": "1002"})
        sim.close()
        page.locator(".phone[data-number='1002']").click()
        expect(page.locator("#phone-h")).to_contain_text("ringing", timeout=WAIT)
        expect(page.locator("#blocked")).to_contain_text("127.0.0.77", timeout=WAIT)
        expect(page.locator("#report-rows tr.delivered").first).to_be_visible(timeout=WAIT)
        page.wait_for_timeout(300)  # let the last burst of events settle on the page
        TARGET.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(TARGET), full_page=True)
        browser.close()
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
