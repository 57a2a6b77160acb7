"""The pages in a real browser: Playwright drives the system's Chromium (never a browser of Playwright's own)
against the app served by uvicorn on a free loopback port. A municipality's day by keyboard alone, one
municipality trying another's pages and forms, a form without its CSRF token, an expired session, and
axe-core (vendored under tests/vendor) on every page with no WCAG 2.1 A/AA violation.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from matcher.storage.models import ApiKey
from web_support import (  # noqa: F401 - week is a fixture
    OTHER,
    OWN,
    SESSION_COOKIE,
    Week,
    broken_workbook,
    expired_cookie,
    free_port,
    week,
)
from workflow_fill import WEEK_XLSX

pytestmark = pytest.mark.browser

AXE = (Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js").read_text()
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
MAX_TABS = 60  # a keyboard user reaches any control of these pages in fewer presses
STARTUP_TIMEOUT_S = 30.0
SOLVE_TIMEOUT_MS = 120_000  # the coordinator's week solves in seconds; a busy shared machine may take longer
SCREENSHOTS = os.environ.get("MATCHER_WEB_SCREENSHOTS")  # a folder: the README's pictures are taken here


def chromium_path() -> str:
    found = os.environ.get("MATCHER_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("headless Chromium is missing: apt-get install -y chromium (scripts/ensure-chromium.sh)")
    return found


@pytest.fixture(scope="module")
def site(week: Week) -> Iterator[str]:
    """The week's app (already started by its TestClient) served over real HTTP as well."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(week.service.client.app, host="127.0.0.1", port=port, lifespan="off",
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def assert_accessible(page: Page) -> None:
    page.add_script_tag(content=AXE)
    violations: list[dict[str, Any]] = page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations
               .map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))""", WCAG_AA)
    assert violations == [], f"{page.url}: {violations}"


def focused(page: Page) -> dict[str, str]:
    return page.evaluate("""() => { const e = document.activeElement;
        return {id: e.id, tag: e.tagName, text: (e.textContent || '').trim(), cls: e.className,
                form: e.form ? e.form.action : ''}; }""")


def tab_to(page: Page, wanted: dict[str, str]) -> None:
    """Press Tab until the focused element has every property of ``wanted`` (as a keyboard user would)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        now = focused(page)
        if all(now.get(key) == value for key, value in wanted.items()):
            return
    raise AssertionError(f"Tab never reached {wanted}")


def press_and_wait(page: Page, key: str) -> None:
    """Press a key that submits a form, and wait for the page that answers."""
    with page.expect_navigation():
        page.keyboard.press(key)


def sign_in(page: Page, site: str, key: str) -> None:
    page.goto(f"{site}/app/")
    tab_to(page, {"id": "api_key"})
    page.keyboard.type(key)
    press_and_wait(page, "Enter")


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.set_viewport_size({"width": 1000, "height": 900})
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"))


def key_id_of(week: Week, code: str) -> str:
    with week.service.database.session() as db:
        return next(k.id for k in db.query(ApiKey) if k.municipality == code)


def test_a_municipalitys_day_by_keyboard(week: Week, site: str, page: Page) -> None:
    page.goto(f"{site}/app/")
    assert page.url.endswith("/app/sign-in?expired=1")
    assert_accessible(page)
    page.keyboard.press("Tab")
    assert focused(page)["cls"] == "skip-link"
    sign_in(page, site, week.service.key(OWN))
    assert page.url.endswith(f"/app/municipality/{OWN}")
    assert_accessible(page)
    accepted_before = int(page.inner_text("#figure-accepted"))
    (h1, d1), (h2, d2) = week.pairs_of(OWN)[-2:]
    first = len(week.pairs_of(OWN)) - 2
    decide = f"{site}/app/municipality/{OWN}/decisions"

    tab_to(page, {"id": f"reason-{first}"})  # decline without a reason: the error summary links to the field
    tab_to(page, {"text": "Afwijzen", "form": decide})
    press_and_wait(page, "Enter")
    assert page.locator("#error-summary").is_visible()
    assert focused(page)["id"] == "error-summary"  # read first, and its link is the next Tab away
    assert page.get_attribute(f"#error-summary a[href='#reason-{first}']", "href")
    assert page.get_attribute(f"#reason-{first}", "aria-invalid") == "true"
    assert_accessible(page)

    tab_to(page, {"id": f"reason-{first}"})
    page.keyboard.type("Te ver van het werk van de moeder")
    tab_to(page, {"text": "Afwijzen"})
    press_and_wait(page, "Enter")
    assert "is opgeslagen" in page.inner_text("[role=status]")
    tab_to(page, {"id": f"reason-{first + 1}"})
    tab_to(page, {"text": "Accepteren"})
    press_and_wait(page, "Enter")
    history = page.inner_text("#history-title ~ table")
    assert h1 in history and "Te ver van het werk van de moeder" in history and h2 in history
    persons = week.service.get(f"/v1/municipalities/{OWN}/progress", OWN).json()["accepted"]
    assert int(page.inner_text("#figure-accepted")) == persons > accepted_before
    assert_accessible(page)
    screenshot(page, "web-municipality")


