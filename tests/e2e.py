"""Helpers to run the app server and Debian's Chromium (driven by Playwright) for real-browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run` on a port of this machine, stoppable and restartable."""

    def __init__(self, script: Path, database_url: str, port: int | None = None, log: Path | None = None):
        self.script, self.database_url = script, database_url
        self.port = port or free_port()
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        env = {**os.environ, "DATABASE_URL": self.database_url, "PYTHONPATH": str(ROOT)}
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(self.script), "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the app server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None


@contextmanager
def running(script: Path, database_url: str, log: Path | None = None) -> Iterator[Server]:
    server = Server(script, database_url, log=log)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def browser(width: int = 1280, height: int = 1600) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = instance.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(30_000)
            yield page
        finally:
            instance.close()


def wait_idle(page, settle: float = 0.15) -> None:
    """Wait until Streamlit has finished the run triggered by the last action."""
    time.sleep(settle)  # the run may not have started yet when the click returns
    page.wait_for_selector(IDLE, timeout=30_000)


WATCH_RUN = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  window.__runDone = new Promise((resolve) => {
    let sawRunning = false;
    const observer = new MutationObserver(() => {
      const s = app.getAttribute('data-test-script-state');
      if (s === 'running') sawRunning = true;
      if (sawRunning && s === 'notRunning') { observer.disconnect(); resolve(performance.now()); }
    });
    observer.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  });
  window.__clickedAt = performance.now();
}"""


def click_and_wait(page, locator) -> float:
    """Click, wait for the rerun it triggers to finish; return the milliseconds it took in the browser."""
    page.evaluate(WATCH_RUN)
    locator.click()
    done = page.evaluate("window.__runDone")
    page.wait_for_selector(IDLE)
    return float(done - page.evaluate("window.__clickedAt"))
