"""The coaching session's rules (diagnostic/services/coaching.py) on SQLite and PostgreSQL: who writes
notes and marks, who reads which notes, what is out of reach, limits, deletion, audit, progress.

One database per module and engine; the people of the owner's workspace are invited once; every test
opens its own company and assessment (and its own company manager, who is named for one company).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from diagnostic import i18n
from diagnostic.core.answers import AnswerProblem
from diagnostic.core.errors import Conflict
from diagnostic.core.profile import Profile
from diagnostic.core.roles import NotAllowed, Role
from diagnostic.questionnaire_files import find_questionnaire
from diagnostic.services import answers, assessments, coaching, companies, workspaces
from diagnostic.services.coaching import NOTE_MAX, CoachingRefused, NoteView
from diagnostic.services.context import Context
from diagnostic.storage.coaching import CoachingNoteRecord
from diagnostic.storage.models import CoachingNote
from tests.conftest import local_context, outcome

FLASH = "rse-flash"  # 24 questions; with 1 to 10 employees the works council (rh.cse) does not apply: 23
Q1, Q2, Q3, Q4 = "gov.demarche-rse", "gov.parties-prenantes", "env.energie-suivi", "eco.innovation"
NOT_APPLICABLE = "rh.cse"  # from 11 employees
MISSING = 999_999
ISSUER = "https://id.example.org"
_unique = itertools.count(1)

COACHES = ("owner", "consultant", "admin", "operator")
CLIENTS = ("manager", "viewer")  # see the company, are not coaches


@pytest.fixture(scope="module")
def engine(module_engine):
    return module_engine


def signed_in(uow: Any, subject: str) -> Context:
    email = f"{subject}@example.org"
    return Context(uow, workspaces.signed_in_actor(uow, ISSUER, subject, email, subject.title()))


def member(owner: Context, role: Role, company_ids: tuple[int, ...] = ()) -> Context:
    """A new person invited into the owner's workspace with that role, who accepted."""
    ((workspace, _),) = workspaces.my_workspaces(owner)
    subject = f"{role.value}{next(_unique)}"
    issued = workspaces.invite(owner, workspace.id, role, company_ids, email=f"{subject}@example.org")
    ctx = signed_in(owner.uow.fresh(), subject)
    workspaces.accept_invitation(ctx, issued.token, f"{subject}@example.org", email_verified=True)
    return ctx


@pytest.fixture(scope="module")
def people(engine) -> dict[str, Context]:
    """The local owner and the workspace's other members; the command line's operator; the owner of
    another workspace; a signed-in person with no access at all."""
    owner = local_context(engine)
    found = {"owner": owner}
    for role in (Role.CONSULTANT, Role.ADMIN, Role.VIEWER):
        found[role.value] = member(owner, role)
    found["operator"] = workspaces.operator_context(owner.uow.fresh())
    uow = owner.uow.fresh()
    _, issued = workspaces.create_workspace(workspaces.operator_context(uow), f"Cabinet {next(_unique)}")
    stranger = signed_in(uow, f"autre{next(_unique)}")
    workspaces.accept_invitation(stranger, issued.token, "", email_verified=True)
    found["other_workspace"] = stranger
    found["nobody"] = signed_in(owner.uow.fresh(), f"personne{next(_unique)}")
    return found


@dataclass
class Session:
    people: dict[str, Context]  # the module's, plus this company's manager ("manager")
    company_id: int
    assessment_id: int

    def __getitem__(self, who: str) -> Context:
        return self.people[who]


@pytest.fixture
def session(people) -> Session:
    """A new company (1 to 10 employees) with a flash assessment, and its company manager; the manager
    of another company of the workspace is "other_manager"."""
    owner = people["owner"]
    company = companies.save_company(owner, None, f"Atelier {next(_unique)}", Profile(headcount_band="1-10"))
    other = companies.save_company(owner, None, f"Voisin {next(_unique)}", Profile())
    assessment = assessments.start_assessment(owner, company.id, FLASH, label="2026")
    found = dict(people) | {
        "manager": member(owner, Role.COMPANY_MANAGER, (company.id,)),
        "other_manager": member(owner, Role.COMPANY_MANAGER, (other.id,)),
    }
    return Session(found, company.id, assessment.id)


