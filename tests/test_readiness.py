"""Label readiness (diagnostic/core/readiness.py, readiness/*.yaml): necessary conditions checked
against hand-built answer sets, statuses computed by hand; the shipped files and their ids; the
words never claim a label. Properties: raising an answer never turns a met condition into a
missing one; a condition whose question is absent is never met."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diagnostic.core.answers import Answer
from diagnostic.core.loading import LoadedQuestionnaire, _conditions
from diagnostic.core.profile import Profile
from diagnostic.core.readiness import (
    MET,
    MISSING,
    NOT_APPLICABLE,
    NOT_ASSESSED,
    TO_CHECK,
    AnswerCheck,
    Framework,
    ReadinessReport,
    assess,
    references,
)
from diagnostic.core.schema import (
    AnswerCondition,
    MaturityQuestion,
    MultipleQuestion,
    NumberQuestion,
    SingleQuestion,
    YesNoQuestion,
)
from diagnostic.core.scoring import score
from diagnostic.core.values import NA
from diagnostic.i18n import LANGS, catalogue
from diagnostic.readiness_files import READINESS_DIR, ReadinessFileError, parse_framework, shipped_frameworks
from diagnostic.readiness_text import REASON_KEYS, STATUS_KEYS, level_lines, reason_text, size_text, summary_text
from tests.conftest import build, maturity, text

SMALL = Profile(headcount_band="20-49", sector="25.62A")


def frameworks() -> dict[str, Framework]:
    return {f.id: f for f in shipped_frameworks()}


def best(q: LoadedQuestionnaire, question: Any) -> Any:
    """The answer with the highest score (what a company doing everything well answers)."""
    options = q.options(question)
    if isinstance(question, MaturityQuestion):
        return 4
    if isinstance(question, YesNoQuestion):
        return "yes" if question.scores.yes >= question.scores.no else "no"
    if isinstance(question, SingleQuestion):
        return max(options, key=lambda o: o.score).id
    if isinstance(question, MultipleQuestion):
        return [o.id for o in options if not o.exclusive]
    if isinstance(question, NumberQuestion):
        return question.maximum if question.maximum is not None else 100
    return "texte"


def best_answers(q: LoadedQuestionnaire) -> dict[str, Answer]:
    return {qid: Answer(best(q, question)) for qid, question in q.questions.items()}


def report(
    framework_id: str, q: LoadedQuestionnaire, answers: dict[str, Answer], profile: Profile = SMALL
) -> ReadinessReport:
    return assess(frameworks()[framework_id], q, profile, answers, score(q, profile, answers))


def statuses(found: ReadinessReport) -> dict[str, str]:
    return {c.condition.id: c.status for c in found.checks}


def company_checks(framework_id: str) -> set[str]:
    return {c.id for c in frameworks()[framework_id].conditions if c.check.kind == "company"}


# --- the shipped files ------------------------------------------------------------------------------


def test_the_three_frameworks_load_with_their_sources_and_a_date(full) -> None:
    found = frameworks()
    assert set(found) == {"afnor-engage-rse", "ecovadis", "b-corp"}
    for framework in found.values():
        assert framework.sources and all(str(s.url).startswith("https://") for s in framework.sources)
        assert date(2025, 1, 1) <= framework.last_checked <= date.today()
        assert framework.disclaimer.fr and framework.disclaimer.en
        assert references(framework, full) == [], framework.id  # every id exists in the full diagnostic
    assert [th.min for th in found["ecovadis"].themes] == [30, 30, 30, 30]
    assert [b.id for b in found["b-corp"].size_bands] == ["sole-proprietor", "micro", "small", "medium", "large"]
    assert [lv.id for lv in found["afnor-engage-rse"].levels] == ["progression", "confirme", "exemplaire"]


def test_an_option_list_holds_the_best_options(full) -> None:
    """An `in` check lists the options that score highest (so that raising an answer cannot lose it)."""
    for framework in frameworks().values():
        for condition in framework.conditions:
            check = condition.check
            if isinstance(check, AnswerCheck) and check.in_ is not None:
                question = full.questions[check.question]
                if isinstance(question, YesNoQuestion):
                    value = {"yes": question.scores.yes, "no": question.scores.no}
                else:
                    value = {o.id: o.score for o in full.options(question)}
                assert min(value[v] for v in check.in_) >= max(
                    (s for k, s in value.items() if k not in check.in_), default=0
                )


def test_a_bad_file_names_the_file_the_path_and_the_line(full) -> None:
    good = (READINESS_DIR / "ecovadis.yaml").read_text(encoding="utf-8")
    wrong_question = good.replace("question: eth.condamnations-corruption", "question: eth.nope")
    with pytest.raises(ReadinessFileError) as caught:
        parse_framework(wrong_question, "ecovadis.yaml", lambda: full)
    issue = caught.value.issues[0]
    assert issue.path.startswith("conditions[") and issue.path.endswith(".check.question")
    assert "eth.nope" in issue.message and issue.line is not None
    assert "ecovadis.yaml" in str(caught.value)

    wrong_kind = good.replace("{kind: company}", "{kind: guess}", 1)
    with pytest.raises(ReadinessFileError) as caught:
        parse_framework(wrong_kind, "ecovadis.yaml", lambda: full)
    assert "unknown check kind 'guess'" in caught.value.issues[0].message

    data = yaml.safe_load(good)
    data["conditions"][0]["check"] = {"kind": "theme", "theme": "missing-theme"}
    with pytest.raises(ReadinessFileError, match="unknown theme 'missing-theme'"):
        parse_framework(yaml.safe_dump(data, allow_unicode=True), "x.yaml", lambda: full)
    with pytest.raises(ReadinessFileError, match="not valid YAML"):
        parse_framework("id: [", "x.yaml", lambda: full)


# --- hand-built answer sets on the full diagnostic -------------------------------------------------------


def test_a_company_doing_everything_well_meets_every_condition_it_can(full) -> None:
    answers = best_answers(full)
    for framework_id in ("afnor-engage-rse", "ecovadis", "b-corp"):
        found = report(framework_id, full, answers)
        wanted_to_check = company_checks(framework_id)
        assert {cid for cid, s in statuses(found).items() if s == TO_CHECK} == wanted_to_check
        assert {s for cid, s in statuses(found).items() if cid not in wanted_to_check} <= {MET, NOT_APPLICABLE}
        assert found.count(MISSING) == 0 and found.count(NOT_ASSESSED) == 0
        assert not found.all_met  # what the company must check itself keeps it open


def test_one_answer_lowered_makes_one_condition_missing(full) -> None:
    answers = best_answers(full)
    lowered = {**answers, "gov.enjeux-prioritaires": Answer(1)}
    afnor = report("afnor-engage-rse", full, lowered)
    missing = afnor.with_status(MISSING)
    assert [c.condition.id for c in missing] == ["enjeux-identifies"]
    assert (missing[0].reason, missing[0].value, missing[0].target) == ("answer_below", 1, 2)
    assert (
        reason_text(afnor, missing[0], full, "fr")
        == "Votre réponse : 1 — Initié / informel ; attendu : 2 — Formalisé ou mieux."
    )
    # Progression needs it; every level above includes Progression's conditions
    assert [(lv.level.id, lv.missing) for lv in afnor.levels] == [
        ("progression", 1),
        ("confirme", 1),
        ("exemplaire", 1),
    ]

    convicted = report("ecovadis", full, {**answers, "eth.condamnations-corruption": Answer("yes")})
    assert [c.condition.id for c in convicted.with_status(MISSING)] == ["aucune-condamnation"]
    tobacco = report("ecovadis", full, answers, SMALL.model_copy(update={"sector": "12.00Z"}))
    assert [(c.condition.id, c.reason) for c in tobacco.with_status(MISSING)] == [("secteur-note", "sector_excluded")]

    unfair = report("b-corp", full, {**answers, "rh.remuneration": Answer(1)})
    assert [c.condition.id for c in unfair.with_status(MISSING)] == ["remuneration-equitable"]


def test_dont_know_is_missing_na_does_not_apply_and_no_answer_is_not_assessed(full) -> None:
    answers = best_answers(full)
    afnor = frameworks()["afnor-engage-rse"]
    for value, status, reason in (("dont_know", MISSING, "dont_know"), (None, NOT_ASSESSED, "unanswered")):
        given_answers = {k: v for k, v in answers.items() if k != "gov.parties-prenantes"}
        if value is not None:
            given_answers["gov.parties-prenantes"] = Answer(value)
        found = assess(afnor, full, SMALL, given_answers, score(full, SMALL, given_answers))
        check = next(c for c in found.checks if c.condition.id == "parties-prenantes")
        assert (check.status, check.reason) == (status, reason)
    bcorp = report("b-corp", full, {**answers, "eth.influence-politique": Answer("na")})
    assert statuses(bcorp)["influence-responsable"] == NOT_APPLICABLE


def test_legal_basics_by_hand(full) -> None:
    answers = best_answers(full)
    no_duerp = {**answers, "rh.duerp": Answer("aucun")}  # a critical question answered below its minimum
    check = next(c for c in report("b-corp", full, no_duerp).checks if c.condition.id == "conformite-legale")
    assert (check.status, check.reason, check.questions) == (MISSING, "legal_unmet", ("rh.duerp",))
    unanswered = {k: v for k, v in answers.items() if k != "rh.duerp"}
    check = next(c for c in report("b-corp", full, unanswered).checks if c.condition.id == "conformite-legale")
    assert (check.status, check.reason) == (NOT_ASSESSED, "legal_unanswered")


def test_b_corp_conditions_depend_on_size(full) -> None:
    answers = best_answers(full)
    by_size = {
        band: statuses(report("b-corp", full, answers, Profile(headcount_band=band)))
        for band in ("0", "20-49", "50-249", "250+")
    }
    assert by_size["0"]["remuneration-equitable"] == NOT_APPLICABLE  # no workers: no pay rules to check
    assert by_size["0"]["plan-climat"] == MET
    assert (
        by_size["20-49"]["egalite-salariale"] == NOT_APPLICABLE
        and by_size["20-49"]["droits-humains-fournisseurs"] == NOT_APPLICABLE
    )
    assert by_size["50-249"]["egalite-salariale"] == MET and by_size["50-249"]["droits-humains-fournisseurs"] == MET
    assert by_size["250+"]["inventaire-ges"] == MET and by_size["250+"]["plan-climat"] == NOT_APPLICABLE
    unknown = report("b-corp", full, answers, Profile())
    assert unknown.size is None and statuses(unknown)["egalite-salariale"] == NOT_ASSESSED
    assert size_text(unknown, "fr") == catalogue("fr")["readiness.size_unknown"]
    medium = report(
        "b-corp", full, {**answers, "rh.index-egalite": Answer("non-publie")}, Profile(headcount_band="50-249")
    )
    assert medium.size is not None and medium.size.id == "medium"
    # the index is a legal basic from 50 employees too: both conditions miss it
    assert [c.condition.id for c in medium.with_status(MISSING)] == ["conformite-legale", "egalite-salariale"]
    small = next(c for c in report("b-corp", full, answers).checks if c.condition.id == "egalite-salariale")
    assert (
        reason_text(report("b-corp", full, answers), small, full, "en")
        == "Does not apply to your size category (Small (10 to 49 workers))."
    )


def test_the_flash_diagnostic_leaves_absent_questions_not_assessed(flash) -> None:
    answers = best_answers(flash)
    afnor = report("afnor-engage-rse", flash, answers)
    absent = {c.condition.id for c in afnor.checks if c.reason == "absent"}
    assert absent == {
        "enjeux-identifies",
        "engagement-formalise",
        "plan-actions",
        "revue-direction",
        "climat-plan",
        "amelioration-revue",
    }
    assert all(statuses(afnor)[cid] == NOT_ASSESSED for cid in absent)
    assert statuses(afnor)["parties-prenantes"] == MET  # the flash diagnostic asks this one
    ecovadis = report("ecovadis", flash, answers)
    themes = {th.theme.id: th for th in ecovadis.themes}
    # Ethics weighs 2+1+1+1+1+1 = 7; the flash diagnostic asks eth.cadeaux-invitations (2) and
    # qual.rgpd-registre (1). A question it does not ask still weighs (nobody knows whether it would
    # apply): 3 of 7 is under half, so the theme is not estimated.
    assert themes["ethics"].answered_share == pytest.approx(3 / 7) and themes["ethics"].score is None
    assert themes["sustainable-procurement"].score is None and themes[
        "sustainable-procurement"
    ].answered_share == pytest.approx(2 / 6)
    assert statuses(ecovadis)["theme-sustainable-procurement"] == NOT_ASSESSED


# --- themes by hand, on a small questionnaire ---------------------------------------------------------

SMALL_FRAMEWORK = {
    "id": "essai",
    "name": text("Essai"),
    "publisher": "Test",
    "sources": [{"title": "Test", "url": "https://example.org/"}],
    "last_checked": "2026-01-01",
    "disclaimer": text("Pas un label"),
    "themes": [
        {
            "id": "t",
            "name": text("T"),
            "min": 30,
            "parts": [{"question": "a.q1", "weight": 2}, {"question": "a.q2"}, {"dimension": "b"}],
        }
    ],
    "conditions": [
        {"id": "theme", "text": text("theme"), "basis": text("b"), "check": {"kind": "theme", "theme": "t"}},
        {
            "id": "dim",
            "text": text("dim"),
            "basis": text("b"),
            "check": {"kind": "dimension", "dimension": "b", "min": 50},
        },
        {"id": "every", "text": text("every"), "basis": text("b"), "check": {"kind": "every_dimension", "min": 25}},
        {"id": "q2", "text": text("q2"), "basis": text("b"), "check": {"kind": "answer", "question": "a.q2", "min": 3}},
    ],
}


@pytest.fixture(scope="module")
def small_q() -> LoadedQuestionnaire:
    return build(
        [
            {"id": "a", "questions": [maturity("a.q1"), maturity("a.q2")]},
            {"id": "b", "questions": [maturity("b.q1"), maturity("b.q2")]},
        ]
    )


def test_a_theme_is_a_weighted_mean_computed_by_hand(small_q) -> None:
    framework = Framework.model_validate(SMALL_FRAMEWORK)
    answers = {"a.q1": Answer(1), "a.q2": Answer(4), "b.q1": Answer(2), "b.q2": Answer(0)}
    found = assess(framework, small_q, Profile(), answers, score(small_q, Profile(), answers))
    # a.q1: 25/100 × 2, a.q2: 100 × 1, dimension b: (2 + 0) / 8 = 25 × 1 -> (50 + 100 + 25) / 4 = 43.75
    assert found.themes[0].score == pytest.approx(43.75) and found.themes[0].answered_share == 1
    assert statuses(found) == {"theme": MET, "dim": MISSING, "every": MET, "q2": MET}
    assert found.checks[1].value == pytest.approx(25) and found.checks[1].reason == "score_below"
    assert reason_text(found, found.checks[1], small_q, "fr") == "Score : 25/100 ; il faut 50 au moins."
    # a.q1 unanswered: a.q2 (1) and b (1) answered of 4: 50 % is enough, the mean is (100 + 25) / 2
    partial = {"a.q2": Answer(4), "b.q1": Answer(2), "b.q2": Answer(0)}
    theme = assess(framework, small_q, Profile(), partial, score(small_q, Profile(), partial)).themes[0]
    assert (theme.score, theme.answered_share) == (pytest.approx(62.5), 0.5)
    # only b answered: 1 of 4 is too little: not assessed, never met
    only_b = {"b.q1": Answer(4), "b.q2": Answer(4)}
    lonely = assess(framework, small_q, Profile(), only_b, score(small_q, Profile(), only_b))
    assert lonely.themes[0].score is None and statuses(lonely)["theme"] == NOT_ASSESSED
    assert statuses(lonely)["every"] == NOT_ASSESSED  # dimension a has no score yet
    low = {"a.q1": Answer(0), "a.q2": Answer(0), "b.q1": Answer(4), "b.q2": Answer(4)}
    below = assess(framework, small_q, Profile(), low, score(small_q, Profile(), low))
    every = next(c for c in below.checks if c.condition.id == "every")
    assert (every.status, every.value) == (MISSING, ["a"])
    assert reason_text(below, every, small_q, "en") == "Below 25/100: a (en)."


# --- properties -------------------------------------------------------------------------------------


def _triggers(q: LoadedQuestionnaire) -> set[str]:
    """Questions whose answer opens or closes others: raising them may change what is counted."""
    found: set[str] = set()
    conditions = [m.applies_when for m in q.model.modules]
    conditions += [d.applies_when for d in q.dimensions] + [x.applies_when for x in q.questions.values()]
    for condition in conditions:
        if condition is not None:
            found |= {c.answer for _, c in _conditions(condition, "") if isinstance(c, AnswerCondition)}
    return found


@st.composite
def answer_sets(draw: st.DrawFn, q: LoadedQuestionnaire) -> dict[str, Answer]:
    answers: dict[str, Answer] = {}
    for qid, question in q.questions.items():
        options = [o.id for o in q.options(question)]
        if isinstance(question, MaturityQuestion):
            choices: list[Any] = [0, 1, 2, 3, 4, "dont_know", None]
        elif isinstance(question, YesNoQuestion):
            choices = ["yes", "no", None]
        elif isinstance(question, SingleQuestion):
            choices = [*options, None]
        elif isinstance(question, MultipleQuestion):
            plain = [o.id for o in q.options(question) if not o.exclusive]
            choices = [plain[:1], plain, None] if plain else [None]
        else:
            choices = [None]
        value = draw(st.sampled_from(choices))
        if value is not None:
            answers[qid] = Answer(value)
    return answers


def _raised(q: LoadedQuestionnaire, answers: dict[str, Answer], qid: str) -> Answer | None:
    """A higher answer to a question already answered with a value ("don't know" counts 0); None when
    there is none. Answering an unanswered or N/A question is not raising it: a low first answer may
    well lower a dimension's score."""
    question = q.questions[qid]
    current = answers.get(qid)
    if current is None or current.value == NA:
        return None
    if isinstance(question, MaturityQuestion):
        value = current.value if isinstance(current.value, int) else 0  # "don't know" scores 0
        return Answer(value + 1) if value < 4 else None
    if isinstance(question, SingleQuestion):
        scores = {o.id: o.score for o in q.options(question)}
        now = scores.get(str(current.value), 0)
        better = [o for o, s in scores.items() if s > now]
        return Answer(max(better, key=scores.__getitem__)) if better else None
    return None


