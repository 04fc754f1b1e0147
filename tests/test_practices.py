"""The good-practice library's rules (diagnostic/services/practices.py) on the real database, SQLite
and PostgreSQL: publishing, validation, moderation, who sees what, matching beside a
recommendation, search, exports, and the demo library.

The world of each test: network N (moderator Léa, viewer Vic) with member companies A (owner Anna,
viewer Val; NAF 25.62A, 20-49) and B (owner Bob; NAF 28.11Z, 20-49), and network N2 (moderator
Olga) with member company C (owner Carl). Network members are inserted as rows (`add_member`).
"""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass
from datetime import date

import pytest
from openpyxl import load_workbook

from diagnostic.core.practices import PracticeInput
from diagnostic.core.profile import Profile
from diagnostic.core.roles import NotAllowed, Role
from diagnostic.services import practices as service
from diagnostic.services.context import Actor, Context
from diagnostic.storage.models import NetworkMember
from diagnostic.storage.uow import SqlUnitOfWork
from tests.conftest import outcome

_names = itertools.count(1)


def add_member(engine, network_id: int, company_id: int) -> int:
    """The company joins the network (a network_members row, as the networks' service would write it)."""
    uow = SqlUnitOfWork(engine)
    with uow:
        row = NetworkMember(network_id=network_id, company_id=company_id, joined_on=date(2025, 1, 15), shares=True)
        uow.practices.s.add(row)
        uow.practices.s.flush()
        return row.id


def person(engine, workspace_id: int, role: Role, name: str, company_ids: tuple[int, ...] = ()) -> Context:
    """A signed-in user holding `role` in the workspace, and their context."""
    uow = SqlUnitOfWork(engine)
    with uow:
        user = uow.users.sign_in("https://id.example.org", f"{name}-{next(_names)}", f"{name.lower()}@example.org", name)
        uow.workspaces.put_member(workspace_id, user.id, role.value, company_ids)
    return Context(SqlUnitOfWork(engine), Actor(user.id, label=name), "fr")


def join(ctx: Context, workspace_id: int, role: Role) -> None:
    """Give the context's user a role in another workspace too."""
    uow = SqlUnitOfWork(ctx.uow.engine)  # type: ignore[attr-defined]
    with uow:
        assert ctx.actor.user_id is not None
        uow.workspaces.put_member(workspace_id, ctx.actor.user_id, role.value)


@dataclass
class World:
    engine: object
    n: int
    n2: int
    a: int
    b: int
    c: int
    member_a: int
    member_b: int
    member_c: int
    wa: int
    lea: Context  # moderator of N
    vic: Context  # viewer of N
    anna: Context  # owner of A's workspace
    val: Context  # viewer of A's workspace
    bob: Context  # owner of B's workspace
    carl: Context  # owner of C's workspace
    olga: Context  # moderator of N2


def build_world(engine) -> World:
    uow = SqlUnitOfWork(engine)
    k = next(_names)
    with uow:
        n = uow.workspaces.add(f"Réseau Normandie {k}", "network").id
        n2 = uow.workspaces.add(f"Autre réseau {k}", "network").id
        wa = uow.workspaces.add(f"Mécanique Vallée {k}", "company").id
        wb = uow.workspaces.add(f"Fonderie Bois {k}", "company").id
        wc = uow.workspaces.add(f"Atelier Caux {k}", "company").id
        a = uow.companies.add(wa, "Mécanique Vallée", Profile(sector="25.62A", headcount_band="20-49")).id
        b = uow.companies.add(wb, "Fonderie Bois", Profile(sector="28.11Z", headcount_band="20-49")).id
        c = uow.companies.add(wc, "Atelier Caux", Profile(sector="25.62A", headcount_band="20-49")).id
    return World(
        engine, n, n2, a, b, c, add_member(engine, n, a), add_member(engine, n, b), add_member(engine, n2, c), wa,
        lea=person(engine, n, Role.OWNER, "Léa"), vic=person(engine, n, Role.VIEWER, "Vic"),
        anna=person(engine, wa, Role.OWNER, "Anna"), val=person(engine, wa, Role.VIEWER, "Val"),
        bob=person(engine, wb, Role.OWNER, "Bob"), carl=person(engine, wc, Role.OWNER, "Carl"),
        olga=person(engine, n2, Role.OWNER, "Olga"),
    )  # fmt: skip


@pytest.fixture
def w(module_engine) -> World:
    return build_world(module_engine)


