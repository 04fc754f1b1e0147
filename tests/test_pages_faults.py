"""AppTest: a failed or conflicting save is said in the user's language and never shown as saved."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.exc import OperationalError

from diagnostic.core.errors import StorageUnavailable
from diagnostic.core.profile import Profile
from diagnostic.i18n import t
from diagnostic.services import answers, assessments, companies, questionnaires
from tests.test_pages import app, no_unexpected_error, texts
from ui.text import plain

Q = "gov.demarche-rse"


def started(db):
    company = companies.save_company(db, None, "Atelier", Profile(headcount_band="20-49"))
    assessment = assessments.start_assessment(db, company.id, "rse-flash", respondent="Claire")
    return company, assessment


def stored(db, assessment_id: int, question_id: str = Q):
    row = answers.load_answers(db, assessment_id).get(question_id)
    return row.value if row else None


def first_sentence(key: str, lang: str = "fr") -> str:
    return t(key, lang).split(":")[0]


@pytest.mark.parametrize(
    ("failure", "message_key"),
    [
        (StorageUnavailable(busy=True), "save.busy"),
        (StorageUnavailable(busy=False), "save.unreachable"),
        (OperationalError("SELECT 1", {}, Exception("server closed the connection")), "save.unreachable"),
        (RuntimeError("anything else"), "save.failed"),
    ],
)
def test_a_failed_save_puts_the_widget_back_and_says_why(db, monkeypatch, failure, message_key) -> None:
    company, assessment = started(db)
    answers.record_answer(db, questionnaires.questionnaire_of(db.uow, assessment), assessment.id, Q, 1)
    at = app("diagnostic", company_id=company.id, assessment_id=assessment.id)
    radio = at.radio(key=f"q-{assessment.id}-{Q}")
    assert radio.value == 1

    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr(answers, "record_answer", fail)  # what ui/questions.py calls
    radio.set_value(3).run()
    assert not at.exception
    assert t(message_key, "fr") in texts(at)
    # the question's widget is a new one (ui/questions.py, GENERATION): the old one's refused value,
    # still held by the browser, can never be saved by a later request
    (renewed,) = [r for r in at.radio if r.key and r.key.split("~")[0] == f"q-{assessment.id}-{Q}"]
    assert renewed.key == f"q-{assessment.id}-{Q}~1"
    assert renewed.value == 1, "the screen shows what is stored, not the lost click"
    assert stored(db, assessment.id) == 1


def test_the_second_person_is_told_and_shown_the_first_persons_answer(db) -> None:
    company, assessment = started(db)
    at = app("diagnostic", company_id=company.id, assessment_id=assessment.id)
    # meanwhile, on another screen, someone answers 4
    questionnaire = questionnaires.questionnaire_of(db.uow, assessment)
    answers.record_answer(db, questionnaire, assessment.id, Q, 4, answered_by="Anne", shown=None)
    at.radio(key=f"q-{assessment.id}-{Q}").set_value(1).run()
    no_unexpected_error(at)
    assert t("save.conflict", "fr", who="Anne") in texts(at)
    assert at.radio(key=f"q-{assessment.id}-{Q}").value == 4
    assert stored(db, assessment.id) == 4
    # now shown 4, the choice goes through
    at.radio(key=f"q-{assessment.id}-{Q}").set_value(1).run()
    assert stored(db, assessment.id) == 1
    assert t("save.conflict", "fr", who="Anne") not in texts(at)


def test_a_comment_written_over_someone_elses_is_refused_and_given_back(db) -> None:
    company, assessment = started(db)
    at = app("diagnostic", company_id=company.id, assessment_id=assessment.id)
    answers.record_comment(db, assessment.id, Q, "preuve : PV du CODIR", answered_by="Anne", shown="")
    at.text_input(key=f"c-{assessment.id}-{Q}").input("mon *avis*").run()
    no_unexpected_error(at)
    assert t("save.conflict_comment", "fr", who="Anne", mine=plain("mon *avis*")) in texts(at)
    assert at.text_input(key=f"c-{assessment.id}-{Q}").value == "preuve : PV du CODIR"
    assert answers.load_answers(db, assessment.id)[Q].comment == "preuve : PV du CODIR"


def test_a_redraw_shows_answers_given_on_another_screen(db) -> None:
    company, assessment = started(db)
    at = app("diagnostic", company_id=company.id, assessment_id=assessment.id)
    assert at.radio(key=f"q-{assessment.id}-{Q}").value is None
    answers.record_answer(db, questionnaires.questionnaire_of(db.uow, assessment), assessment.id, Q, 2, shown=None)
    at.run()
    assert at.radio(key=f"q-{assessment.id}-{Q}").value == 2


def test_two_assessments_of_one_day_have_distinct_labels_and_the_open_one_stays(db) -> None:
    company, older = started(db)
    newer = assessments.start_assessment(db, company.id, "rse-flash")
    at = app("diagnostic", company_id=company.id, assessment_id=newer.id)
    chooser = at.sidebar.selectbox(key="sidebar-assessment")
    labels = chooser.options  # as shown: formatted
    assert len(set(labels)) == 2, labels
    assert chooser.value == newer.id
    at.radio(key=f"q-{newer.id}-{Q}").set_value(2).run()
    assert at.session_state["assessment_id"] == newer.id
    assert stored(db, newer.id) == 2 and stored(db, older.id) is None
    # a deliberate pick changes it
    at.sidebar.selectbox(key="sidebar-assessment").select(older.id).run()
    assert at.session_state["assessment_id"] == older.id


def test_a_company_name_is_shown_as_text(db) -> None:
    name = "**Gras** :red[rouge] $x^2$ ![p](http://127.0.0.1:9/p.png)"
    company = companies.save_company(db, None, name, Profile())
    assessment = assessments.start_assessment(db, company.id, "rse-flash")
    for page in ("diagnostic", "results", "followup"):
        at = app(page, company_id=company.id, assessment_id=assessment.id)
        no_unexpected_error(at)
        captions = [c.value for c in at.caption]
        assert any(plain(name) in c for c in captions), (page, captions)
        assert not any(name in c for c in captions)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_plain_text_reads_back_exactly_and_leaves_no_markdown_syntax(text) -> None:
    escaped = plain(text)
    # removing the escapes gives the text back (line breaks are Markdown hard breaks)
    assert re.sub(r"\\(.)", r"\1", escaped.replace("  \n", "\n"), flags=re.DOTALL) == text
    # every ASCII punctuation character is escaped, so none can start Markdown or Streamlit syntax
    unescaped = re.sub(r"\\.", "", escaped, flags=re.DOTALL)
    assert not set(unescaped) & (set(string.punctuation) - {",", ";", "?"})


def test_an_invalid_questionnaire_file_is_reported_where_questionnaires_are_chosen(db, monkeypatch) -> None:
    company = companies.save_company(db, None, "Atelier", Profile())
    broken = [("/x/questionnaires/aa-broken.yaml", "line 3: …")]
    monkeypatch.setattr(questionnaires, "questionnaire_problems", lambda: broken)  # what app_pages/company.py calls
    at = app("company", company_id=company.id)
    no_unexpected_error(at)
    assert t("company.questionnaire_skipped", "fr", file=plain("aa-broken.yaml")) in texts(at)
    assert len(at.selectbox) >= 2  # the valid questionnaires are still offered


@pytest.mark.parametrize(
    ("name", "message_key"),
    [
        ("Dur\u0430nd SARL", "company.name_invalid"),  # a Cyrillic а among Latin letters
        ("Durand\u200b SARL", "company.name_invalid"),  # a zero-width space
        ("Durand\u202e SARL", "company.name_invalid"),  # a bidi override
        (" \u3000 ", "company.name_required"),  # only spaces
    ],
)
def test_a_look_alike_or_invisible_company_name_is_refused(db, name, message_key) -> None:
    at = app("company")
    at.text_input[0].input(name)
    at.button[0].click().run()
    no_unexpected_error(at)
    assert t(message_key, "fr").split(" :")[0] in texts(at)
    assert companies.list_companies(db) == []


def test_company_names_are_stored_in_one_unicode_form(db) -> None:
    companies.save_company(db, None, "Cafe\u0301 du Port", Profile())  # e + combining accent
    assert [c.name for c in companies.list_companies(db)] == ["Café du Port"]
    assert companies.find_by_name(db, "Café du Port")
