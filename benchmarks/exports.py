"""Timings of the exports for the full diagnostic: PDF report, Excel workbook, radar image.

Run with `python -m benchmarks.exports`; `run()` returns the medians in seconds.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks.sample_report import sample_report_data
from diagnostic.exports.excel import build_workbook
from diagnostic.exports.pdf import build_pdf
from diagnostic.exports.radar import radar_png


def _median_seconds(function: Callable[[Any], bytes], argument: Any, repeats: int) -> float:
    function(argument)  # warm-up: fonts registered, caches filled, imports done
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function(argument)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(repeats: int = 7) -> dict[str, float]:
    """Median seconds of build_pdf, build_workbook and radar_png over `repeats` runs each."""
    data = sample_report_data()
    return {
        "pdf_s": _median_seconds(build_pdf, data, repeats),
        "xlsx_s": _median_seconds(build_workbook, data, repeats),
        "radar_s": _median_seconds(radar_png, data, repeats),
    }


if __name__ == "__main__":
    for key, seconds in run().items():
        print(f"{key:8} {seconds:.3f}")
