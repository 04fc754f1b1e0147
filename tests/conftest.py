from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from diagnostic.answers import parse_answers
from diagnostic.loading import LoadedQuestionnaire, load_questionnaire, parse_questionnaire
from diagnostic.profile import Profile
from diagnostic.scoring import Result, score

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

LEVELS = [
    {"id": "decouverte", "label": {"fr": "Découverte", "en": "Discovering"}, "min_overall": 0},
    {"id": "engage", "label": {"fr": "Engagé", "en": "Committed"}, "min_overall": 25},
    {"id": "structure", "label": {"fr": "Structuré", "en": "Structured"}, "min_overall": 45, "min_dimension": 30},
    {"id": "maitrise", "label": {"fr": "Maîtrisé", "en": "Managed"}, "min_overall": 65, "min_dimension": 45},
    {"id": "exemplaire", "label": {"fr": "Exemplaire", "en": "Exemplary"}, "min_overall": 85, "min_dimension": 65},
]


def text(label: str) -> dict[str, str]:
    return {"fr": f"{label} (fr)", "en": f"{label} (en)"}


def maturity(qid: str, **extra: Any) -> dict[str, Any]:
    return {"id": qid, "type": "maturity", "text": text(qid), **extra}


def build(dimensions: list[dict[str, Any]], **results: Any) -> LoadedQuestionnaire:
    """A questionnaire from dimension dicts (title filled in), checked like a file."""
    data = {
        "schema_version": 1,
        "id": "test",
        "version": "1",
        "title": text("Test"),
        "dimensions": [{"title": text(d["id"]), **d} for d in dimensions],
        "results": {"levels": LEVELS, **results},
    }
    return parse_questionnaire(yaml.safe_dump(data, allow_unicode=True), "<test>")


def run(questionnaire: LoadedQuestionnaire, answers: dict[str, Any], profile: Profile | None = None) -> Result:
    return score(questionnaire, profile or Profile(), parse_answers(questionnaire, answers))


@pytest.fixture(scope="session")
def mini() -> LoadedQuestionnaire:
    return load_questionnaire(FIXTURES / "mini.yaml")
