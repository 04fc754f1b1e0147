"""The way through the diagnostic: dimension steps, completion marks, the next unanswered question,
the open dimension in the URL and one entry of the browser's history per navigation."""

from __future__ import annotations

import re
import shutil
import time

import pytest

from diagnostic.core.conditions import applicability
from diagnostic.core.profile import Profile
from diagnostic.core.values import DONT_KNOW
from diagnostic.i18n import t
from diagnostic.services import answers, assessments, companies, questionnaires
from diagnostic.storage.database import make_engine, migrate
from tests.conftest import local_context
from tests.e2e import ROOT, Server, browser, click_and_wait, wait_for, wait_idle
from tests.test_pages import app, no_unexpected_error

PROFILE = Profile(headcount_band="20-49", production_site=True)


def started(db, questionnaire_id: str = "rse-performance-globale"):
    company = companies.save_company(db, None, "Scierie Moreau", PROFILE)
    assessment = assessments.start_assessment(db, company.id, questionnaire_id)
    return company, assessment, questionnaires.questionnaire_of(db.uow, assessment)


def counted(questionnaire, dimension) -> list[str]:
    """The questions of a dimension that count for completion (applicable, scored), with no answer given."""
    applies = applicability(questionnaire, PROFILE, {})
    return [q.id for q in dimension.questions if applies[q.id] and q.scored]


def drawn(at, assessment_id: int) -> set[str]:
    """The questions whose answer widget the page drew."""
    prefix = f"q-{assessment_id}-"
    widgets = list(at.radio) + list(at.get("button_group")) + list(at.get("number_input"))
    return {w.key[len(prefix) :] for w in widgets if w.key and w.key.startswith(prefix) and not w.key.endswith("-special")}


def pills(at):
    return next(w for w in at.get("button_group") if w.key and w.key.startswith("dim-pills-"))


def question_selector(question_id: str) -> str:
    """The CSS class of a question's container (Streamlit turns its key into a class)."""
    return ".st-key-question-" + re.sub(r"[^a-zA-Z0-9_-]", "-", question_id)


def scroll_targets(at) -> list[str]:
    """The CSS selectors the page asked the browser to bring into view in this run."""
    return [m.group(1) for h in at.get("html") for m in re.finditer(r'const selector = "([^"]+)"', h.proto.body)]


# --- AppTest ---------------------------------------------------------------------------------------


def test_next_and_previous_dimension(db) -> None:
    company, assessment, questionnaire = started(db)
    dimensions = questionnaire.dimensions
    at = app("diagnostic", company_id=company.id, assessment_id=assessment.id)
    assert drawn(at, assessment.id) <= {q.id for q in dimensions[0].questions}
    assert pills(at).value == dimensions[0].id
    assert not [b for b in at.button if b.key == "dim-previous"], "no previous dimension before the first"
    assert at.button(key="dim-back").disabled

    at.button(key="dim-next").click().run()
    no_unexpected_error(at)
    assert at.session_state["dim"] == dimensions[1].id and pills(at).value == dimensions[1].id
    assert drawn(at, assessment.id) and drawn(at, assessment.id) <= {q.id for q in dimensions[1].questions}
    assert scroll_targets(at) == [".st-key-dim-nav"], "the next dimension opens at its top"
    assert t("diag.dimension_status", "fr", number=2, count=len(dimensions), answered=0,
             applicable=len(counted(questionnaire, dimensions[1]))) in [c.value for c in at.caption]  # fmt: skip

    at.button(key="dim-previous").click().run()
    assert pills(at).value == dimensions[0].id
    at.button(key="dim-forward").click().run()  # the arrow beside the pills
    assert pills(at).value == dimensions[1].id

    # the last dimension has no next one: its way on is the next unanswered question
    at.session_state["dim"] = dimensions[-1].id
    at.run()
    keys = {b.key for b in at.button}
    assert "dim-next" not in keys and "next-unanswered-end" in keys and "dim-previous" in keys
    assert at.button(key="dim-forward").disabled


