"""The participative diagnostic's pages with AppTest: the owner's Participants page, and the
respondent's page that a link opens (app.py with `?repondre=<token>`, no sidebar).

Real SQLite database (the `db` fixture: the file DATABASE_URL names), as tests/test_pages.py does; a
viewer's page runs alone (`AppTest.from_function`), handed a viewer's context on the same database.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from diagnostic.core.audience import GROUPS
from diagnostic.core.profile import Profile
from diagnostic.core.roles import Role
from diagnostic.i18n import t as translate
from diagnostic.services import assessments, companies, participation, respondents, workspaces
from diagnostic.services.context import Context
from tests.conftest import ROOT, page_script

APP = ROOT / "app.py"
PARTICIPANTS = "app_pages/participants.py"
GROUP_NAMES = ["Direction", "Encadrement", "Collaborateurs", "Consultant", "Parties prenantes externes"]


def t(key: str, **values: object) -> str:
    return translate(key, "fr", **values)


def texts(at: AppTest) -> str:
    parts: list[object] = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error", "success", "code"):
        parts += [e.value for e in getattr(at, kind)]
    parts += [r.label for r in at.radio] + [b.label for b in at.button]
    return "\n".join(str(p) for p in parts)


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    said = texts(at)
    assert t("error.unexpected") not in said and t("error.database") not in said
    return at


def participants_page(**session: object) -> AppTest:
    """app.py as the local owner reaches it, on the Participants page of the session's assessment."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in session.items():
        at.session_state[key] = value
    at.run()
    return ok(at.switch_page(PARTICIPANTS).run())