def practice_input(title: str = "Sous-compteurs d’énergie", **changes) -> PracticeInput:
    values = {
        "title": title, "done": "Pose de sous-compteurs sur trois machines.", "results": "−14 % de kWh par pièce.",
        "effort": 2, "question_ids": ("env.energie-suivi",), "dimension_ids": ("env",),
    }  # fmt: skip
    return PracticeInput(**{**values, **changes})


def published(w: World, ctx: Context, company_id: int, network_id: int | None = None, **changes) -> int:
    """A practice of that company, published by the network's moderator."""
    network_id = network_id or w.n
    found = service.publish(ctx, network_id, company_id, practice_input(**changes))
    service.moderate(w.lea if network_id == w.n else w.olga, found.id, True)
    return found.id


def ids(views) -> list[int]:
    return [v.id for v in views]


def audit(engine, workspace_id: int) -> list[tuple[str, str]]:
    uow = SqlUnitOfWork(engine)
    with uow:
        return [(e.action, e.target) for e in uow.audit.list(workspace_id)]


# --- publishing ------------------------------------------------------------------------------------------


def test_a_member_publishes_a_practice_that_waits_for_moderation(w: World) -> None:
    saved = service.publish(w.anna, w.n, w.a, practice_input(contact="ignored@example.org"))
    assert saved.status == "submitted" and saved.published_at is None
    assert (saved.title, saved.effort, saved.question_ids, saved.dimension_ids) == (
        "Sous-compteurs d’énergie", 2, ("env.energie-suivi",), ("env",)
    )
    assert (saved.sector, saved.size) == ("C", "20-49"), "25.62A is in section C; the band is the company's"
    assert saved.contact == "", "no contact unless the member agrees to be contacted"
    assert saved.member_name == "Mécanique Vallée" and saved.mine and saved.editable
    assert saved.submitted_by == "Anna"
    assert ("practice.submit", f"practice:{saved.id}") in audit(w.engine, w.wa)
    assert ("practice.submit", f"practice:{saved.id}") in audit(w.engine, w.n)


def test_sector_size_and_contact_as_the_member_gives_them(w: World) -> None:
    saved = service.publish(
        w.anna, w.n, w.a, practice_input(sector="43.21A", size="50-249", may_contact=True, contact=" Qualite@Vallee.example.FR ")
    )
    assert (saved.sector, saved.size, saved.contact) == ("F", "50-249", "qualite@vallee.example.fr")
    assert service.publish(w.anna, w.n, w.a, practice_input(sector="q")).sector == "Q"


BAD_FIELDS = [
    ({"title": "  "}, "practice.required"),
    ({"title": "x" * 201}, "practice.too_long"),
    ({"title": "deux\u200blignes"}, "practice.bad_text"),
    ({"done": ""}, "practice.required"),
    ({"done": "x" * 4001}, "practice.too_long"),
    ({"results": "x" * 4001}, "practice.too_long"),
    ({"effort": 0}, "practice.bad_effort"),
    ({"effort": 4}, "practice.bad_effort"),
    ({"question_ids": ("env.nope",)}, "practice.unknown_question"),
    ({"dimension_ids": ("planete",)}, "practice.unknown_dimension"),
    ({"sector": "00.11Z"}, "practice.bad_sector"),
    ({"size": "12"}, "practice.bad_size"),
    ({"may_contact": True, "contact": ""}, "practice.contact_required"),
    ({"may_contact": True, "contact": "pas une adresse"}, "practice.bad_contact"),
    ({"may_contact": True, "contact": "a@b"}, "practice.bad_contact"),
]


def test_bad_fields_are_refused_with_their_reason(w: World) -> None:
    from diagnostic.core.practices import PracticeRefused
    from diagnostic.i18n import error_text

    for changes, code in BAD_FIELDS:
        with pytest.raises(PracticeRefused) as refused:
            service.publish(w.anna, w.n, w.a, practice_input(**changes))
        assert refused.value.code == code, changes
        assert error_text(refused.value, "fr") and error_text(refused.value, "en")  # both catalogues say it
    assert service.own(w.anna, w.n, w.a) == [], "nothing was written"


def test_only_an_editor_of_a_member_company_publishes(w: World) -> None:
    with pytest.raises(NotAllowed):
        service.publish(w.val, w.n, w.a, practice_input())  # a viewer of the company
    assert outcome(lambda: service.publish(w.bob, w.n, w.a, practice_input())) == outcome(
        lambda: service.publish(w.bob, w.n, 999_999, practice_input())
    ), "another workspace's company is not found"
    not_member = outcome(lambda: service.publish(w.anna, w.n2, w.a, practice_input()))
    assert not_member == outcome(lambda: service.publish(w.anna, 999_999, w.a, practice_input()))
    assert not_member[:2] == ("raised", "NotFound"), "a network the company is not a member of is not found"