def test_each_dimension_shows_how_far_it_is_answered(db) -> None:
    company, assessment, questionnaire = started(db)
    first, second = questionnaire.dimensions[:2]
    for qid in counted(questionnaire, first):
        answers.record_answer(db, questionnaire, assessment.id, qid, DONT_KNOW)
    answers.record_answer(db, questionnaire, assessment.id, counted(questionnaire, second)[0], DONT_KNOW)
    at = app("diagnostic", company_id=company.id, assessment_id=assessment.id)
    no_unexpected_error(at)
    options = pills(at).options
    assert options[0] == f"{first.title.fr} ✓"
    assert options[1] == f"{second.title.fr} · 1/{len(counted(questionnaire, second))}"
    third = questionnaire.dimensions[2]
    assert options[2] == f"{third.title.fr} · 0/{len(counted(questionnaire, third))}"
    # an answer given on the page updates the marks at once (the selector reruns with the answers)
    question = next(q for q in counted(questionnaire, first) if questionnaire.questions[q].type == "maturity")
    at.radio(key=f"q-{assessment.id}-{question}").set_value(3).run()
    assert pills(at).options[0] == f"{first.title.fr} ✓"
    at.button(key="dim-next").click().run()
    second_question = next(q for q in counted(questionnaire, second)[1:] if questionnaire.questions[q].type == "maturity")
    at.radio(key=f"q-{assessment.id}-{second_question}").set_value(DONT_KNOW).run()
    assert pills(at).options[1] == f"{second.title.fr} · 2/{len(counted(questionnaire, second))}"


def test_next_unanswered_question_opens_its_dimension_and_brings_it_into_view(db) -> None:
    company, assessment, questionnaire = started(db)
    first = counted(questionnaire, questionnaire.dimensions[0])
    for qid in first[:3]:
        answers.record_answer(db, questionnaire, assessment.id, qid, DONT_KNOW)
    at = app("diagnostic", company_id=company.id, assessment_id=assessment.id, dim=questionnaire.dimensions[3].id)
    at.button(key="next-unanswered").click().run()
    no_unexpected_error(at)
    assert at.session_state["dim"] == questionnaire.dimensions[0].id
    target = first[3]
    assert scroll_targets(at) == [question_selector(target)]
    assert target in drawn(at, assessment.id)
    at.run()
    assert scroll_targets(at) == [], "the screen is moved once, not on every run"


def test_another_assessment_opens_on_its_first_dimension(db) -> None:
    company, older, questionnaire = started(db)
    newer = assessments.start_assessment(db, company.id, "rse-flash")
    other_company = companies.save_company(db, None, "Atelier", PROFILE)
    other = assessments.start_assessment(db, other_company.id, "rse-performance-globale")
    at = app("diagnostic", company_id=company.id, assessment_id=older.id, dim="env")
    assert pills(at).value == "env"

    at.selectbox(key="sidebar-assessment").select(newer.id).run()
    no_unexpected_error(at)
    assert at.session_state["assessment_id"] == newer.id
    assert at.session_state["dim"] is None
    assert pills(at).value == questionnaires.questionnaire_of(db.uow, newer).dimensions[0].id

    at.session_state["dim"] = "env"
    at.run()
    assert pills(at).value == "env"
    at.selectbox(key="sidebar-company").select(other_company.id).run()
    assert at.session_state["assessment_id"] == other.id
    assert pills(at).value == questionnaire.dimensions[0].id



@pytest.mark.parametrize("wanted", ["inconnue", "", "Environnement & climat", "Environment & climate"])
def test_a_dimension_that_is_not_in_the_questionnaire_falls_back_to_the_first(db, wanted) -> None:
    company, assessment, questionnaire = started(db)
    at = app("diagnostic", company_id=company.id, assessment_id=assessment.id, dim=wanted)
    no_unexpected_error(at)
    if wanted.startswith("Env"):  # a title (links made before the URL held ids) still opens its dimension
        assert pills(at).value == "env"
    else:
        assert pills(at).value == questionnaire.dimensions[0].id
        assert at.session_state["dim"] is None
        assert drawn(at, assessment.id) <= {q.id for q in questionnaire.dimensions[0].questions}


# --- real browser ----------------------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(not shutil.which("chromium"), reason="Chromium is not installed (.ci/run installs it)")

