"""make bench: every performance figure, printed as JSON and as a readable table.

python -m benchmarks [--no-browser]
"""

from __future__ import annotations

import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import engine, exports

TARGETS = {
    "answer_vs_floor_ratio": ("≤", 1.3),
    "pdf_s": ("<", 0.5),
    "xlsx_s": ("<", 0.1),
}


def main() -> int:
    figures: dict[str, object] = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": platform.machine()}
    figures["engine"] = engine.run()
    figures["exports"] = exports.run()
    if "--no-browser" not in sys.argv:
        from benchmarks import browser

        figures["browser"] = browser.run()
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(json.dumps(figures, indent=2))
    print()
    print(f"{'figure':32} {'value':>10}  target")
    for group in ("engine", "exports", "browser"):
        for key, value in figures.get(group, {}).items():  # type: ignore[union-attr]
            target = TARGETS.get(key)
            mark = ""
            if target and isinstance(value, float):
                ok = value <= target[1] if target[0] == "≤" else value < target[1]
                mark = f"{target[0]} {target[1]}  {'ok' if ok else 'MISSED'}"
            shown = f"{value:10.3f}" if isinstance(value, float) else f"{value!s:>10}"
            print(f"{group + '.' + key:32} {shown}  {mark}")
    return 0


sys.exit(main())
