"""The Séance page (app_pages/coaching.py) with AppTest, and the notes under the questions of the
Diagnostic page: notes saved and shown, the presenting view never draws a private note, the checked
progress, a company manager reads the shared notes only.

Each page runs alone (`AppTest.from_function`) with the context of the person acting, on the SQLite
database of the `db` fixture.
"""

from __future__ import annotations

import pytest
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

from diagnostic.core.profile import Profile
from diagnostic.core.roles import Role
from diagnostic.i18n import t as translate
from diagnostic.services import answers, assessments, coaching, companies, workspaces
from diagnostic.services.context import Context
from tests.conftest import page_script

FLASH = "rse-flash"  # 1 to 10 employees: 23 questions apply
Q1, Q2, Q3 = "gov.demarche-rse", "gov.parties-prenantes", "gov.tableau-de-bord"  # the first three, in order
# no Markdown punctuation: they read the same escaped (ui/text.plain) or not, wherever they are drawn
PRIVATE = "Secret prive du consultant"
SHARED = "Partage visible du client"


def t(key: str, **values: object) -> str:
    return translate(key, "fr", **values)


def rendered(at: AppTest) -> str:
    """Everything the page sent to the browser: every element's message, labels and values included."""
    parts = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(text_format.MessageToString(proto, as_utf8=True))
    return "\n".join(parts)


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert not errors, errors
    return at


@pytest.fixture
def assessment(db: Context) -> tuple[int, int]:
    company = companies.save_company(db, None, "Atelier Séance", Profile(headcount_band="1-10"))
    return company.id, assessments.start_assessment(db, company.id, FLASH, respondent="Rémi").id


def manager_of(db: Context, company_id: int) -> Context:
    """The company's manager (the client), signed in, on the same database."""
    workspace_id = companies.get_company(db, company_id).workspace_id
    email = "claire@example.org"
    issued = workspaces.invite(db, workspace_id, Role.COMPANY_MANAGER, (company_id,), email=email)
    claire = workspaces.signed_in_actor(db.uow, "https://id.example.org", "claire", email, "Claire")
    workspaces.accept_invitation(Context(db.uow, claire), issued.token, email, True)
    return Context(db.uow, claire, "fr", workspace_id=workspace_id)


def page(ctx: Context, ids: tuple[int, int], name: str = "coaching", **session: object) -> AppTest:
    at = AppTest.from_function(page_script, args=(name, ctx, ("company", "consensus", "results")), default_timeout=30)
    at.session_state["lang"] = "fr"
    at.session_state["company_id"], at.session_state["assessment_id"] = ids
    for key, value in session.items():
        at.session_state[key] = value
    return ok(at.run())


def test_a_coach_notes_shares_and_checks_an_answer_and_answers_it(db, assessment, page_files_beside_the_script) -> None:
    _, a = assessment
    at = page(db, assessment)
    assert at.title[0].value == t("coaching.title")
    assert t("coaching.progress", checked=0, applicable=23) in rendered(at)
    assert at.selectbox(key="coaching-picker").value == Q1

    ok(at.text_area(key=f"note-{a}-{Q1}").input("  Le dirigeant porte la démarche  ").run())
    assert {q: (n.text, n.shared) for q, n in coaching.notes(db, a).items()} == {Q1: ("Le dirigeant porte la démarche", False)}
    assert at.text_area(key=f"note-{a}-{Q1}").value == "Le dirigeant porte la démarche"
    ok(at.toggle(key=f"share-{a}-{Q1}").set_value(True).run())
    assert coaching.notes(db, a)[Q1].shared
    ok(at.checkbox(key=f"checked-{a}-{Q1}").check().run())
    assert coaching.notes(db, a)[Q1].checked and coaching.progress(db, a) == (1, 23)
    assert t("coaching.progress", checked=1, applicable=23) in rendered(at)
    # the answer widgets save as on the Diagnostic page
    ok(at.radio(key=f"q-{a}-{Q1}").set_value(3).run())
    assert answers.load_answers(db, a)[Q1].value == 3

    # the next question, then back: the note is read again from the database
    ok(at.button(key="coaching-next").click().run())
    assert at.selectbox(key="coaching-picker").value == Q2
    assert at.text_area(key=f"note-{a}-{Q2}").value == ""
    ok(at.button(key="coaching-previous").click().run())
    assert at.text_area(key=f"note-{a}-{Q1}").value == "Le dirigeant porte la démarche"
    assert at.toggle(key=f"share-{a}-{Q1}").value and at.checkbox(key=f"checked-{a}-{Q1}").value