PILLS = ".st-key-dim-nav [data-testid=stButtonGroup] button"
SELECTED = ".st-key-dim-nav [data-testid=stButtonGroup] :is(button[aria-pressed=true], [aria-checked=true])"


def prepared(tmp_path, questionnaire_id: str = "rse-performance-globale"):
    db_url = f"sqlite:///{tmp_path / 'flow.db'}"
    engine = make_engine(db_url)
    migrate(engine)
    ctx = local_context(engine)
    company = companies.save_company(ctx, None, "Scierie Moreau", PROFILE)
    assessment = assessments.start_assessment(ctx, company.id, questionnaire_id)
    return db_url, ctx, company, assessment, questionnaires.questionnaire_of(ctx.uow, assessment)


def history(page) -> int:
    return page.evaluate("() => history.length")


def selected(page) -> str:
    wait_for(page, f"() => document.querySelectorAll('{SELECTED}').length === 1", "one dimension pill selected", 10)
    return page.locator(SELECTED).inner_text()


def settle(page) -> None:
    wait_idle(page, settle=0.5)


def top_of(page, selector: str) -> float:
    """Where the element is in the viewport, in px from the top of the window."""
    return page.evaluate(f"() => document.querySelector({selector!r}).getBoundingClientRect().top")


@pytest.mark.browser
@needs_chromium
def test_one_navigation_is_one_entry_of_the_history_and_back_goes_back(tmp_path) -> None:
    db_url, ctx, company, assessment, questionnaire = prepared(tmp_path)
    titles = [d.title.fr for d in questionnaire.dimensions]
    # navigation only: the 4-second watcher of others' changes (tests/test_browser_faults.py) stays out of it,
    # so that none of its runs meets a click
    server = Server(ROOT / "serve.py", db_url, log=tmp_path / "server.log", env={"AUTODIAG_POLL_SECONDS": "3600"})
    server.start()
    try:
        with browser(1280, 1000) as page:
            page.goto(f"{server.url}/diagnostic?c={company.id}&a={assessment.id}")
            settle(page)
            start = history(page)  # about:blank, then the page: opening it writes no other entry
            assert start == 2 and selected(page).startswith(titles[0])

            steps: list[tuple[str, str]] = [("/diagnostic", titles[0])]

            def went(path: str, title: str | None) -> None:
                settle(page)
                steps.append((path, title or ""))
                assert history(page) == start + len(steps) - 1, f"one entry per navigation, at {path} {title}"
                assert f"/{path.strip('/')}?" in page.url
                if title:
                    assert selected(page).startswith(title)

            click_and_wait(page, page.locator(PILLS).nth(1))  # a pill
            went("/diagnostic", titles[1])
            assert "dim=qual" in page.url
            click_and_wait(page, page.locator(".st-key-dim-next button"))  # the button at the bottom
            went("/diagnostic", titles[2])
            nav = page.get_by_test_id("stSidebarNav")
            click_and_wait(page, nav.get_by_text("Résultats"))
            went("/resultats", None)
            click_and_wait(page, nav.get_by_text("Diagnostic"))
            went("/diagnostic", titles[2])  # the dimension is kept between pages

            for path, title in reversed(steps[:-1]):  # Back, one step at a time, to the first screen
                page.go_back()
                settle(page)
                assert f"/{path.strip('/')}" in page.url
                if title:
                    assert selected(page).startswith(title), f"Back to {title}"
                else:
                    page.get_by_role("heading", name="Résultats").first.wait_for(timeout=10_000)
                assert history(page) == start + len(steps) - 1, "Back writes no new entry"
            page.go_forward()
            settle(page)
            assert selected(page).startswith(titles[1])
            assert history(page) == start + len(steps) - 1

            # a language switch is one navigation too (it replaces the entries ahead: we are at
            # steps[1], the third entry after about:blank and the first screen), and Back returns to French
            click_and_wait(page, page.get_by_test_id("stSidebar").get_by_test_id("stButtonGroup").get_by_text("EN", exact=True))
            settle(page)
            assert "lang=en" in page.url and history(page) == 4
            assert selected(page).startswith(questionnaire.dimensions[1].title.en)
            page.go_back()
            settle(page)
            assert "lang=fr" in page.url and selected(page).startswith(titles[1])
            # the sidebar's selector of assessments, whose label changed with the language, did not
            # read its former label back as a choice (it used to put that label in the URL)
            assert f"a={assessment.id}&" in page.url
            assert page.get_by_test_id("stSidebarNav").get_by_text("Résultats").count() == 1
            assert history(page) == 4

            # a reload (a new session) comes back to the same place
            page.reload()
            settle(page)
            assert "lang=fr" in page.url and selected(page).startswith(titles[1])
            assert history(page) == 4
    finally:
        server.stop()
        ctx.uow.engine.dispose()