def rows(ctx: Context, assessment_id: int) -> list[tuple[Any, ...]]:
    """The stored rows, read from the database itself."""
    query = select(CoachingNote.question_id, CoachingNote.text, CoachingNote.shared, CoachingNote.checked_on, CoachingNote.checked_by)
    with ctx.uow.engine.connect() as connection:
        return sorted(tuple(r) for r in connection.execute(query.where(CoachingNote.assessment_id == assessment_id)))


def audit_lines(s: Session) -> list[tuple[str, str, str]]:
    """The coaching lines of the session's assessment, oldest first."""
    ((workspace, _),) = workspaces.my_workspaces(s["owner"])
    log = workspaces.audit_log(s["owner"], workspace.id)
    mine = [(a.id, a.action, a.target, a.detail) for a in log if a.action.startswith("coaching.") and a.target == f"assessment:{s.assessment_id}"]
    return [line[1:] for line in sorted(mine)]


def seen(found: dict[str, NoteView]) -> dict[str, tuple[str, bool, bool]]:
    return {qid: (n.text, n.shared, n.checked) for qid, n in found.items()}


# --- who is a coach, who reads what ---------------------------------------------------------------


def test_coaches_are_the_editors_who_are_not_company_managers(session) -> None:
    s = session
    for who in COACHES:
        assert coaching.is_coach(s[who], s.company_id), who
    for who in (*CLIENTS, "other_manager", "other_workspace", "nobody"):
        assert not coaching.is_coach(s[who], s.company_id), who
    assert not coaching.is_coach(s["owner"], MISSING)


def test_private_notes_reach_coaches_only_clients_read_shared_notes_and_marks(session) -> None:
    s, a = session, session.assessment_id
    coaching.save_note(s["owner"], a, Q1, "Le dirigeant hésite : à creuser", shared=False)
    coaching.save_note(s["consultant"], a, Q2, "Bonne pratique : réunion annuelle", shared=True)
    coaching.save_note(s["admin"], a, Q3, "Factures vues, pas de suivi", shared=False)
    coaching.set_checked(s["operator"], a, Q3, True)
    coaching.set_checked(s["owner"], a, Q4, True)

    everything = {
        Q1: ("Le dirigeant hésite : à creuser", False, False),
        Q2: ("Bonne pratique : réunion annuelle", True, False),
        Q3: ("Factures vues, pas de suivi", False, True),
        Q4: ("", False, True),
    }
    for who in COACHES:
        assert seen(coaching.notes(s[who], a)) == everything, who
    for who in CLIENTS:
        found = coaching.notes(s[who], a)
        # the shared note; of the private ones, the marks only (no text, no author, no date of writing)
        assert seen(found) == {Q2: ("Bonne pratique : réunion annuelle", True, False), Q3: ("", False, True), Q4: ("", False, True)}, who
        assert (found[Q3].author, found[Q3].updated_at) == ("", None)
    # the marks say who checked them
    assert coaching.notes(s["manager"], a)[Q3].checked_by == "ligne de commande"


def test_clients_may_not_write_and_nothing_is_written(session) -> None:
    s, a = session, session.assessment_id
    coaching.save_note(s["owner"], a, Q1, "privée", shared=False)
    before = rows(s["owner"], a), audit_lines(s)
    for who in CLIENTS:
        with pytest.raises(NotAllowed):
            coaching.save_note(s[who], a, Q1, "écrasée", shared=True)
        with pytest.raises(NotAllowed):
            coaching.save_note(s[who], a, Q2, "nouvelle", shared=True)
        with pytest.raises(NotAllowed):
            coaching.set_checked(s[who], a, Q1, True)
        with pytest.raises(NotAllowed):  # even a note too long: who may write comes first
            coaching.save_note(s[who], a, Q2, "x" * (NOTE_MAX + 1), shared=True)
    assert (rows(s["owner"], a), audit_lines(s)) == before


def test_out_of_reach_behaves_as_a_missing_id(session) -> None:
    s, a = session, session.assessment_id
    coaching.save_note(s["owner"], a, Q1, "privée", shared=False)
    for who in ("other_manager", "other_workspace", "nobody"):
        ctx = s[who]
        calls = {
            "notes": lambda i: coaching.notes(ctx, i),  # noqa: B023 (called at once)
            "progress": lambda i: coaching.progress(ctx, i),  # noqa: B023
            "save": lambda i: coaching.save_note(ctx, i, Q1, "intrus", shared=True),  # noqa: B023
            "check": lambda i: coaching.set_checked(ctx, i, Q1, True),  # noqa: B023
        }
        for name, call in calls.items():
            mine = outcome(lambda: call(a))  # noqa: B023
            assert mine[:3] == ("raised", "NotFound", "access.not_found"), (who, name)
            assert mine == outcome(lambda: call(MISSING)), (who, name)  # noqa: B023
    assert rows(s["owner"], a) == [(Q1, "privée", False, None, "")]


