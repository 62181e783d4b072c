"""Browser tests: a real `streamlit run` on a free port, driven by Debian's Chromium.

Each test module gets its own app process on its own copy of the demo data, started
offline (FLAECHENPOOL_OFFLINE=1: no external base maps). Without Chromium the tests
are skipped locally and fail in CI (CI=true), where .ci/run installs it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.access import users
from tests.conftest import REPO, copy_demo_data

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def app_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_demo_data(tmp_path_factory.mktemp("e2e") / "data")


@pytest.fixture(scope="module")
def app_env(app_data: Path) -> dict[str, str]:
    """Environment of the app process; a module may override this fixture to add more."""
    return {"FLAECHENPOOL_DATA": str(app_data), "FLAECHENPOOL_OFFLINE": "1"}


def env_with_accounts(app_data: Path, password: str, *names: str) -> dict[str, str]:
    """The app's environment (:func:`app_env`) with the demo accounts *names* (``users.DEMO_USERS``), each
    with *password*; for a module's own ``app_env`` fixture."""
    accounts = app_data / "users-e2e.json"
    for name, role, ags, display in users.DEMO_USERS:
        if name in names:
            users.add(name, password, role=role, ags=ags, display_name=display, path=accounts, rounds=4)
    return {"FLAECHENPOOL_DATA": str(app_data), "FLAECHENPOOL_OFFLINE": "1", "FLAECHENPOOL_USERS": str(accounts)}


@contextlib.contextmanager
def running_app(app_env: dict[str, str], log_dir: Path) -> Iterator[str]:
    """`streamlit run app.py` with *app_env* on a free port until the block ends; yields its URL."""
    port = _free_port()
    log = log_dir / f"streamlit-{port}.log"
    env = {**os.environ, **app_env}
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start:\n{log.read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def app_url(app_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_app(app_env, tmp_path_factory.mktemp("log")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI (.ci/run installs Debian's chromium)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url: str):
    """A fresh 1440×900 page; every request that leaves localhost is recorded."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="de-DE")
    pg = context.new_page()
    pg.external_requests = []
    pg.dialogs = []

    def _record(request):
        if not request.url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:")):
            pg.external_requests.append(request.url)

    pg.on("request", _record)
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


def wait_for_app(pg, timeout: float = 30_000) -> None:
    """Wait until the script run has finished and the page is idle."""
    pg.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    pg.wait_for_timeout(300)
    pg.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)


def sign_in(pg, name: str, password: str) -> None:
    """Sign in through the sidebar's form (it posts to ``/anmeldung``, which sets the cookie and sends the
    browser back to the same page). Someone else signed in is signed out first."""
    sign_out = pg.get_by_role("button", name="Abmelden")
    if sign_out.is_visible():
        with pg.expect_navigation():
            sign_out.click()
        wait_for_app(pg)
    if not pg.get_by_label("Benutzername").is_visible():
        pg.get_by_text("Anmeldung", exact=True).click()
    pg.get_by_label("Benutzername").fill(name)
    pg.get_by_label("Passwort", exact=True).fill(password)
    with pg.expect_navigation():
        pg.get_by_role("button", name="Anmelden").click()
    wait_for_app(pg)


def screenshot(pg, name: str) -> Path:
    """Save a screenshot under the pytest temp folder (docs/ holds the chosen ones)."""
    out = Path(os.environ.get("FLAECHENPOOL_SCREENSHOTS", REPO / ".screenshots"))
    out.mkdir(exist_ok=True)
    path = out / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    return path