def test_a_note_refused_is_said_and_kept_on_screen(db, assessment, page_files_beside_the_script) -> None:
    _, a = assessment
    at = page(db, assessment)
    typed = "vu\x07ensemble"  # a control character (Streamlit itself cuts a note at max_chars)
    at.text_area(key=f"note-{a}-{Q1}").input(typed).run()
    assert not at.exception
    reason = t("text.control", codepoint="U+0007", position=3)
    assert [e.value for e in at.error] == [t("coaching.bad_text", reason=reason)]
    assert at.text_area(key=f"note-{a}-{Q1}").value == typed, "what was typed is not lost"
    assert coaching.notes(db, a) == {}


def test_presenting_never_draws_a_private_note(db, assessment, page_files_beside_the_script) -> None:
    _, a = assessment
    coaching.save_note(db, a, Q1, PRIVATE, shared=False)
    coaching.set_checked(db, a, Q1, True)
    coaching.save_note(db, a, Q2, SHARED, shared=True)
    at = page(db, assessment)
    assert PRIVATE in rendered(at)  # preparing: the coach's own field holds it

    ok(at.toggle(key="coaching-presenting").set_value(True).run())
    assert PRIVATE not in rendered(at)
    assert not at.text_area and not at.selectbox, "no note field, no filter, no picker"
    assert at.checkbox(key=f"checked-{a}-{Q1}").value, "the mark stays at hand"
    assert "font-size" in rendered(at), "the large type"
    ok(at.button(key="coaching-next").click().run())
    assert [i.value for i in at.info] == [f"**{t('coaching.shared_note')}**  \n{SHARED}"]
    assert PRIVATE not in rendered(at)
    # out of presenting and back: the filters kept, the private note still never drawn
    ok(at.toggle(key="coaching-presenting").set_value(False).run())
    assert at.text_area(key=f"note-{a}-{Q2}").value == SHARED
    ok(at.toggle(key="coaching-presenting").set_value(True).run())
    ok(at.button(key="coaching-previous").click().run())
    assert PRIVATE not in rendered(at)


def test_the_unchecked_filter_and_the_progress(db, assessment, page_files_beside_the_script) -> None:
    _, a = assessment
    coaching.set_checked(db, a, Q1, True)
    coaching.set_checked(db, a, Q2, True)
    at = page(db, assessment)
    assert t("coaching.progress", checked=2, applicable=23) in rendered(at)
    ok(at.checkbox(key="coaching-unchecked").check().run())
    assert at.selectbox(key="coaching-picker").value == Q3, "the first answer not checked yet"
    assert len(at.selectbox(key="coaching-picker").options) == 21
    # checking it moves on to the next one not checked yet
    ok(at.checkbox(key=f"checked-{a}-{Q3}").check().run())
    assert t("coaching.progress", checked=3, applicable=23) in rendered(at)
    assert at.selectbox(key="coaching-picker").value == "qual.satisfaction-clients"
    # one dimension only: governance has three questions, all checked now
    ok(at.selectbox(key="coaching-dimension").set_value("gov").run())
    assert [i.value for i in at.info] == [t("coaching.none_left")]


def test_a_company_manager_reads_the_shared_notes_only(db, assessment, page_files_beside_the_script) -> None:
    company_id, a = assessment
    coaching.save_note(db, a, Q1, PRIVATE, shared=False)
    coaching.set_checked(db, a, Q1, True)
    coaching.save_note(db, a, Q2, SHARED, shared=True)
    claire = manager_of(db, company_id)

    at = page(claire, assessment)
    assert t("coaching.client_view") in [i.value for i in at.info]
    assert not at.text_area and not [c for c in at.checkbox if c.key and c.key.startswith("checked-")]
    assert not [w for w in at.toggle if w.key and w.key.startswith("share-")]
    assert t("coaching.checked_on", day="") in rendered(at)  # the mark on the first answer
    assert PRIVATE not in rendered(at)
    ok(at.button(key="coaching-next").click().run())
    assert f"**{t('coaching.shared_note')}**  \n{SHARED}" in [i.value for i in at.info]
    assert PRIVATE not in rendered(at)
    # the client may answer (a company manager edits the company's answers)
    ok(at.radio(key=f"q-{a}-{Q2}").set_value(2).run())
    assert answers.load_answers(db, a)[Q2].value == 2


def test_the_diagnostic_page_shows_the_notes_under_the_questions(db, assessment, page_files_beside_the_script) -> None:
    company_id, a = assessment
    coaching.save_note(db, a, Q1, PRIVATE, shared=False)
    coaching.save_note(db, a, Q2, SHARED, shared=True)
    coaching.set_checked(db, a, Q3, True)

    mine = rendered(page(db, assessment, "diagnostic"))
    assert f"{t('coaching.private_note_lead')} {PRIVATE}" in mine
    assert f"{t('coaching.shared_note_lead')} {SHARED}" in mine
    theirs = rendered(page(manager_of(db, company_id), assessment, "diagnostic"))
    assert PRIVATE not in theirs and t("coaching.private_note_lead") not in theirs
    assert f"{t('coaching.shared_note_lead')} {SHARED}" in theirs
    assert t("coaching.checked_on", day="") in theirs