PROFILES = st.sampled_from(
    [SMALL, Profile(headcount_band="1-10"), Profile(headcount_band="50-249", sector="12.00Z"), Profile()]
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), profile=PROFILES)
def test_raising_an_answer_never_turns_a_met_condition_into_a_missing_one(full, data, profile) -> None:
    answers = data.draw(answer_sets(full))
    candidates = sorted(
        qid for qid in full.questions if qid not in _triggers(full) and _raised(full, answers, qid) is not None
    )
    qid = data.draw(st.sampled_from(candidates))
    higher = {**answers, qid: _raised(full, answers, qid)}
    before_result, after_result = score(full, profile, answers), score(full, profile, higher)  # type: ignore[arg-type]
    for framework in shipped_frameworks():
        before = statuses(assess(framework, full, profile, answers, before_result))
        after = statuses(assess(framework, full, profile, higher, after_result))  # type: ignore[arg-type]
        assert not [cid for cid, s in before.items() if s == MET and after[cid] == MISSING], (framework.id, qid)


@settings(max_examples=25, deadline=None)
@given(data=st.data(), profile=PROFILES)
def test_a_condition_whose_question_is_absent_is_never_met(flash, data, profile) -> None:
    answers = data.draw(answer_sets(flash))
    result = score(flash, profile, answers)
    for framework in shipped_frameworks():
        for check in assess(framework, flash, profile, answers, result).checks:
            c = check.condition.check
            if isinstance(c, AnswerCheck) and c.question not in flash.questions:
                assert check.status in (NOT_ASSESSED, NOT_APPLICABLE) and check.status != MET