# --- moderation and visibility ------------------------------------------------------------------------------


def test_a_submitted_practice_is_seen_by_its_author_and_the_moderators_only(w: World) -> None:
    p = service.publish(w.anna, w.n, w.a, practice_input()).id
    for ctx in (w.anna, w.val, w.lea):
        assert p in ids(service.library(ctx, w.n))
        assert service.practice(ctx, w.n, p).status == "submitted"
    assert p not in ids(service.library(w.bob, w.n)) and p not in ids(service.library(w.vic, w.n))
    missing = outcome(lambda: service.practice(w.bob, w.n, 999_999))
    for ctx in (w.bob, w.vic, w.carl, w.olga):
        assert outcome(lambda ctx=ctx: service.practice(ctx, w.n, p)) == missing
    assert ids(service.queue(w.lea, w.n)) == [p]
    with pytest.raises(NotAllowed):
        service.queue(w.vic, w.n)
    assert outcome(lambda: service.library(w.carl, w.n)) == outcome(lambda: service.library(w.carl, 999_999))


def test_publishing_shows_it_to_the_network_and_its_members_not_to_another_network(w: World) -> None:
    p = service.publish(w.anna, w.n, w.a, practice_input()).id
    assert outcome(lambda: service.moderate(w.olga, p, True)) == outcome(lambda: service.moderate(w.olga, 999_999, True))
    assert outcome(lambda: service.moderate(w.bob, p, True))[:2] == ("raised", "NotFound"), "bob cannot see it yet"
    done = service.moderate(w.lea, p, True, "Merci !")
    assert done.status == "published" and done.published_at is not None and done.moderated_by == "Léa"
    assert ("practice.publish", f"practice:{p}") in audit(w.engine, w.n)
    for ctx in (w.bob, w.vic, w.anna):
        assert p in ids(service.library(ctx, w.n))
    seen_by_bob = service.practice(w.bob, w.n, p)
    assert (seen_by_bob.moderation_note, seen_by_bob.submitted_by, seen_by_bob.mine, seen_by_bob.editable) == ("", "", False, False)
    assert service.practice(w.anna, w.n, p).moderation_note == "Merci !"
    with pytest.raises(NotAllowed):
        service.moderate(w.bob, p, False, "non")  # a member reads it but does not moderate
    with pytest.raises(NotAllowed):
        service.moderate(w.vic, p, False, "non")  # a viewer of the network neither
    assert outcome(lambda: service.practice(w.olga, w.n2, p)) == outcome(lambda: service.practice(w.olga, w.n2, 999_999))
    assert outcome(lambda: service.practice(w.lea, w.n2, p))[:2] == ("raised", "NotFound"), "another network's id"


def test_rejecting_needs_a_note_the_member_reads(w: World) -> None:
    from diagnostic.core.practices import PracticeRefused

    p = service.publish(w.anna, w.n, w.a, practice_input()).id
    with pytest.raises(PracticeRefused) as refused:
        service.moderate(w.lea, p, False, "   ")
    assert refused.value.code == "practice.note_required"
    with pytest.raises(PracticeRefused):
        service.moderate(w.lea, p, False, "x" * 4001)
    rejected = service.moderate(w.lea, p, False, "Ajoutez les chiffres avant/après.")
    assert rejected.status == "rejected"
    assert ("practice.reject", f"practice:{p}") in audit(w.engine, w.n)
    own = service.own(w.anna, w.n, w.a)
    assert [(v.status, v.moderation_note) for v in own] == [("rejected", "Ajoutez les chiffres avant/après.")]
    assert p not in ids(service.library(w.bob, w.n))


