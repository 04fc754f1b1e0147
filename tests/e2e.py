"""Helpers to run the app server and Debian's Chromium (driven by Playwright) for real-browser tests.

Every wait here is bounded and says what it waited for when it gives up.

How a test knows that the run a click triggered has finished: pages opened by `browser()` or
`new_page()` carry a small watcher (RUN_WATCH) that reads the app's own WebSocket traffic. It sees
each rerun request the page sends (widget changes, not the timers of `st.fragment(run_every=...)`)
and each run the server starts and finishes (`new_session`, `script_finished`, with the run's id and
fragments). A request is done when a run that started after it, and covers its fragment, has
finished; or, if that run was stopped early for another request (Streamlit 1.67 lets the request
of a `run_every` timer cut a click's fragment run short, and then reruns only the timer's
fragment), when the next run has finished. The `data-test-script-state` attribute of the page alone
is not enough: when a run is short, the page can go from `notRunning` to `notRunning` without ever
showing `running`, and a wait for `running` then never ends.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
TIMEOUT = 30.0  # seconds: the default bound of every wait below
LOST_CLICK = 5.0  # seconds: a click that sent no request by then was not taken by the page


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


try:  # resolved here, in the parent: the child only calls it
    _prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None
except (OSError, AttributeError):
    _prctl = None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, between fork and exec
    """Linux: the server gets SIGTERM if the process that started it dies (a killed run leaves no server)."""
    if _prctl is not None:
        _prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Server:
    """`streamlit run` on a port of this machine, stoppable and restartable.

    `address`: given to `--server.address`; None leaves it to .streamlit/config.toml (the hardening
    test checks what the configuration alone binds). The health check asks 127.0.0.1 either way.
    `env`: more environment variables for the server (the app's test knobs, AUTODIAG_*).
    """

    def __init__(
        self,
        script: Path,
        database_url: str,
        port: int | None = None,
        log: Path | None = None,
        address: str | None = "127.0.0.1",
        env: dict[str, str] | None = None,
    ):
        self.script, self.database_url = script, database_url
        self.env = dict(env or {})
        self.port = port or free_port()
        self.log = log
        self.address = address
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        env = {**os.environ, **self.env, "DATABASE_URL": self.database_url, "PYTHONPATH": str(ROOT)}
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        command = [sys.executable, "-m", "streamlit", "run", str(self.script), "--server.headless", "true",
                   "--server.port", str(self.port), "--browser.gatherUsageStats", "false"]  # fmt: skip
        if self.address is not None:
            command += ["--server.address", self.address]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if _prctl is not None else None,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        return
            except OSError:
                time.sleep(0.2)
        code = self.process.poll()
        self.stop()
        ended = (
            f"it exited with code {code}"
            if code is not None
            else f"no 'ok' from /_stcore/health within {timeout:.0f} s"
        )
        raise RuntimeError(
            f"the app server for {self.script.name} did not start on port {self.port}: {ended}"
            + (f" (log: {self.log})" if self.log else "")
        )

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
            self.process = None


@contextmanager
def running(script: Path, database_url: str, log: Path | None = None, **options: Any) -> Iterator[Server]:
    """A started Server (options: those of Server), stopped on the way out."""
    server = Server(script, database_url, log=log, **options)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# Injected into every page before the app's own code: wraps WebSocket to read (never change) the
# protobuf messages. Top-level fields only, plus the few nested ones named below (field numbers from
# streamlit/proto: ForwardMsg, ForwardMsgMetadata, RunIdentity, SessionStatus, BackMsg, ClientState).
RUN_WATCH = """(() => {
  if (window.__stRuns) return;
  const runs = {
    requests: [],        // rerun requests sent by the page: {fragment, seq, sentAt, doneAt, status, cutShort}
    started: {},         // script_run_id -> sequence number of its new_session
    running: false,      // the server's own word (session_status_changed.script_is_running)
    finished: 0,         // runs finished, whatever their cause (timers included)
    lastFinish: null,    // {status, fragments, at} of the last finished run
    clickAt: null, armed: false, seq: 0,
    log: [],             // the last events, for the message of a failed wait
  };
  function note(entry) { runs.log.push(entry); if (runs.log.length > 80) runs.log.shift(); }
  Object.defineProperty(window, '__stRuns', {value: runs});
  const text = new TextDecoder();
  function varint(bytes, pos) {
    let value = 0, factor = 1, byte;
    do { byte = bytes[pos++]; value += (byte & 0x7f) * factor; factor *= 128; } while (byte & 0x80);
    return [value, pos];
  }
  // {field number: [values]}: a varint as a number, a length-delimited field as a byte array
  function fields(bytes) {
    const out = {};
    let pos = 0;
    while (pos < bytes.length) {
      let tag, value;
      [tag, pos] = varint(bytes, pos);
      const type = tag & 7, number = Math.floor(tag / 8);
      if (type === 0) { [value, pos] = varint(bytes, pos); }
      else if (type === 2) { let n; [n, pos] = varint(bytes, pos); value = bytes.subarray(pos, pos + n); pos += n; }
      else if (type === 1) { pos += 8; continue; }
      else if (type === 5) { pos += 4; continue; }
      else break;  // groups: not used by Streamlit
      (out[number] = out[number] || []).push(value);
    }
    return out;
  }
  function runIdentity(message) {  // ForwardMsg.metadata (2) .run (6): script_run_id (1), fragment_ids (2)
    const run = fields((fields((message[2] || [new Uint8Array()])[0])[6] || [new Uint8Array()])[0]);
    return {id: run[1] ? text.decode(run[1][0]) : '', fragments: (run[2] || []).map((f) => text.decode(f))};
  }
  function received(bytes) {
    const message = fields(bytes);
    const now = performance.now();
    if (message[4]) {  // new_session: a run starts
      const run = runIdentity(message);
      runs.started[run.id] = ++runs.seq;
      note(`${Math.round(now)} start #${runs.seq} ${run.id.slice(0, 8)} [${run.fragments.map((f) => f.slice(0, 6))}]`);
    }
    if (message[9]) {  // session_status_changed
      runs.running = (fields(message[9][0])[2] || [0])[0] === 1;
      note(`${Math.round(now)} ${runs.running ? 'running' : 'not running'}`);
    }
    if (message[6]) {  // script_finished: 0 success, 1 compile error, 2 stopped for a rerun, 3 fragment run success
      const status = message[6][0];
      runs.finished++;
      const run = runIdentity(message);
      runs.lastFinish = {status, fragments: run.fragments, at: now};
      note(`${Math.round(now)} finish ${run.id.slice(0, 8)} status ${status} [${run.fragments.map((f) => f.slice(0, 6))}]`);
      const startSeq = runs.started[run.id];
      for (const request of runs.requests) {
        if (request.doneAt !== null) continue;
        const served = startSeq > request.seq && (run.fragments.length === 0 || run.fragments.includes(request.fragment));
        if (status === 2) {
          // stopped early for another request, which may not rerun this fragment (a fragment
          // timer's request can cut a click's fragment run short): the next finished run settles it
          if (served) request.cutShort = true;
        } else if (served || request.cutShort) {
          request.doneAt = now;
          request.status = request.cutShort ? 2 : status;
        }
      }
    }
  }
  function sent(bytes) {
    const message = fields(bytes);
    if (!message[11]) return;  // BackMsg.rerun_script (ClientState)
    const state = fields(message[11][0]);
    const fragment = state[5] ? text.decode(state[5][0]) : '';
    if ((state[6] || [0])[0] === 1) {  // is_auto_rerun: a fragment's timer, not the person
      note(`${Math.round(performance.now())} timer request [${fragment.slice(0, 6)}]`);
      return;
    }
    runs.requests.push({fragment, seq: ++runs.seq, sentAt: performance.now(), doneAt: null, status: null, cutShort: false});
    note(`${Math.round(performance.now())} request #${runs.seq} [${fragment.slice(0, 6)}]`);
  }
  function bytesOf(data) {
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return null;
  }
  function safely(f, data) { try { const b = bytesOf(data); if (b) f(b); } catch (e) { runs.error = String(e); } }
  const Native = window.WebSocket;
  class Watched extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => safely(received, event.data));
    }
    send(data) { safely(sent, data); return super.send(data); }
  }
  window.WebSocket = Watched;
  window.addEventListener('click', () => {
    if (runs.armed) { runs.armed = false; runs.clickAt = performance.now(); }
  }, true);
})();"""

# The requests sent since the n-th are done, the server runs nothing, the page shows it idle.
_SETTLED = f"""([n]) => {{
  const r = window.__stRuns;
  const mine = r.requests.slice(n);
  if (mine.length === 0 || mine.some((q) => q.doneAt === null) || r.running) return false;
  if (!document.querySelector('{IDLE}')) return false;
  return {{doneAt: Math.max(...mine.map((q) => q.doneAt)), clickAt: r.clickAt, statuses: mine.map((q) => q.status)}};
}}"""

_STATE = """() => { const r = window.__stRuns; return r && {
  requests: r.requests.length, pending: r.requests.filter((q) => q.doneAt === null).length,
  running: r.running, finished: r.finished, error: r.error || null, log: r.log,
  script_state: document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state') ?? 'no app'}; }"""


def _watched(page) -> bool:
    return bool(page.evaluate("() => Boolean(window.__stRuns)"))


def run_state(page) -> dict[str, Any] | None:
    """What the page's run watcher has seen (None: the page has no watcher)."""
    return page.evaluate(_STATE)


def _context(browser_instance, width: int, height: int):
    context = browser_instance.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(TIMEOUT * 1000)
    context.add_init_script(RUN_WATCH)
    return context


@contextmanager
def browser(width: int = 1280, height: int = 1600) -> Iterator[Any]:
    """A page of Debian's Chromium, with the run watcher; the browser is closed on the way out."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, timeout=TIMEOUT * 1000)
        try:
            yield _context(instance, width, height).new_page()
        finally:
            instance.close()


def new_page(page, width: int = 1280, height: int = 1600) -> Any:
    """Another page of the same browser, in its own context (own cookies, own session), with the run watcher."""
    return _context(page.context.browser, width, height).new_page()


def wait_for(page, expression: str, what: str, timeout: float = TIMEOUT, arg: Any = None) -> Any:
    """Wait until the JavaScript `expression` is truthy in the page and return its value; bounded."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        return page.wait_for_function(expression, arg=arg, polling=20, timeout=timeout * 1000).json_value()
    except PlaywrightTimeout:
        raise TimeoutError(f"{what}: still not the case {timeout:.0f} s later on {page.url}") from None


def wait_selector(page, selector: str, what: str, timeout: float = TIMEOUT) -> None:
    """Wait until `selector` is visible in the page; bounded."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_selector(selector, timeout=timeout * 1000)
    except PlaywrightTimeout:
        raise TimeoutError(f"{what}: no {selector!r} within {timeout:.0f} s on {page.url}") from None


def wait_idle(page, settle: float = 0.15, timeout: float = TIMEOUT) -> None:
    """Wait until Streamlit has finished the runs the page asked for (after a load, a reload or an action).

    With the run watcher: every rerun request sent since the page loaded is done, the server runs
    nothing and the page shows it idle. Without (a page not opened by this module): the page shows it
    idle. `settle` is first waited, for an action whose request may not have been sent yet.
    """
    time.sleep(settle)
    if not _watched(page):
        wait_selector(page, IDLE, "Streamlit idle (page without the run watcher)", timeout)
        return
    try:
        wait_for(page, _SETTLED, "the runs asked for by the page finished", timeout, arg=[0])
    except TimeoutError as error:
        raise TimeoutError(f"{error}; watcher: {run_state(page)}") from None


_STILL = """([quiet]) => {
  const main = document.querySelector('[data-testid=stMain]');
  if (!main) return false;
  const seen = `${main.getElementsByTagName('*').length}:${main.scrollHeight}`, now = performance.now();
  const s = window.__stStill;
  if (!s || s.seen !== seen) { window.__stStill = {seen, since: now}; return false; }
  return now - s.since >= quiet;
}"""


def wait_drawn(page, quiet: float = 0.8, timeout: float = TIMEOUT) -> None:
    """Wait until the main area stops changing (as many elements, as tall) for `quiet` seconds; bounded.

    Some widgets (radios of a fragment, charts) appear a moment after the run that drew them has ended,
    so `wait_idle` alone can see a page that is not drawn yet.
    """
    page.evaluate("() => { delete window.__stStill; }")
    wait_for(page, _STILL, f"the page unchanged for {quiet} s", timeout, arg=[quiet * 1000])


def click_and_measure(page, locator, timeout: float = TIMEOUT) -> dict[str, Any]:
    """Click and wait for the rerun it triggers to finish: {"ms": time in the browser, "statuses": [...]}.

    `ms` runs from the click event in the page to the arrival of the server's `script_finished` for
    the run that served the click's request; `statuses` are those runs' `script_finished` statuses
    (0 a full run, 3 a fragment run, 1 a compile error; 2: the run was stopped early for another
    request, and `ms` runs to the end of the run that followed). Raises TimeoutError, saying what was
    clicked and what the watcher saw, if the click sends no request or its run does not finish in
    `timeout` seconds.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    if not _watched(page):
        raise RuntimeError(f"{page.url}: the page has no run watcher; open it with tests.e2e.browser() or new_page()")
    before = page.evaluate(
        "() => { const r = window.__stRuns; r.armed = true; r.clickAt = null; return r.requests.length; }"
    )
    pressed = page.evaluate("() => performance.now()")
    try:
        locator.click(timeout=timeout * 1000)
        try:
            wait_for(page, "([n]) => window.__stRuns.requests.length > n", "a request sent", LOST_CLICK, arg=[before])
        except TimeoutError:
            # The page sends a widget's request at once; none after LOST_CLICK seconds means the click
            # landed while the element was being redrawn on a loaded machine, and the page did not take
            # it: a person clicks again.
            locator.click(timeout=timeout * 1000)
    except PlaywrightTimeout:
        raise TimeoutError(f"could not click {locator} within {timeout:.0f} s on {page.url}") from None
    try:
        done = wait_for(page, _SETTLED, f"no rerun finished after clicking {locator}", timeout, arg=[before])
    except TimeoutError as error:
        raise TimeoutError(f"{error}; requests sent before the click: {before}; watcher: {run_state(page)}") from None
    start = done["clickAt"] if done["clickAt"] is not None else pressed
    return {"ms": float(done["doneAt"] - start), "statuses": done["statuses"]}


def click_and_wait(page, locator, timeout: float = TIMEOUT) -> float:
    """Click, wait for the rerun it triggers to finish; return the milliseconds it took in the browser."""
    return click_and_measure(page, locator, timeout)["ms"]


# Screenshots are for a person to look at, not assertions: taken when AUTODIAG_SHOTS is set
# (`AUTODIAG_SHOTS=1 make test`), skipped otherwise to keep the suite within its time.
SHOTS_WANTED = bool(os.environ.get("AUTODIAG_SHOTS"))


def whole_page_shots(page, folder: Path, name: str, ready: str | None = None, timeout: float = TIMEOUT) -> None:
    """The whole page at 1280 and 390 px into `folder` (for a person to look at), then back to the page's
    own size. The viewport is made as tall as the page (the app scrolls inside its main area, which a
    full-page screenshot does not show), again if the page grew meanwhile (elements drawn late)."""
    if not SHOTS_WANTED:
        return
    main = "[data-testid=stMain]"
    folder.mkdir(parents=True, exist_ok=True)
    own = page.viewport_size
    for width in (1280, 390):
        if width != page.viewport_size["width"]:
            page.set_viewport_size({"width": width, "height": 844 if width < 600 else own["height"]})
            wait_drawn(page, quiet=0.3)
        if ready:
            page.locator(ready).first.wait_for(timeout=timeout * 1000)
        tall = 0
        for _ in range(3):
            now = page.evaluate(f"() => document.querySelector('{main}').scrollHeight")
            if now == tall:
                break
            tall = now
            page.set_viewport_size({"width": width, "height": min(int(tall) + 40, 8000)})
            wait_drawn(page, quiet=0.3)
        page.screenshot(path=str(folder / f"{name}-{width}.png"))
    page.set_viewport_size(own)
