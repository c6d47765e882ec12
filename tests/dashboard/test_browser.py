"""The dashboard in real headless browsers, Debian's Chromium and Firefox ESR, both
driven by Playwright without downloading a browser: sign in, see the seeded account,
read why a call was refused, disable a token and watch the next call fail, reset.

Firefox is driven over WebDriver BiDi (Playwright's ``moz-firefox`` channel), so the
Playwright release must speak the BiDi commands the installed Firefox ESR knows; the
``test`` extra pins that range."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ..conftest import (
    ADMIN_TOKEN,
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN,
    RunningServer,
    bearer,
)

playwright = pytest.importorskip("playwright.sync_api")

EXECUTABLES = {
    "chromium": shutil.which("chromium") or shutil.which("chromium-browser"),
    "firefox": shutil.which("firefox-esr"),
}
PACKAGES = {"chromium": "chromium", "firefox": "firefox-esr"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    """One Playwright driver for the module; it launches each browser in turn."""
    with playwright.sync_playwright() as p:
        yield p


@pytest.fixture(scope="module", params=sorted(EXECUTABLES))
def browser(request: pytest.FixtureRequest, driver) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """Every test runs once per browser. A developer without one of them skips its
    half; CI (``CI`` set) installs both, so there a missing browser is a failure."""
    name: str = request.param
    executable = EXECUTABLES[name]
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must install Debian's {PACKAGES[name]} package")
        pytest.skip(f"{name} is not installed (apt-get install {PACKAGES[name]})")
    if name == "chromium":
        b = driver.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    else:
        b = driver.firefox.launch(
            channel="moz-firefox", executable_path=executable, headless=True
        )
    yield b
    b.close()


@pytest.fixture
def page(browser, server: RunningServer):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(server.url + "/_cfaccounts/ui")
    yield page
    context.close()


def screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Saved outside the repository's tracked files, one per browser, for a human to
    compare the two renderings after a run."""
    ARTIFACTS.mkdir(exist_ok=True)
    browser = page.context.browser.browser_type.name
    page.screenshot(path=str(ARTIFACTS / f"{name}-{browser}.png"), full_page=True)


def sign_in(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Admin token").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("tab", name="Accounts").wait_for()


def test_wrong_token_is_refused_with_the_server_message(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Admin token").fill("not-the-token")
    page.get_by_role("button", name="Sign in").click()
    playwright.expect(page.locator("#message")).to_contain_text("Authentication error")


def test_sign_in_and_see_the_seeded_account(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page)
    row = page.get_by_role("row", name="Demo Account")
    playwright.expect(row).to_be_visible()
    row.click()
    playwright.expect(page.get_by_text("account settings reader")).to_be_visible()
    screenshot(page, "dashboard-account")


def test_a_refused_call_opens_to_its_reason(page, server: RunningServer) -> None:  # type: ignore[no-untyped-def]
    server.app.services.request_log.clear()
    httpx.get(
        f"{server.base_url}/accounts/{'e' * 32}", headers=bearer(DEMO_ACCOUNT_TOKEN)
    )
    sign_in(page)
    page.get_by_role("tab", name="Requests").click()
    page.get_by_label("Status", exact=True).select_option("4xx")
    page.get_by_role("button", name="Filter").click()
    row = page.get_by_role("row", name="403")
    row.click()
    decision = page.locator(".decision")
    playwright.expect(decision).to_contain_text("account token of another account")
    playwright.expect(decision).to_contain_text("Account Settings Read")
    screenshot(page, "dashboard-requests")


def test_disable_a_token_then_reset(page, server: RunningServer) -> None:  # type: ignore[no-untyped-def]
    details = f"{server.base_url}/accounts/{DEMO_ACCOUNT}"
    assert httpx.get(details, headers=bearer(DEMO_ACCOUNT_TOKEN)).status_code == 200
    sign_in(page)
    page.get_by_role("row", name="Demo Account").click()
    page.get_by_role("button", name="Disable token account settings reader").click()
    playwright.expect(page.locator("#message")).to_contain_text("is now disabled")
    assert httpx.get(details, headers=bearer(DEMO_ACCOUNT_TOKEN)).status_code == 401
    page.get_by_role("tab", name="Actions").click()
    page.get_by_role("button", name="Reset to the start-up seeds…").click()
    playwright.expect(page.locator("#message")).to_contain_text("Reset done")
    assert httpx.get(details, headers=bearer(DEMO_ACCOUNT_TOKEN)).status_code == 200


def test_keyboard_moves_between_views(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page)
    page.get_by_role("tab", name="Accounts").focus()
    page.keyboard.press("ArrowRight")
    playwright.expect(page.get_by_role("tab", name="Users")).to_have_attribute(
        "aria-selected", "true"
    )
    playwright.expect(page.get_by_role("heading", name="Users")).to_be_visible()


def test_add_and_remove_a_fault_rule(page, server: RunningServer) -> None:  # type: ignore[no-untyped-def]
    details = f"{server.base_url}/accounts/{DEMO_ACCOUNT}"
    sign_in(page)
    page.get_by_role("tab", name="Actions").click()
    page.get_by_label("Times").fill("1")
    page.get_by_role("button", name="Add rule").click()
    playwright.expect(page.locator("#message")).to_contain_text("Fault rule added")
    failed = httpx.get(details, headers=bearer(DEMO_ACCOUNT_TOKEN))
    assert failed.status_code == 503
    assert failed.json()["errors"][0]["code"] == 10503
    assert httpx.get(details, headers=bearer(DEMO_ACCOUNT_TOKEN)).status_code == 200
    page.get_by_label("Times").fill("")
    page.get_by_role("button", name="Add rule").click()
    permanent = page.locator("#fault-rows tr", has_text='"count":null')
    playwright.expect(permanent).to_have_count(1)
    assert httpx.get(details, headers=bearer(DEMO_ACCOUNT_TOKEN)).status_code == 503
    permanent.get_by_role("button", name=re.compile("^Remove fault")).click()
    playwright.expect(page.locator("#message")).to_contain_text("Fault rule removed")
    rules = server.admin("GET", "/faults").json()["result"]
    assert all(rule["count"] is not None for rule in rules)
    assert httpx.get(details, headers=bearer(DEMO_ACCOUNT_TOKEN)).status_code == 200


WORDS_SPLIT_ACROSS_LINES = """() => {
  const split = [];
  for (const cell of document.querySelectorAll("th, .pill")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        if (range.getClientRects().length > 1) split.push(word[0]);
      }
    }
  }
  return split;
}"""


def test_column_headers_and_status_pills_keep_their_words_whole(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page)
    page.get_by_role("row", name="Demo Account").click()
    playwright.expect(page.get_by_text("account settings reader")).to_be_visible()
    assert page.evaluate(WORDS_SPLIT_ACROSS_LINES) == []
    page.get_by_role("tab", name="Requests").click()
    heading = page.get_by_role("heading", name="Recent requests")
    playwright.expect(heading).to_be_visible()
    assert page.evaluate(WORDS_SPLIT_ACROSS_LINES) == []