def test_the_member_edits_and_withdraws_its_own_practice(w: World) -> None:
    from diagnostic.core.practices import PracticeRefused

    p = published(w, w.anna, w.a)
    assert p in ids(service.search(w.bob, w.n))
    with pytest.raises(NotAllowed):
        service.edit(w.bob, p, practice_input("Autre"))
    with pytest.raises(NotAllowed):
        service.edit(w.val, p, practice_input("Autre"))  # reads the company, does not edit it
    with pytest.raises(NotAllowed):
        service.edit(w.lea, p, practice_input("Autre"))  # the moderator does not write the members' practices
    changed = service.edit(w.anna, p, practice_input("Sous-compteurs sur cinq machines", effort=3))
    assert (changed.title, changed.effort, changed.status, changed.moderation_note) == ("Sous-compteurs sur cinq machines", 3, "submitted", "")
    assert p not in ids(service.search(w.bob, w.n)), "back to moderation: out of the library"
    assert ids(service.queue(w.lea, w.n)) == [p]
    with pytest.raises(NotAllowed):
        service.withdraw(w.val, p)
    assert service.withdraw(w.anna, p).status == "withdrawn"
    assert ("practice.withdraw", f"practice:{p}") in audit(w.engine, w.wa)
    with pytest.raises(PracticeRefused) as refused:
        service.moderate(w.lea, p, True)
    assert refused.value.code == "practice.withdrawn"
    with pytest.raises(PracticeRefused):
        service.withdraw(w.anna, p)
    assert service.queue(w.lea, w.n) == []


def test_a_member_that_left_is_no_longer_shown(w: World) -> None:
    p = published(w, w.bob, w.b)
    uow = SqlUnitOfWork(w.engine)
    with uow:
        uow.practices.s.delete(uow.practices.s.get(NetworkMember, w.member_b))
    assert p not in ids(service.library(w.anna, w.n)) and p not in ids(service.search(w.anna, w.n))
    assert service.matching(w.anna, w.a, "env.energie-suivi", None) == []
    assert service.practice(w.lea, w.n, p).member_name == "", "the moderators still see it"


# --- matching beside a recommendation ---------------------------------------------------------------------


def test_matching_ranks_the_question_then_the_dimension_then_sector_size_and_date(w: World) -> None:
    own = published(w, w.anna, w.a, title="Mienne")
    dimension_only = published(w, w.bob, w.b, title="Bilan carbone", question_ids=("env.bilan-carbone",), dimension_ids=())
    other_sector = published(w, w.bob, w.b, title="Autre secteur", sector="F")
    older_same = published(w, w.bob, w.b, title="Même secteur")
    newer_same = published(w, w.bob, w.b, title="Même secteur, plus récente")
    other_size = published(w, w.bob, w.b, title="Autre taille", size="250+")
    service.publish(w.bob, w.n, w.b, practice_input("En attente"))  # not published
    published(w, w.carl, w.c, w.n2, title="Autre réseau")
    unrelated = published(w, w.bob, w.b, title="Sans rapport", question_ids=("rh.duerp",), dimension_ids=("rh",))

    found = service.matching(w.anna, w.a, "env.energie-suivi", None, limit=10)
    assert ids(found) == [newer_same, older_same, other_size, other_sector, dimension_only]
    assert own not in ids(found) and unrelated not in ids(found)
    assert ids(service.matching(w.anna, w.a, "env.energie-suivi", None)) == [newer_same, older_same, other_size]
    assert ids(service.matching(w.anna, w.a, None, "rh")) == [unrelated]
    assert service.matching(w.anna, w.a, None, None) == []
    assert ids(service.matching(w.bob, w.b, "env.energie-suivi", None)) == [own], "B sees A's, never its own"
    assert service.matching(w.carl, w.c, "env.energie-suivi", None) == [], "N2 has no other member's practice"
    views = service.matching(w.anna, w.a, "env.energie-suivi", None, limit=1)
    assert views[0].network_name.startswith("Réseau Normandie") and views[0].moderation_note == ""
    assert outcome(lambda: service.matching(w.bob, w.a, "env.energie-suivi", None))[:2] == ("raised", "NotFound")


def test_hints_for_many_questions_read_once(w: World) -> None:
    energy = published(w, w.bob, w.b, title="Énergie")
    duerp = published(w, w.bob, w.b, title="DUERP", question_ids=("rh.duerp",), dimension_ids=())
    found = service.hints_for(w.anna, w.a, ["env.energie-suivi", "rh.duerp", "eth.delais-paiement", "env.energie-suivi"])
    assert {q: ids(v) for q, v in found.items()} == {"env.energie-suivi": [energy], "rh.duerp": [duerp]}


# --- search -------------------------------------------------------------------------------------------------