def answer(page, question_id: str) -> None:
    """One click on the answer of a question, as a manager would (a radio, or a pill of a multiple choice)."""
    selector = question_selector(question_id)
    wait_for(page, f"() => document.querySelector('{selector} :is([data-testid=stRadio], [data-testid=stButtonGroup])')",
             f"the answer widget of {question_id} drawn", 10)  # fmt: skip
    question = page.locator(selector)
    radios = question.locator("[data-testid=stRadio] label")
    if radios.count():
        click_and_wait(page, radios.nth(min(2, radios.count() - 1)))
    else:
        click_and_wait(page, question.locator("[data-testid=stButtonGroup] button").nth(1))


@pytest.mark.browser
@needs_chromium
def test_on_a_phone_the_next_dimension_opens_at_its_top_and_the_next_unanswered_question_is_found(tmp_path) -> None:
    db_url, ctx, company, assessment, questionnaire = prepared(tmp_path)
    first, second = questionnaire.dimensions[:2]
    skipped = counted(questionnaire, first)[4]  # left unanswered, in the middle of the first dimension
    # navigation only: the 4-second watcher of others' changes (tests/test_browser_faults.py) stays out of it,
    # so that none of its runs meets a click
    server = Server(ROOT / "serve.py", db_url, log=tmp_path / "server.log", env={"AUTODIAG_POLL_SECONDS": "3600"})
    server.start()
    try:
        with browser(390, 844) as page:
            page.goto(f"{server.url}/diagnostic?c={company.id}&a={assessment.id}")
            settle(page)
            # the selector does not fill the first screen: one row of pills
            nav = page.locator(".st-key-dim-nav").bounding_box()
            assert nav is not None and nav["height"] <= 80, nav
            assert top_of(page, question_selector(first.questions[0].id)) < 844, "the first question starts on the first screen"

            wanted = [q for q in counted(questionnaire, first) if q != skipped]
            for question_id in wanted:
                answer(page, question_id)
            assert set(answers.load_answers(ctx, assessment.id)) == set(wanted)
            total = len(counted(questionnaire, first))
            assert selected(page) == f"{first.title.fr} · {total - 1}/{total}"

            # the bottom of the dimension, far down the page: "Dimension suivante"
            button = page.locator(".st-key-dim-next button")
            button.scroll_into_view_if_needed()
            assert top_of(page, ".st-key-dim-nav") < -2000, "the selector is far above"
            click_and_wait(page, button)
            wait_for(page, "() => { const r = document.querySelector('.st-key-dim-nav').getBoundingClientRect(); "
                           "return r.top >= 0 && r.top < 200; }", "the second dimension shown from its top", 10)  # fmt: skip
            assert selected(page).startswith(second.title.fr)
            assert "dim=" + second.id in page.url
            settle(page)

            # "Question suivante sans réponse": back in the first dimension, at the skipped question
            click_and_wait(page, page.locator(".st-key-next-unanswered button"))
            target = question_selector(skipped)
            wait_for(page, f"() => {{ const e = document.querySelector('{target}'); if (!e) return false; "
                           "const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < 250; }",
                     "the unanswered question brought to the top of the screen", 10)  # fmt: skip
            assert selected(page).startswith(first.title.fr)
            question = page.locator(target)
            assert question.locator("input:checked").count() == 0, "it is unanswered"
            assert question.locator("[aria-pressed=true], [aria-checked=true]").count() == 0
            time.sleep(0.3)
            assert 0 <= top_of(page, target) < 250, "and it stays there once the page has settled"
    finally:
        server.stop()
        ctx.uow.engine.dispose()