def respondent_page(**params: str) -> AppTest:
    """app.py opened by a respondent's address (`?repondre=…` and whatever else the address holds)."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    return ok(at.run())


def submit(at: AppTest, label: str, form: str | None = None):
    """The form submit button of that label (in that form — its key, before the count of links made
    that the page appends to give a fresh form after each link): exactly one."""
    found = [b for b in at.button if b.label == label and (form is None or b.proto.form_id.rsplit("-", 1)[0] == form)]
    assert len(found) == 1, (label, form, [(b.label, b.proto.form_id) for b in at.button])
    return found[0]


def urls(at: AppTest) -> list[str]:
    return [c.value for c in at.code if "?repondre=" in c.value]


@pytest.fixture
def assessment(db: Context) -> tuple[int, int]:
    company = companies.save_company(db, None, "Atelier Participatif", Profile(headcount_band="20-49", sector="16.23Z"))
    found = assessments.start_assessment(db, company.id, "rse-performance-globale")
    return company.id, found.id


def groups_of(db: Context, assessment_id: int) -> dict[str, int]:
    found = participation.participation(db, assessment_id)
    assert found is not None
    return {g.group.key: g.group.id for g in found.groups}


# --- the owner's page ------------------------------------------------------------------------------


def test_open_the_assessment_to_groups_then_make_links(db, assessment) -> None:
    company_id, assessment_id = assessment
    at = participants_page(company_id=company_id, assessment_id=assessment_id)
    said = texts(at)
    assert t("participants.open") in said and "Direction ·" not in said  # the open form, no group yet
    [k] = [n for n in at.number_input if n.label == t("participants.k")]
    [comment_k] = [n for n in at.number_input if n.label == t("participants.comment_k")]
    k.set_value(3)
    comment_k.set_value(3)
    ok(submit(at, t("participants.open")).click().run())
    opened = participation.participation(db, assessment_id)
    assert opened is not None and (opened.campaign.k, opened.campaign.comment_k) == (3, 3)
    assert [g.group.key for g in opened.groups] == list(GROUPS)
    subheaders = [s.value for s in at.subheader]
    for name in GROUP_NAMES:
        assert any(s.startswith(f"{name} · ") for s in subheaders), (name, subheaders)
    groups = groups_of(db, assessment_id)

    # a named link without a name: the French refusal, and no link
    ok(submit(at, t("participants.make_named_link"), f"link-{groups['direction']}").click().run())
    assert participation.participation(db, assessment_id).group(groups["direction"]).links == []
    # said on the run of the click (participants.py sets it aside for the next run, and does not rerun)
    assert t("participation.name_needed") in [e.value for e in at.error]

    # a group link: its address shown once
    ok(submit(at, t("participants.make_group_link"), f"link-{groups['staff']}").click().run())
    [url] = urls(at)
    assert t("participants.group_link") in texts(at) and t("participants.shown_once") in texts(at)
    assert len(participation.participation(db, assessment_id).group(groups["staff"]).links) == 1
    assert (
        respondents.enter(db, url.split("?repondre=", 1)[1]).group.key == "staff"
    )  # the address opens the staff questions
    ok(at.run())
    assert urls(at) == [], "the address is shown once"


# --- a viewer: the page alone, with a viewer's context ----------------------------------------------


def test_a_viewer_sees_the_page_read_only(db, assessment, page_files_beside_the_script) -> None:
    company_id, assessment_id = assessment
    workspace_id = companies.get_company(db, company_id).workspace_id
    email = "vera@example.org"
    issued = workspaces.invite(db, workspace_id, Role.VIEWER, email=email)
    vera = workspaces.signed_in_actor(db.uow, "https://id.example.org", "vera", email, "Vera")
    workspaces.accept_invitation(Context(db.uow, vera), issued.token, email, True)
    viewer = Context(db.uow, vera, "fr", workspace_id=workspace_id)

    def page() -> AppTest:
        at = AppTest.from_function(page_script, args=("participants", viewer, ("crossed", "consensus")), default_timeout=30)
        at.session_state["lang"] = "fr"
        at.session_state["company_id"], at.session_state["assessment_id"] = company_id, assessment_id
        return ok(at.run())

    closed = page()  # not opened: the form is shown, its button disabled
    assert submit(closed, t("participants.open")).disabled

    participation.open_participation(db, assessment_id, k=3, comment_k=3)
    staff = groups_of(db, assessment_id)["staff"]
    participation.create_link(db, assessment_id, staff)
    at = page()
    assert [s.value.split(" · ")[0] for s in at.subheader] == GROUP_NAMES
    assert at.button and all(b.disabled for b in at.button), [
        (b.label, b.disabled) for b in at.button if not b.disabled
    ]
    settings = [*at.toggle, *(w for w in at.text_input if w.label == t("participants.group_label"))]
    assert len(settings) == 1 + 5 + 5 and all(w.disabled for w in settings), "no setting, name or mode can change"
    assert t("participants.revoke") not in [b.label for b in at.button]


# --- the respondent's page ----------------------------------------------------------------------------


@pytest.fixture
def links(db, assessment) -> dict[str, object]:
    """The assessment opened (k=3), a staff group link, a named direction link, another company."""
    company_id, assessment_id = assessment
    participation.open_participation(db, assessment_id, k=3, comment_k=3)
    groups = groups_of(db, assessment_id)
    other = companies.save_company(db, None, "Autre SARL", Profile())
    return {
        "assessment_id": assessment_id,
        "staff": participation.create_link(db, assessment_id, groups["staff"]),
        "direction": participation.create_link(db, assessment_id, groups["direction"], name="Claire Dubois"),
        "other": other.id,
    }


def test_a_group_link_opens_its_questions_and_an_answer_is_saved(db, links) -> None:
    at = respondent_page(repondre=links["staff"].token)
    said = texts(at)
    assert t("respond.anonymous", k=3) in said
    assert t("respond.intro", group="Collaborateurs") in said
    assert len(at.sidebar.selectbox) == 0, "no sidebar for a respondent"
    key = at.session_state["respondent_key"]
    assert key != links["staff"].token, "a group link gives each respondent a key of their own"
    mine = respondents.view(db, key)
    first = mine.asked[0]
    radio = at.radio(key=f"q-0-{first}")
    assert radio.label.startswith("1. ")
    asked = set(mine.asked)
    not_asked = [q for q in mine.questionnaire.questions if q not in asked]
    assert not_asked and not any(r.key and r.key.removeprefix("q-0-") in not_asked for r in at.radio)

    ok(radio.set_value(3).run())
    assert respondents.view(db, key).answers == {first: 3}


def test_a_named_link_shows_the_named_note(db, links) -> None:
    at = respondent_page(repondre=links["direction"].token)
    assert t("respond.named") in texts(at) and t("respond.intro", group="Direction") in texts(at)


def test_unknown_and_revoked_links_get_the_same_words(db, links) -> None:
    unknown = respondent_page(repondre="x" * 43)
    assert [e.value for e in unknown.error] == [t("respond.invalid")]
    assert "Atelier Participatif" not in texts(unknown)
    participation.revoke_link(db, links["assessment_id"], links["staff"].link.id)
    revoked = respondent_page(repondre=links["staff"].token)
    assert [e.value for e in revoked.error] == [t("respond.invalid")]
    assert not revoked.radio


def test_an_id_in_the_address_is_answered_as_not_found(db, links) -> None:
    at = respondent_page(repondre=links["direction"].token, c=str(links["other"]))
    assert t("access.not_found") in [w.value for w in at.warning]
    assert "Autre SARL" not in texts(at)
    assert len(at.sidebar.selectbox) == 0
