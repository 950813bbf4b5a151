"""The desk in a real browser: Playwright driving Debian's Chromium against uvicorn on a free
loopback port, over a seeded SQLite database.

1. A collector (desk in Spanish) logs in, claims the next case with the `n` key, sees the
   compliance verdict and the talk track in the debtor's language, asks the objection box,
   records a promise and proposes a plan that needs a supervisor.
2. The team lead (desk in Chinese) approves a plan waiting for a supervisor on the
   supervisor's view.

Screenshots go to test-artifacts/desk/ (git-ignored). Playwright never downloads a browser
here: the test uses /usr/bin/chromium and is skipped, with the reason, when it is absent.
"""

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import select

from api_support import FAST_HASHER, api_app
from arrears.adapters.store import workflow_tables as w
from arrears.adapters.store.migrate import upgrade
from arrears.adapters.strategy_files import load_strategy
from arrears.entrypoints.api import create_app
from arrears.services import security
from arrears.services.arrangements import propose_arrangement
from desk_support import DAY, PASSWORD, DeskBook, seed_desk

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "desk"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, object]]:
    """uvicorn serving the desk over a freshly migrated and seeded SQLite file."""
    url = f"sqlite:///{tmp_path_factory.mktemp('desk') / 'desk.db'}"
    upgrade(url)
    app = api_app(url)
    saved = security._hasher
    security._hasher = FAST_HASHER
    try:
        seed_desk(app)
    finally:
        security._hasher = saved
    port = free_port()
    config = uvicorn.Config(
        create_app(app), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        app.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only this test needs it

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/desk/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def arrangements(app, case_id: str) -> list[tuple[str, str | None]]:
    with app.engine.connect() as conn:
        found = conn.execute(
            select(w.arrangements.c.status, w.arrangements.c.decided_by).where(
                w.arrangements.c.case_id == case_id
            )
        )
        return [(r.status, r.decided_by) for r in found]


def test_a_collector_claims_sees_verdict_and_track_and_records_a_promise(server, browser):
    base, app = server
    book = DeskBook()
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="es-ES")
    try:
        log_in(page, base, book.ana)
        assert page.url.endswith("/desk")
        assert page.locator("h1").first.inner_text().startswith("Lista de trabajo de hoy")
        page.screenshot(path=ARTIFACTS / "1-worklist-es.png", full_page=True)

        page.keyboard.press("n")  # the claim shortcut
        page.wait_for_url(f"**/desk/case/{book.mine}")
        verdict = page.get_by_test_id("verdict")
        assert verdict.is_visible()
        assert page.get_by_test_id("verdict-decision").inner_text() in {"ALLOW", "BLOCK", "FLAG"}
        assert "Dictamen de cumplimiento" in verdict.inner_text()
        assert page.get_by_test_id("talk-language").inner_text() == "Español"
        assert page.get_by_test_id("track-text").inner_text().startswith("Le llamo porque")
        page.screenshot(path=ARTIFACTS / "2-case-verdict-track.png", full_page=True)

        page.keyboard.press("t")  # the objection box
        page.keyboard.type("ahora mismo no tengo dinero")
        page.keyboard.press("Control+Enter")
        page.wait_for_load_state()
        suggestion = page.get_by_test_id("suggestion")
        assert "no_money_now" in suggestion.inner_text()
        page.screenshot(path=ARTIFACTS / "3-objection-suggestion.png", full_page=True)

        due = (DAY + dt.timedelta(days=2)).isoformat()
        page.fill("input[name=due_1]", due)
        page.fill("input[name=amount_1]", "150,50")
        page.get_by_test_id("record-promise").click()
        page.wait_for_load_state()
        assert page.get_by_test_id("notice").inner_text().strip() == "Promesa registrada."
        promises = page.get_by_test_id("promises").inner_text()
        assert "150,50" in promises
        assert "pending" in promises

        form = page.get_by_test_id("arrangement-form")
        form.locator("input[name=first_due]").fill((DAY + dt.timedelta(days=7)).isoformat())
        form.locator("input[name=instalments]").fill("5")
        page.get_by_test_id("propose-arrangement").click()
        page.wait_for_load_state()
        assert "pending_approval" in page.get_by_test_id("arrangements").inner_text()
        page.screenshot(path=ARTIFACTS / "4-promise-and-plan.png", full_page=True)
    finally:
        page.close()
    assert arrangements(app, book.mine) == [("pending_approval", None)]


def test_a_supervisor_approves_the_arrangement(server, browser):
    base, app = server
    book = DeskBook()
    # beto's plan, proposed through the service: independent of the other test's order
    proposed = propose_arrangement(
        app.uow_factory,
        book.other,
        kind="plan",
        as_of=DAY,
        first_due=DAY + dt.timedelta(days=7),
        instalments=5,
        frequency="monthly",
        actor_id=book.beto,
        actor_role="collector",
        strategy=load_strategy(),
    )
    plan_id = proposed.arrangement.arrangement_id
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    try:
        log_in(page, base, book.lead)
        assert page.url.endswith("/desk/supervisor")
        assert "待审批" in page.get_by_test_id("approvals").inner_text()
        page.screenshot(path=ARTIFACTS / "5-supervisor-zh.png", full_page=True)
        page.get_by_test_id(f"decide-{plan_id}").get_by_test_id("approve").click()
        page.wait_for_load_state()
        assert page.get_by_test_id("notice").inner_text().strip() == "还款安排已批准。"
        assert page.get_by_test_id(f"decide-{plan_id}").count() == 0
        page.screenshot(path=ARTIFACTS / "6-approved.png", full_page=True)
        page.goto(f"{base}/desk/dashboard")
        assert page.get_by_test_id("chart-buckets").is_visible()
        page.screenshot(path=ARTIFACTS / "7-dashboard.png", full_page=True)
    finally:
        page.close()
    assert arrangements(app, book.other) == [("active", book.lead)]