def test_search_ignores_accents_and_case_and_filters(w: World) -> None:
    energy = published(w, w.bob, w.b, title="Économies d’ÉNERGIE à l’atelier", effort=1)
    waste = published(w, w.anna, w.a, title="Tri des déchets", question_ids=("env.tri-flux",), dimension_ids=(), sector="F")
    people = published(w, w.bob, w.b, title="Accueil des nouveaux", question_ids=("rh.integration",), dimension_ids=(), effort=3)
    assert ids(service.search(w.vic, w.n, "economies energie")) == [energy]
    assert ids(service.search(w.vic, w.n, "DECHETS")) == [waste]
    assert ids(service.search(w.vic, w.n, "fonderie")) == [people, energy], "the member's name is searched too"
    assert set(ids(service.search(w.vic, w.n, dimension="env"))) == {energy, waste}, "a question's dimension counts"
    assert ids(service.search(w.vic, w.n, dimension="rh")) == [people]
    assert ids(service.search(w.vic, w.n, sector="F")) == [waste]
    assert ids(service.search(w.vic, w.n, sector="43.21A")) == [waste]
    assert ids(service.search(w.vic, w.n, effort=1)) == [energy]
    assert service.search(w.vic, w.n, "économies", effort=3) == []


# --- exports --------------------------------------------------------------------------------------------------


def test_csv_export_is_excel_ready_and_neutralises_formulas(w: World) -> None:
    published(w, w.bob, w.b, title="=HYPERLINK(\"http://x\")", results="+33 % de tri, @maître")
    service.publish(w.anna, w.n, w.a, practice_input("Pratique à modérer"))
    data = service.export_csv(w.lea, w.n)
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["N°", "Titre", "Membre"]
    by_title = {r[1]: r for r in rows[1:]}
    assert "'=HYPERLINK(\"http://x\")" in by_title and by_title["'=HYPERLINK(\"http://x\")"][10] == "'+33 % de tri, @maître"
    assert by_title["Pratique à modérer"][3] == "en attente de modération"
    assert by_title["Pratique à modérer"][5] == "C — Industrie manufacturière"
    member_rows = list(csv.reader(io.StringIO(service.export_csv(w.bob, w.n).decode("utf-8-sig")), delimiter=";"))
    assert [r[1] for r in member_rows[1:]] == ["'=HYPERLINK(\"http://x\")"], "a member exports what it sees: the published"
    english = service.export_csv(Context(w.bob.uow, w.bob.actor, "en"), w.n).decode("utf-8-sig")
    assert english.splitlines()[0].startswith("No.,Title,Member")


def test_xlsx_export_holds_texts_never_formulas(w: World) -> None:
    published(w, w.bob, w.b, title="=1+1", done="-2 jours de délai")
    book = load_workbook(io.BytesIO(service.export_xlsx(w.vic, w.n)))
    sheet = book.active
    assert sheet.title == "Bonnes pratiques"
    assert [c.value for c in sheet[1]][:2] == ["N°", "Titre"]
    title, done = sheet.cell(row=2, column=2), sheet.cell(row=2, column=10)
    assert (title.value, title.data_type, title.quotePrefix) == ("=1+1", "s", True)
    assert (done.value, done.quotePrefix) == ("-2 jours de délai", True)
    assert sheet.cell(row=2, column=3).value == "Fonderie Bois"
    assert sheet.cell(row=2, column=14).value is not None, "the publication date"


# --- the demo library ----------------------------------------------------------------------------------------


def test_the_demo_library_loads_and_links_only_existing_ids(full) -> None:
    demo = service.demo_practices()
    assert 18 <= len(demo) <= 25
    assert sum(p.status == "submitted" for p in demo) == 2
    questions, dimensions = set(full.questions), {d.id for d in full.dimensions}
    for p in demo:
        assert p.question_ids and set(p.question_ids) <= questions, p.title
        assert set(p.dimension_ids) <= dimensions, p.title
        assert any(ch.isdigit() for ch in p.results), f"concrete results, with figures: {p.title}"
    assert len({p.sector for p in demo}) >= 5, "industry, building, food, retail, services…"


def test_seed_demo_practices_spreads_them_over_the_members(w: World) -> None:
    count = service.seed_demo_practices(SqlUnitOfWork(w.engine), w.n, [w.member_a, w.member_b, w.member_c])
    assert count == len(service.demo_practices())
    everything = service.library(w.lea, w.n)
    assert len(everything) == count, "the other network's member got none"
    assert {p.member_name for p in everything} == {"Mécanique Vallée", "Fonderie Bois"}
    assert len(service.queue(w.lea, w.n)) == 2
    assert service.hints_for(w.anna, w.a, ["env.energie-suivi"]), "A is shown B's practices"
    with pytest.raises(NotAllowed):
        service.seed_demo_practices(w.vic, w.n, [w.member_a])
    assert service.seed_demo_practices(w.olga, w.n2, [w.member_c]) == count
