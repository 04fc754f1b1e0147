"""The Preuves page (app_pages/evidence.py) with AppTest: the answered questions and their status, a link
added through the form, a refused link told in words and nothing kept, verify and remove, a viewer reads
only. (AppTest cannot upload a file: the browser journey does, tests/test_browser_evidence.py.)
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from diagnostic.core.profile import Profile
from diagnostic.core.roles import Role
from diagnostic.i18n import t as translate
from diagnostic.services import answers, assessments, companies, evidence, workspaces
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import questionnaire_of
from tests.conftest import drawn, page_script, said
from tests.test_evidence import pdf_bytes

FLASH = "rse-flash"
Q1, Q2 = "gov.demarche-rse", "env.energie-suivi"


def t(key: str, **values: object) -> str:
    return translate(key, "fr", **values)


@pytest.fixture
def ids(db: Context) -> tuple[int, int]:
    company = companies.save_company(db, None, "Atelier Preuves", Profile(headcount_band="1-10"))
    assessment = assessments.start_assessment(db, company.id, FLASH, respondent="Rémi")
    questionnaire = questionnaire_of(db.uow, assessment)
    answers.record_answer(db, questionnaire, assessment.id, Q1, 3)
    answers.record_answer(db, questionnaire, assessment.id, Q2, 1)
    return company.id, assessment.id


def page(ctx: Context, ids: tuple[int, int]) -> AppTest:
    at = AppTest.from_function(page_script, args=("evidence", ctx), default_timeout=30)
    at.session_state["lang"] = "fr"
    at.session_state["company_id"], at.session_state["assessment_id"] = ids
    return drawn(at.run())


def viewer_of(db: Context, company_id: int) -> Context:
    workspace_id = companies.get_company(db, company_id).workspace_id
    email = "vera@example.org"
    issued = workspaces.invite(db, workspace_id, Role.VIEWER, (), email=email)
    vera = workspaces.signed_in_actor(db.uow, "https://id.example.org", "vera", email, "Vera")
    workspaces.accept_invitation(Context(db.uow, vera), issued.token, email, True)
    return Context(db.uow, vera, "fr", workspace_id=workspace_id)


def test_a_link_is_added_verified_and_removed(db, ids, page_files_beside_the_script) -> None:
    _, a = ids
    at = page(db, ids)
    assert at.title[0].value == t("evidence.title")
    assert [m.value for m in at.metric] == ["2", "0", "0"]  # answered, backed, verified
    assert at.selectbox(key="evidence-question").value == Q1
    # a refused link: told in words, nothing kept
    at.text_input(key=f"evidence-url-{Q1}").input("javascript:alert(1)")
    drawn(at.button(key=f"FormSubmitter:evidence-link-{Q1}-{t('evidence.submit_link')}").click().run())
    assert t("evidence.link_invalid") in said(at)
    assert evidence.list_evidence(db, a) == {}
    # a good one
    at.text_input(key=f"evidence-url-{Q1}").input("https://exemple.fr/charte-rse")
    at.text_input(key=f"evidence-link-description-{Q1}").input("La charte publiée")
    drawn(at.button(key=f"FormSubmitter:evidence-link-{Q1}-{t('evidence.submit_link')}").click().run())
    assert t("evidence.added") in said(at)
    (record,) = evidence.list_evidence(db, a)[Q1]
    assert (record.url, record.description) == ("https://exemple.fr/charte-rse", "La charte publiée")
    assert [m.value for m in at.metric] == ["2", "1", "0"]
    assert "La charte publiée" in said(at)
    # the local owner is a coach: verifies
    drawn(at.button(key=f"evidence-verify-{record.id}").click().run())
    assert evidence.evidence_status(db, a) == {Q1: "verified"}
    assert [m.value for m in at.metric] == ["2", "1", "1"]
    assert t("evidence.status.verified") in said(at)
    drawn(at.button(key=f"evidence-remove-{record.id}").click().run())
    assert evidence.list_evidence(db, a) == {} and t("evidence.removed") in said(at)


def test_a_viewer_reads_and_downloads_but_has_no_form(db, ids, page_files_beside_the_script) -> None:
    company_id, a = ids
    kept = evidence.attach_file(db, a, Q1, "DUERP.pdf", pdf_bytes(), "Le DUERP")
    at = page(viewer_of(db, company_id), ids)
    assert "DUERP" in said(at) and "Le DUERP" in said(at)
    assert t("evidence.verifier_only") in said(at)
    assert not at.get("form") and not [b for b in at.button if b.key == f"evidence-remove-{kept.id}"]
    assert [m.value for m in at.metric] == ["2", "1", "0"]


def test_nothing_answered_yet_says_what_to_do(db, page_files_beside_the_script) -> None:
    company = companies.save_company(db, None, "Atelier Vide", Profile(headcount_band="1-10"))
    assessment = assessments.start_assessment(db, company.id, FLASH, respondent="Rémi")
    at = page(db, (company.id, assessment.id))
    assert t("evidence.none_answered") in said(at)


def test_the_diagnostic_page_says_which_answers_have_evidence(db, ids, page_files_beside_the_script) -> None:
    _, a = ids
    kept = evidence.attach_file(db, a, Q1, "DUERP.pdf", pdf_bytes())
    evidence.attach_link(db, a, Q1, "https://exemple.fr/duerp")
    evidence.set_verified(db, kept.id, True)
    at = AppTest.from_function(page_script, args=("diagnostic", db, ("consensus", "results")), default_timeout=30)
    at.session_state["lang"] = "fr"
    at.session_state["company_id"], at.session_state["assessment_id"] = ids
    text = said(drawn(at.run()))
    assert t("evidence.on_question", count=2, status=t("evidence.status.verified")) in text
    assert text.count(t("evidence.status.verified")) == 1  # Q2 has none: nothing under it
