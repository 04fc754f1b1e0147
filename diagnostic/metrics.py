"""What an app server counts for its operator, in Prometheus's text format (prometheus_client): page
runs and their duration by page, and — from the library's process collector — the process's CPU
seconds and resident memory. No personal data: pages, counts and times only.

Served by serve.py at /_autodiag/metrics on the server's own address (127.0.0.1); the cluster's proxy
does not forward it (deploy/haproxy.cfg).
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

PAGE_RUNS = Counter("autodiag_page_runs", "Page runs (a Streamlit rerun of a page)", ["page"])
PAGE_SECONDS = Histogram(
    "autodiag_page_run_seconds", "Time to run a page, in seconds", ["page"],
    buckets=(0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0, 5.0),
)  # fmt: skip
ERRORS = Counter("autodiag_errors", "Runs that ended with an error shown to the user", ["kind"])


def page_run(page: str, seconds: float) -> None:
    PAGE_RUNS.labels(page=page or "racine").inc()
    PAGE_SECONDS.labels(page=page or "racine").observe(seconds)


def exposition() -> tuple[bytes, str]:
    """The metrics as Prometheus's text format, and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST
