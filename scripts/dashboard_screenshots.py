"""Take the dashboard screenshots shown in docs/dashboard.md.

Starts a cfaccounts server with the demo data on a free port (in this process), makes a
few calls so the request log has something to show, and photographs each main view with
Debian's Chromium through Playwright. Run from the repository root:

    python scripts/dashboard_screenshots.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from playwright.sync_api import sync_playwright

from cfaccounts import Settings
from cfaccounts.server import bind, build_app

OUT = Path(__file__).resolve().parent.parent / "docs" / "img"
ADMIN = "screenshot-admin-token-0123456789abcdef0123456789"
ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"


def main() -> int:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("Chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    tmp = Path(tempfile.mkdtemp())
    settings = Settings.from_env(
        env={},
        database_url=f"sqlite:///{tmp / 'shots.sqlite3'}",
        admin_token=ADMIN,
        demo=True,
        log_level="warning",
    )
    app = build_app(settings)
    sock = bind("127.0.0.1", 0)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True
    )
    thread.start()
    while not server.started:
        time.sleep(0.01)
    base = url + "/client/v4"
    key = {
        "X-Auth-Email": "user@example.com",
        "X-Auth-Key": "144c9defac04969c7bfad8efaa8ea194",
    }
    httpx.get(f"{base}/accounts/{ACCOUNT}", headers=key)
    httpx.get(
        f"{base}/accounts/{ACCOUNT}",
        headers={"Authorization": "Bearer vLkX0nq2PfbM8Zc3T5rWy7Hs1Gd4Jk6Ne9Qa0Ubo"},
    )
    httpx.get(
        f"{base}/accounts/{'e' * 32}",
        headers={
            "Authorization": "Bearer cfat_Wq8Lr2Zx5Cv7Bn1Mk4Jh6Gf9Ds3Ap0Oi2Uy5Te8R"
        },
    )
    httpx.get(
        f"{base}/accounts/{ACCOUNT}", headers={"Authorization": "Bearer " + "x" * 40}
    )
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url + "/_cfaccounts/ui")
        page.screenshot(path=str(OUT / "dashboard-signin.png"))
        page.get_by_label("Admin token").fill(ADMIN)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("row", name="Demo Account").click()
        page.get_by_text("account settings reader").wait_for()
        page.screenshot(path=str(OUT / "dashboard-accounts.png"), full_page=True)
        page.get_by_role("tab", name="Users").click()
        page.get_by_role("row", name="user@example.com").click()
        page.get_by_text("readonly token").first.wait_for()
        page.screenshot(path=str(OUT / "dashboard-users.png"), full_page=True)
        page.get_by_role("tab", name="Requests").click()
        page.locator("tbody#requests-rows tr", has_text="9109").first.click()
        page.locator("#requests-rows tr:not([hidden]) .decision").first.wait_for()
        page.screenshot(path=str(OUT / "dashboard-requests.png"), full_page=True)
        page.get_by_role("tab", name="Actions").click()
        page.screenshot(path=str(OUT / "dashboard-actions.png"), full_page=True)
        browser.close()
    server.should_exit = True
    thread.join(10)
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