def test_a_question_of_another_questionnaire_is_refused(session) -> None:
    s, a = session, session.assessment_id
    for call in (
        lambda: coaching.save_note(s["owner"], a, "rh.referent-harcelement", "note", shared=False),  # the full diagnostic's
        lambda: coaching.set_checked(s["consultant"], a, "pas.une-question", True),
    ):
        with pytest.raises(AnswerProblem) as caught:
            call()
        assert caught.value.code == "answer.unknown_question"
    assert rows(s["owner"], a) == []


# --- limits, deletion, marks, conflicts --------------------------------------------------------------


def test_a_note_up_to_the_limit_is_kept_longer_is_refused_clearly(session) -> None:
    s, a = session, session.assessment_id
    saved = coaching.save_note(s["owner"], a, Q1, "  " + "é" * NOTE_MAX + "\n", shared=False)
    assert saved is not None and saved.text == "é" * NOTE_MAX  # trimmed, then counted
    with pytest.raises(CoachingRefused) as caught:
        coaching.save_note(s["owner"], a, Q1, "é" * (NOTE_MAX + 1), shared=False)
    assert (caught.value.code, caught.value.params) == ("coaching.too_long", {"max": 4000, "length": 4001})
    assert i18n.error_text(caught.value, "fr") == "Note NON enregistrée : elle compte 4001 caractères, pour 4000 au plus."
    with pytest.raises(CoachingRefused) as caught:
        coaching.save_note(s["owner"], a, Q1, "a\x00b", shared=False)
    assert caught.value.code == "coaching.bad_text"
    assert i18n.error_text(caught.value, "fr") == "Note NON enregistrée : elle contient un caractère nul (NUL) en position 2."
    assert rows(s["owner"], a) == [(Q1, "é" * NOTE_MAX, False, None, "")]


def test_an_empty_note_without_a_mark_deletes_the_row(session) -> None:
    s, a = session, session.assessment_id
    assert coaching.save_note(s["owner"], a, Q1, "   ", shared=True) is None  # nothing to keep
    assert rows(s["owner"], a) == []
    coaching.save_note(s["owner"], a, Q1, "à voir", shared=True)
    assert coaching.save_note(s["owner"], a, Q1, "", shared=True) is None
    assert rows(s["owner"], a) == []
    # a mark keeps the row when the text goes; taking the mark off an empty note deletes it
    coaching.save_note(s["owner"], a, Q2, "vu", shared=False)
    coaching.set_checked(s["owner"], a, Q2, True)
    kept = coaching.save_note(s["owner"], a, Q2, "", shared=False)
    assert kept is not None and (kept.text, kept.checked) == ("", True)
    assert coaching.set_checked(s["owner"], a, Q2, False) is None
    assert rows(s["owner"], a) == []


def test_a_mark_says_the_day_and_who_and_comes_off(session) -> None:
    s, a = session, session.assessment_id
    consultant = s["consultant"]
    marked = coaching.set_checked(consultant, a, Q1, True)
    assert marked is not None and marked.checked_on == datetime.now(UTC).date()
    assert marked.checked_by == consultant.actor.label != ""
    coaching.save_note(consultant, a, Q1, "vu ensemble", shared=True)
    unmarked = coaching.set_checked(s["admin"], a, Q1, False)
    assert unmarked is not None and (unmarked.text, unmarked.checked_on, unmarked.checked_by) == ("vu ensemble", None, "")


def test_a_note_changed_meanwhile_is_not_overwritten(session) -> None:
    s, a = session, session.assessment_id
    coaching.save_note(s["owner"], a, Q1, "première", shared=False)
    coaching.save_note(s["consultant"], a, Q1, "deuxième", shared=False, shown="première")
    with pytest.raises(Conflict) as caught:  # the owner's screen still shows "première"
        coaching.save_note(s["owner"], a, Q1, "troisième", shared=False, shown="première")
    assert (caught.value.current, caught.value.by) == ("deuxième", s["consultant"].actor.label)
    assert rows(s["owner"], a) == [(Q1, "deuxième", False, None, "")]


