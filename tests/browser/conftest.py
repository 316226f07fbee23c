"""A live Winnow server in a thread and a real headless Chromium driven by Playwright.

Chromium is Debian's (``/usr/bin/chromium``): Playwright cannot download its
own browser on these machines. Without it the browser tests skip (fail under CI=true)."""

from __future__ import annotations

import shutil
import socket
import threading
from pathlib import Path

import pytest
import uvicorn

from app.main import create_app
from tests.conftest import skip_or_fail

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def live_server(settings):
    # As `winnow serve` runs it: background jobs in the web process.
    application = create_app(settings.model_copy(update={"run_worker": True}))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        threading.Event().wait(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    application.state.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if shutil.which("chromium") is None and not Path(CHROMIUM).exists():
        skip_or_fail("Chromium is not installed: run `make test` as root, or `apt-get install chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    opened = context.new_page()
    yield opened
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
