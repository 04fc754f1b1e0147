"""The format's second edition: one-language files, groups, weight-0 dimensions, the pooled overall,
modules, recommendations on a full condition, default effort and impact. Expected figures are
computed by hand from tests/fixtures/second-edition.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostic.core.answers import Answer
from diagnostic.core.conditions import applicability, open_modules
from diagnostic.core.loading import LoadedQuestionnaire, QuestionnaireError, parse_questionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.scoring import score
from diagnostic.core.values import DONT_KNOW

FIXTURE = Path(__file__).parent / "fixtures" / "second-edition.yaml"
TEXT = FIXTURE.read_text(encoding="utf-8")
SMALL_FIRM = Profile(headcount_band="11-19", sector="25.62A")
BASE = {"hr.training": Answer(2), "hr.caterer": Answer("no"), "hr.safety": Answer(["helmets"]),
        "env.energy": Answer(3), "env.food-waste": Answer(4), "info.reporting": Answer(1)}  # fmt: skip


@pytest.fixture(scope="module")
def q() -> LoadedQuestionnaire:
    return parse_questionnaire(TEXT, str(FIXTURE))


def variant(old: str, new: str) -> LoadedQuestionnaire:
    assert old in TEXT
    return parse_questionnaire(TEXT.replace(old, new), "variant")


def problems(text: str) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(text, "bad")
    return [str(issue) for issue in caught.value.issues]


# --- one language ------------------------------------------------------------------------------


def test_a_file_in_its_default_language_only_loads_and_warns(q) -> None:
    assert q.model.default_locale == "en"
    assert q.model.title.get("fr") == q.model.title.get("en") == "Second-edition format"
    assert q.model.title.missing == "fr"
    assert len(q.warnings) == 1 and q.warnings[0].startswith("21 texts without French (fr)")


def test_the_default_language_is_required() -> None:
    found = problems(TEXT.replace('title: {en: "Second-edition format"}', 'title: {fr: "Format"}'))
    assert found == ["title (line 8): the English text (en) is missing: it is the questionnaire's default_locale, required everywhere"]


def test_a_bilingual_file_has_no_warning() -> None:
    mini = parse_questionnaire((Path(__file__).parent / "fixtures" / "mini.yaml").read_text(encoding="utf-8"), "mini")
    assert mini.warnings == ()


# --- weight 0, pooled overall, groups -----------------------------------------------------------


def test_pooled_overall_groups_and_weight_zero_by_hand(q) -> None:
    result = score(q, SMALL_FIRM, BASE)
    by_id = {d.id: d.score for d in result.dimensions}
    # hr: (1·2 + 1·1) / (1·4 + 1·2) = 50; env: 3·3 / 3·4 = 75 (the food module is closed); info: 1/4
    assert by_id == pytest.approx({"hr": 50.0, "env": 75.0, "info": 25.0})
    # pooled over the dimensions of weight > 0: (2 + 1 + 9) / (4 + 2 + 12)
    assert result.overall == pytest.approx(100 * 12 / 18)
    assert [(g.id, g.score, g.dimensions) for g in result.groups] == [("people", 50.0, ["hr"]), ("planet", 75.0, ["env"])]
    # info (25) is below the floor of 30, but a dimension of weight 0 is reported, not judged
    assert result.level is not None and result.level.id == "solid"


def test_mean_of_dimensions_leaves_weight_zero_out() -> None:
    q = variant("  overall: pooled\n", "")
    result = score(q, SMALL_FIRM, BASE)
    assert result.overall == pytest.approx((2 * 50 + 1 * 75) / 3)


def test_weight_zero_everywhere_is_refused() -> None:
    text = TEXT.replace("    weight: 2\n", "    weight: 0\n").replace("    group: planet\n", "    group: planet\n    weight: 0\n")
    assert any("every dimension has weight 0" in p for p in problems(text))


def test_unknown_group_and_module_are_refused() -> None:
    text = TEXT.replace("    group: planet", "    group: oceans").replace("module: food", "module: drinks")
    found = problems(text)
    assert any("no group named 'oceans'" in p for p in found)
    assert any("no module named 'drinks'" in p for p in found)
    assert any("module 'food' has no question" in p for p in found)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 4), st.sampled_from([None, "dont_know", "na"]))
def test_a_weight_zero_dimension_never_moves_the_overall_or_the_level(level, special) -> None:
    q = parse_questionnaire(TEXT, "fixture")
    answers = dict(BASE)
    answers["info.reporting"] = Answer(special if special else level)
    result, reference = score(q, SMALL_FIRM, answers), score(q, SMALL_FIRM, BASE)
    assert result.overall == reference.overall and result.level == reference.level


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 4), st.sets(st.sampled_from(["helmets", "training"])), st.integers(0, 4))
def test_pooled_overall_is_the_weighted_share_of_points(training, safety, energy) -> None:
    q = parse_questionnaire(TEXT, "fixture")
    answers = {"hr.training": Answer(training), "hr.safety": Answer(sorted(safety) or ["none"]), "env.energy": Answer(energy)}
    result = score(q, SMALL_FIRM, answers)
    expected = 100 * (training + min(len(safety), 2) + 3 * energy) / (4 + 2 + 12)
    assert result.overall == pytest.approx(expected)
    assert 0 <= (result.overall or 0) <= 100


# --- modules --------------------------------------------------------------------------------------


def test_a_module_opens_by_sector_or_by_an_earlier_answer(q) -> None:
    assert open_modules(q, SMALL_FIRM, BASE) == []
    assert open_modules(q, Profile(sector="10.71C"), BASE) == ["food"]
    assert open_modules(q, SMALL_FIRM, {**BASE, "hr.caterer": Answer("yes")}) == ["food"]
    opened = score(q, Profile(sector="10.71C"), BASE)
    assert opened.questions["env.food-waste"].applies
    # env: (3·3 + 1·4) / (3·4 + 1·4)
    assert opened.dimension("env").score == pytest.approx(100 * 13 / 16)


def test_an_unknown_sector_opens_no_module_but_keeps_other_questions(q) -> None:
    applies = applicability(q, Profile(), {})
    assert applies["env.food-waste"] is False
    assert all(applies[qid] for qid in ("hr.training", "hr.safety", "env.energy", "info.reporting"))


def test_a_negated_sector_condition_does_not_open_a_module_blind() -> None:
    q = variant('applies_when: {any: [{profile: sector, in: ["10"]}, {answer: hr.caterer, in: ["yes"]}]}',
                'applies_when: {not: {profile: sector, in: ["10"]}}')  # fmt: skip
    assert open_modules(q, Profile(), {}) == []
    assert open_modules(q, Profile(sector="25.62A"), {}) == ["food"]
    assert open_modules(q, Profile(sector="10.71C"), {}) == []


def test_a_module_condition_uses_only_answers_given_before_it() -> None:
    text = TEXT.replace("{answer: hr.caterer, in: [\"yes\"]}", "{answer: info.reporting, min: 2}")
    assert any("'info.reporting' is not an earlier question" in p for p in problems(text))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([None, "0", "1-10", "11-19", "250+"]), st.sampled_from([None, "no", "dont_know"]))
def test_without_a_known_food_sector_or_a_yes_the_module_stays_closed(band, caterer) -> None:
    q = parse_questionnaire(TEXT, "fixture")
    answers = {} if caterer is None else {"hr.caterer": Answer(caterer)}
    assert open_modules(q, Profile(headcount_band=band), answers) == []


# --- recommendations on a full condition ----------------------------------------------------------


def recs(q: LoadedQuestionnaire, profile: Profile, answers: dict[str, Answer]) -> list[str]:
    return [r.id for r in score(q, profile, answers).recommendations]


def test_a_recommendation_fires_when_an_option_is_not_ticked(q) -> None:
    assert recs(q, SMALL_FIRM, BASE) == ["hr.safety.r1"]  # training not ticked; r2 needs "none"
    assert "hr.safety.r1" not in recs(q, SMALL_FIRM, {**BASE, "hr.safety": Answer(["training"])})


def test_a_condition_can_test_the_profile(q) -> None:
    none = {**BASE, "hr.safety": Answer(["none"])}
    assert {"hr.safety.r1", "hr.safety.r2"} <= set(recs(q, SMALL_FIRM, none))
    assert "hr.safety.r2" not in recs(q, Profile(headcount_band="1-10"), none)


def test_dont_know_counts_as_the_lowest_answer_in_a_condition(q) -> None:
    found = recs(q, SMALL_FIRM, {**BASE, "hr.safety": Answer(DONT_KNOW)})
    assert {"hr.safety.r1", "hr.safety.r2"} <= set(found)


def test_nothing_is_recommended_at_the_maximum(q) -> None:
    full = {**BASE, "hr.safety": Answer(["helmets", "training"]), "hr.training": Answer(4)}
    assert recs(q, SMALL_FIRM, full) == []


def test_effort_and_impact_default_to_two(q) -> None:
    rec = q.questions["hr.safety"].recommendations[1]
    assert (rec.effort, rec.impact) == (2, 2)
    first = q.questions["hr.safety"].recommendations[0]
    assert (first.effort, first.impact) == (1, 3)


def test_a_recommendation_condition_is_checked() -> None:
    text = TEXT.replace("{not: {answer: hr.safety, in: [training]}}", "{not: {answer: hr.nope, in: [training]}}")
    assert any("'hr.nope' is not a question of this file" in p for p in problems(text))
    text = TEXT.replace("{answer: hr.safety, in: [none]}", "{answer: hr.safety, in: [gloves]}")
    assert any("'gloves' is not an option of 'hr.safety'" in p for p in problems(text))


@settings(max_examples=80, deadline=None)
@given(st.sets(st.sampled_from(["helmets", "training"])), st.sampled_from(["1-10", "11-19", "50-249"]))
def test_the_not_ticked_rule_holds_for_every_answer(ticked, band) -> None:
    q = parse_questionnaire(TEXT, "fixture")
    answer = sorted(ticked) or ["none"]
    found = recs(q, Profile(headcount_band=band), {**BASE, "hr.safety": Answer(answer), "hr.training": Answer(4)})
    assert ("hr.safety.r1" in found) == ("training" not in ticked)
    assert ("hr.safety.r2" in found) == (answer == ["none"] and band != "1-10")