def test_every_change_is_audited_without_the_note_itself(session) -> None:
    s, a = session, session.assessment_id
    target = f"assessment:{a}"
    coaching.save_note(s["owner"], a, Q1, "secret du client", shared=False)
    coaching.save_note(s["owner"], a, Q1, "secret du client", shared=False)  # unchanged: no line
    coaching.save_note(s["owner"], a, Q1, "secret du client", shared=True)
    coaching.set_checked(s["owner"], a, Q1, True)
    coaching.set_checked(s["owner"], a, Q1, True)  # already checked: no line
    coaching.set_checked(s["owner"], a, Q1, False)
    coaching.save_note(s["owner"], a, Q1, "", shared=True)
    assert audit_lines(s) == [
        ("coaching.note", target, f"{Q1}: private"),
        ("coaching.note", target, f"{Q1}: shared"),
        ("coaching.check", target, f"{Q1}: checked"),
        ("coaching.check", target, f"{Q1}: unchecked"),
        ("coaching.note", target, f"{Q1}: deleted"),
    ]


def test_progress_counts_the_marks_on_questions_that_apply(session) -> None:
    s, a = session, session.assessment_id
    assert coaching.progress(s["viewer"], a) == (0, 23)
    for qid in (Q1, Q2, NOT_APPLICABLE):  # the works council does not apply below 11 employees
        coaching.set_checked(s["owner"], a, qid, True)
    assert coaching.progress(s["manager"], a) == (2, 23)
    # an answer that hides a question: the sorting question is not asked of small public collection
    flash = find_questionnaire(FLASH)
    answers.record_answer(s["owner"], flash, a, "env.dechets-collecte", "public-petit")
    coaching.set_checked(s["owner"], a, "env.tri-flux", True)
    assert coaching.progress(s["owner"], a) == (2, 22)


# --- the property: a client never reads a private note --------------------------------------------


def record(qid: str, text: str, shared: bool, checked: bool) -> CoachingNoteRecord:
    day = datetime(2026, 3, 2, tzinfo=UTC)
    return CoachingNoteRecord(qid, text, shared, day.date() if checked else None, "C" if checked else "", "A", day)


NOTES = st.dictionaries(
    st.sampled_from([Q1, Q2, Q3, Q4]),
    st.tuples(st.text(alphabet="abcé ", max_size=6), st.booleans(), st.booleans()),
    max_size=4,
)


@given(NOTES, st.booleans())
@settings(max_examples=200, deadline=None)
def test_visible_never_gives_a_client_a_private_note(notes, coach) -> None:
    records = {qid: record(qid, *value) for qid, value in notes.items()}
    found = coaching.visible(records, coach)
    if coach:
        assert {q: (n.text, n.shared, n.checked) for q, n in found.items()} == notes
    else:
        assert all(n.shared or (n.text, n.author, n.updated_at) == ("", "", None) for n in found.values())
        assert set(found) == {q for q, (_, shared, checked) in notes.items() if shared or checked}


@given(NOTES, st.sampled_from(COACHES))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_on_the_database_a_client_never_reads_a_private_note(session, notes, writer) -> None:
    """Whoever of the coaches writes them, whatever the notes: each client reads the shared notes and
    the marks, never a private note's text; each coach reads them all."""
    s, a = session, session.assessment_id
    for qid in (Q1, Q2, Q3, Q4):  # the notes of the previous example go first
        coaching.set_checked(s["owner"], a, qid, False)
        coaching.save_note(s["owner"], a, qid, "", shared=False)
    for qid, (text, shared, checked) in notes.items():
        coaching.save_note(s[writer], a, qid, f"n°{qid}:{text}", shared)
        coaching.set_checked(s[writer], a, qid, checked)
    stored = {qid: (f"n°{qid}:{text}".strip(), shared, checked) for qid, (text, shared, checked) in notes.items()}
    for who in COACHES:
        assert seen(coaching.notes(s[who], a)) == stored
    for who in CLIENTS:
        found = coaching.notes(s[who], a)
        private = {stored[q][0] for q, (_, shared, _) in notes.items() if not shared}
        assert not private & {n.text for n in found.values()}
        assert seen(found) == {
            q: (t if shared else "", shared, checked) for q, (t, shared, checked) in stored.items() if shared or checked
        }
