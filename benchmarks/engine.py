"""Engine timings: loading the full questionnaire, scoring a complete set of answers."""

from __future__ import annotations

import statistics
import time
from typing import Any

from benchmarks.sample_report import sample_report_data
from diagnostic.core.scoring import score
from diagnostic.questionnaire_files import QUESTIONNAIRES_DIR, load_questionnaire


def _median_ms(function, repeats: int) -> float:  # type: ignore[no-untyped-def]
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def run(repeats: int = 15) -> dict[str, Any]:
    data = sample_report_data()
    path = QUESTIONNAIRES_DIR / "rse-performance-globale.yaml"
    return {
        "questions": len(data.questionnaire.questions),
        "load_questionnaire_ms": _median_ms(lambda: load_questionnaire(path), repeats),
        "score_full_ms": _median_ms(lambda: score(data.questionnaire, data.profile, data.answers), repeats),
    }