# the words of a promise: a label obtained, granted, guaranteed, a medal won
PROMISE = re.compile(
    r"obtiendr|obtenez le label|vous aurez le label|label (garanti|acquis)|médaille (assurée|garantie)|vous serez (labellisé|certifié)"
    r"|you would (get|obtain|earn|be awarded)|you will (get|obtain|earn|be awarded)|guaranteed|you qualify for|eligible for the label",
    re.IGNORECASE,
)


def _words(found: ReadinessReport, q: LoadedQuestionnaire, lang: str) -> list[str]:
    words = [summary_text(found, lang), *level_lines(found, lang), size_text(found, lang) or ""]
    words += [reason_text(found, c, q, lang) for c in found.checks]
    words += [c.condition.text.get(lang) for c in found.checks] + [found.framework.disclaimer.get(lang)]
    return words


@settings(max_examples=15, deadline=None)
@given(data=st.data(), profile=PROFILES, lang=st.sampled_from(LANGS))
def test_the_words_never_claim_a_label(flash, data, profile, lang) -> None:
    answers = data.draw(answer_sets(flash))
    result = score(flash, profile, answers)
    for framework in shipped_frameworks():
        for line in _words(assess(framework, flash, profile, answers, result), flash, lang):
            assert not PROMISE.search(line), line


def test_no_catalogue_text_claims_a_label_and_every_key_exists() -> None:
    for lang in LANGS:
        texts = {k: v for k, v in catalogue(lang).items() if k.startswith("readiness.")}
        for key, entry in texts.items():
            for line in entry.values() if isinstance(entry, dict) else [entry]:
                assert not PROMISE.search(line), key
        assert set(STATUS_KEYS.values()) | set(REASON_KEYS.values()) <= set(texts)
    disclaimers = " ".join(f.disclaimer.fr for f in shipped_frameworks())
    assert (
        disclaimers.count("ne donne") + disclaimers.count("ne donnent") >= 2
        and "ne peut donc être prédite" in disclaimers
    )
