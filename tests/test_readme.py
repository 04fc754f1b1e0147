"""The README's worked example is true: its numbers are recomputed by the engine."""

from __future__ import annotations

import pytest

from diagnostic.core.profile import Profile
from tests.conftest import ROOT, run

README = (ROOT / "README.md").read_text(encoding="utf-8")
ANSWERS = {"rh.duerp": "no", "rh.formation": 3, "rh.cse": None, "env.energie": "dont_know", "env.flotte": "yes", "env.eco-conduite": "parfois"}


def answers(**changes):
    return {k: v for k, v in {**ANSWERS, **changes}.items() if v is not None}


def test_readme_starts_with_the_two_commands() -> None:
    head = README[:400]
    assert "make run" in head and "make test" in head


def test_worked_example_numbers(mini) -> None:
    result = run(mini, answers(), Profile(headcount_band="1-10"))
    rh, env = result.dimension("rh").score, result.dimension("env").score
    assert f"100 × 6 ÷ 12 = **{rh:.0f}**" in README
    assert f"100 × (0 + 2) ÷ (4 + 4) = **{env:.0f}**" in README
    assert f"(2 × 50 + 1 × 25) ÷ 3 = **{result.overall:.1f}**" in README
    assert f"level **{result.level.label.fr}**" in README
    assert result.dimension("env").low_confidence and "low-confidence (1 answer in 2" in README
    priorities = {r.question: r.priority for r in result.recommendations}
    assert f"= **{priorities['rh.duerp']:g}** (quick win)" in README
    assert f"= **{priorities['env.energie']:g}** (quick win)" in README
    assert f"= **{priorities['rh.formation']:g}** (project)" in README


def test_worked_example_na_variant(mini) -> None:
    result = run(mini, answers(**{"env.energie": "na"}), Profile(headcount_band="1-10"))
    assert result.dimension("env").score == pytest.approx(50)
    assert result.overall == pytest.approx(50)
    assert result.level_by_score.label.fr == "Structuré" and "reaches Structuré by score" in README
    assert result.level.label.fr == "Engagé" and result.capped_by_critical
