"""make bench: every performance figure, printed as JSON and as a readable table.

python -m benchmarks [--no-browser] [--only STEP]   (STEP: engine, exports, browser, participation, portfolio, network)

Each step is bounded (STEP_SECONDS): a step that overruns, or fails, is reported with its reason
and the others still run; the exit code is then 1. Inside the browser step every wait is bounded
too (tests/e2e.py), so a stuck click fails within seconds with what it waited for. A last-resort
watchdog dumps every thread's stack and ends the process if even the cleanup hangs.
"""

from __future__ import annotations

import faulthandler
import json
import platform
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

TARGETS = {
    "answer_vs_floor_ratio": ("≤", 1.3),
    "cpu_vs_floor_ratio": ("≤", 1.2),  # issue 14: the server CPU of an answer against the bare page's
    "pdf_s": ("<", 0.5),
    "xlsx_s": ("<", 0.1),
    "consolidation_ms_median": ("<", 100.0),
    "portfolio_service_ms_median": ("<", 1000.0),
    "portfolio_page_ms_median": ("<", 1000.0),
    "dashboard_ms_median": ("<", 1000.0),
    "benchmark_ms_median": ("<", 1000.0),
    "dashboard_page_ms_median": ("<", 1000.0),
}
STEP_SECONDS = {"engine": 120, "exports": 300, "browser": 900, "participation": 420, "portfolio": 300, "network": 300}
CLEANUP_SECONDS = 120  # after the last step's bound, for closing the browser and stopping servers


class StepTimeout(Exception):
    pass


@contextmanager
def bounded(step: str, seconds: int) -> Iterator[None]:
    """Raise StepTimeout in the main thread if the block runs longer than `seconds`."""

    def expire(signum: int, frame: object) -> None:
        raise StepTimeout(f"the {step} step did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _engine() -> dict[str, Any]:
    from benchmarks import engine

    return engine.run()


def _exports() -> dict[str, Any]:
    from benchmarks import exports

    return exports.run()


def _browser() -> dict[str, Any]:
    from benchmarks import browser

    return browser.run()


def _participation() -> dict[str, Any]:
    from benchmarks import participation

    return participation.run(browser="--no-browser" not in sys.argv)


def _portfolio() -> dict[str, Any]:
    from benchmarks import portfolio

    return portfolio.run()


def _network() -> dict[str, Any]:
    from benchmarks import network

    return network.run()


def main() -> int:
    steps: dict[str, Callable[[], dict[str, Any]]] = {"engine": _engine, "exports": _exports}
    if "--no-browser" not in sys.argv:
        steps["browser"] = _browser
    steps["participation"] = _participation  # its browser part follows --no-browser
    steps["portfolio"] = _portfolio
    steps["network"] = _network
    if "--only" in sys.argv:
        position = sys.argv.index("--only") + 1
        wanted = sys.argv[position] if position < len(sys.argv) else ""
        if wanted not in steps:
            print(f"bench: --only takes one of {', '.join(steps)}", file=sys.stderr)
            return 2
        steps = {wanted: steps[wanted]}
    faulthandler.dump_traceback_later(sum(STEP_SECONDS[s] for s in steps) + CLEANUP_SECONDS, exit=True)

    figures: dict[str, Any] = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": platform.machine()}
    failed: dict[str, str] = {}
    for name, step in steps.items():
        start = time.monotonic()
        try:
            with bounded(name, STEP_SECONDS[name]):
                figures[name] = step()
        except Exception as error:  # noqa: BLE001 - reported, and the exit code says it
            failed[name] = f"{type(error).__name__}: {error}"
            figures[name] = {"error": failed[name]}
            print(
                f"bench: the {name} step failed after {time.monotonic() - start:.0f} s: {failed[name]}", file=sys.stderr
            )
            traceback.print_exc()
    faulthandler.cancel_dump_traceback_later()

    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    latest = out / "latest.json"
    kept: dict[str, Any] = {}
    if "--only" in sys.argv and latest.exists():  # one step again: the other steps' figures stay
        try:
            kept = json.loads(latest.read_text(encoding="utf-8"))
        except ValueError:
            kept = {}
    latest.write_text(json.dumps(kept | figures, indent=2), encoding="utf-8")
    print(json.dumps(figures, indent=2))
    print()
    print(f"{'figure':40} {'value':>10}  target")
    for group in steps:
        for key, value in figures.get(group, {}).items():
            target = TARGETS.get(key)
            mark = ""
            if target and isinstance(value, float):
                ok = value <= target[1] if target[0] == "≤" else value < target[1]
                mark = f"{target[0]} {target[1]}  {'ok' if ok else 'MISSED'}"
            shown = f"{value:10.3f}" if isinstance(value, float) else f"{value!s:>10}"
            print(f"{group + '.' + key:40} {shown}  {mark}")
    for name, reason in failed.items():
        print(f"FAILED {name}: {reason}")
    return 1 if failed else 0


sys.exit(main())