def test_one_municipality_cannot_reach_anothers_pages_or_forms(week: Week, site: str, page: Page) -> None:
    sign_in(page, site, week.service.key(OWN))
    response = page.goto(f"{site}/app/municipality/{OTHER}")
    assert response is not None and response.status == 404
    assert_accessible(page)
    page.goto(f"{site}/app/municipality/{OWN}")
    household, dwelling = week.pairs_of(OTHER)[0]
    status = page.evaluate("""async ([url, fields]) => {
        const body = new FormData(document.querySelector('form[action$="/decisions"]'));
        for (const [name, value] of Object.entries(fields)) body.set(name, value);
        return (await fetch(url, {method: 'POST', body})).status; }""",
                           [f"{site}/app/municipality/{OTHER}/decisions",
                            {"household": household, "dwelling": dwelling, "decision": "accept"}])
    assert status == 404
    other = week.service.get(f"/v1/solves/{week.solve_id}/decisions").json()["items"]
    assert not [d for d in other if d["dwelling"] == dwelling]
    assert dwelling not in page.content()


def test_a_form_without_its_csrf_token_gets_a_clear_403(week: Week, site: str, page: Page) -> None:
    sign_in(page, site, week.service.key(OWN))
    before = len(week.service.get(f"/v1/solves/{week.solve_id}/decisions", OWN).json()["items"])
    page.evaluate("""() => { const form = document.querySelector('form[action$="/decisions"]');
        form.querySelector('input[name=csrf_token]').remove(); form.requestSubmit(form.querySelector('button')); }""")
    page.wait_for_url("**/decisions")
    assert "CSRF" in page.inner_text("main")
    assert_accessible(page)
    assert len(week.service.get(f"/v1/solves/{week.solve_id}/decisions", OWN).json()["items"]) == before


def test_an_expired_session_leads_back_to_sign_in(week: Week, site: str, page: Page) -> None:
    settings = week.service.settings
    cookie = expired_cookie(settings.session_secret, {"key_id": key_id_of(week, OWN)}, settings.session_seconds + 60)
    page.context.add_cookies([{"name": SESSION_COOKIE, "value": cookie, "url": site}])
    page.goto(f"{site}/app/municipality/{OWN}")
    assert "/app/sign-in" in page.url and "verlopen" in page.inner_text("main")
    assert_accessible(page)


def test_the_coordinators_overview_in_english(week: Week, site: str, page: Page) -> None:
    sign_in(page, site, week.service.key("coordinator"))
    tab_to(page, {"text": "English"})
    press_and_wait(page, "Enter")
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator(f"a[href='/app/municipality/{OTHER}']").count() == 1
    assert_accessible(page)
    screenshot(page, "web-coordinator")


def submit_by_keyboard(page: Page, button_text: str) -> None:
    tab_to(page, {"text": button_text, "tag": "BUTTON"})
    press_and_wait(page, "Enter")


def test_the_coordinators_week_upload_fix_solve_live(week: Week, site: str, page: Page, tmp_path: Path) -> None:
    sign_in(page, site, week.service.key("coordinator"))
    page.goto(f"{site}/app/week")
    assert_accessible(page)
    (tmp_path / "week.xlsx").write_bytes(broken_workbook(tmp_path))
    page.set_input_files("#lists", str(tmp_path / "week.xlsx"))
    submit_by_keyboard(page, "Inlezen")
    assert "blad woningen, rij 3, kolom slaapkamers" in page.inner_text("#problems")
    assert focused(page)["id"] == "error-summary"
    assert page.get_attribute("#lists", "aria-invalid") == "true"
    assert_accessible(page)
    page.set_input_files("#lists", str(WEEK_XLSX))
    submit_by_keyboard(page, "Inlezen")
    assert "/app/instances/" in page.url
    assert_accessible(page)
    submit_by_keyboard(page, "Voorstel berekenen")
    assert "/app/solves/" in page.url
    assert page.locator("#cancel-form").is_visible() or page.inner_text("#solve-status") == "klaar"
    page.locator("#solve-done").wait_for(state="visible", timeout=SOLVE_TIMEOUT_MS)
    assert page.inner_text("#solve-status") == "klaar"
    assert page.locator("#replan-form").is_visible() and page.locator("#cancel-form").is_hidden()  # no reload
    assert page.locator("#solve-progress tbody tr").count() > 0  # the objectives, written from the events
    assert "personen gehuisvest" in page.inner_text("#solve-progress")
    assert_accessible(page)
    screenshot(page, "web-solve")
    with page.expect_navigation():
        page.click("#solve-done a[href$='/report']")
    assert page.url.endswith("/report") and page.get_attribute("html", "lang") == "nl"


def test_the_coordinator_replans_and_reads_the_audit_trail(week: Week, site: str, page: Page) -> None:
    sign_in(page, site, week.service.key("coordinator"))
    page.goto(f"{site}/app/solves/{week.solve_id}")
    page.locator("#solve-done").wait_for(state="visible")
    submit_by_keyboard(page, "Opnieuw plannen")
    new_solve = page.url.rsplit("/", 1)[-1]
    assert new_solve != week.solve_id
    assert week.service.get(f"/v1/solves/{new_solve}").json()["parent_solve_id"] == week.solve_id
    assert_accessible(page)
    page.goto(f"{site}/app/audit")
    assert new_solve in page.inner_text("#audit")
    assert_accessible(page)
