"""The good-practice library on screen, with AppTest: the network's page (search, filters, the
moderation queue), the member company's section (publish: "en attente de modération"), and the
hints beside a recommendation (another member's published practice, never one's own).

Real SQLite database (the `db` fixture); each page runs alone with a signed-in actor's context.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from streamlit.testing.v1 import AppTest

from diagnostic.i18n import t as translate
from diagnostic.services import practices as service
from diagnostic.services.context import Context
from tests.conftest import page_script
from tests.test_practices import World, build_world, practice_input, published


def t(key: str, **values: object) -> str:
    return translate(key, "fr", **values)


def texts(at: AppTest) -> str:
    parts: list[object] = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts += [e.value for e in getattr(at, kind)]
    return unescape("\n".join(str(p) for p in parts))


def unescape(text: str) -> str:
    """Markdown as read: user texts are shown escaped (ui.text.plain)."""
    return re.sub(r"\\(.)", r"\1", text)


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    said = texts(at)
    assert t("error.unexpected") not in said and t("error.database") not in said
    return at


def titles(at: AppTest) -> list[str]:
    """The practices' titles shown as cards (bold first line)."""
    return [unescape(m.value.strip("*")) for m in at.markdown if m.value.startswith("**") and m.value.endswith("**")]


@pytest.fixture
def w(db: Context) -> World:
    return build_world(db.uow.engine)  # type: ignore[attr-defined]


def page(ctx: Context, workspace_id: int) -> AppTest:
    at = AppTest.from_function(page_script, args=("practices", dataclasses.replace(ctx, workspace_id=workspace_id)), default_timeout=30)
    at.session_state["lang"] = "fr"
    return ok(at.run())


def test_the_library_searches_and_filters(w: World, page_files_beside_the_script) -> None:
    published(w, w.bob, w.b, title="Économies d’énergie à l’atelier", effort=1)
    published(w, w.anna, w.a, title="Tri des déchets de chantier", question_ids=("env.btp-tri-chantier",), dimension_ids=(), sector="F")
    published(w, w.bob, w.b, title="Parrainage des nouveaux", question_ids=("rh.integration",), dimension_ids=(), effort=3)
    at = page(w.vic, w.n)
    assert not at.tabs, "a viewer of the network has no moderation queue"
    assert sorted(titles(at)) == ["Parrainage des nouveaux", "Tri des déchets de chantier", "Économies d’énergie à l’atelier"]
    assert t("practice.found", count=3) in texts(at)
    at.text_input(key=f"practice-library-{w.n}-text").set_value("ENERGIE").run()
    assert titles(ok(at)) == ["Économies d’énergie à l’atelier"]
    at.text_input(key=f"practice-library-{w.n}-text").set_value("").run()
    at.selectbox(key=f"practice-library-{w.n}-dimension").set_value("rh").run()
    assert titles(ok(at)) == ["Parrainage des nouveaux"]
    at.selectbox(key=f"practice-library-{w.n}-dimension").set_value(None).run()
    at.selectbox(key=f"practice-library-{w.n}-sector").set_value("F").run()
    assert titles(ok(at)) == ["Tri des déchets de chantier"]
    at.selectbox(key=f"practice-library-{w.n}-sector").set_value(None).run()
    at.selectbox(key=f"practice-library-{w.n}-effort").set_value(3).run()
    assert titles(ok(at)) == ["Parrainage des nouveaux"]


def test_a_moderator_publishes_and_rejects_from_the_queue(w: World, page_files_beside_the_script) -> None:
    first = service.publish(w.anna, w.n, w.a, practice_input("Sous-compteurs d’énergie")).id
    second = service.publish(w.bob, w.n, w.b, practice_input("Pratique trop vague")).id
    at = page(w.lea, w.n)
    assert [tab.label for tab in at.tabs] == [t("practice.tab_library"), t("practice.tab_queue", count=2)]
    assert titles(at) == ["Sous-compteurs d’énergie", "Pratique trop vague"], "the queue; the library is empty"

    reject = [b for b in at.button if b.label == t("practice.reject") and b.proto.form_id == f"practice-moderate-{second}"]
    reject[0].click().run()
    assert t("practice.note_required") in [e.value for e in ok(at).error], "a rejection needs a note"
    assert service.practice(w.lea, w.n, second).status == "submitted"

    publish = [b for b in at.button if b.label == t("practice.publish") and b.proto.form_id == f"practice-moderate-{first}"]
    publish[0].click().run()
    ok(at)
    assert t("practice.published_done") in [e.value for e in at.success]
    assert service.practice(w.lea, w.n, first).status == "published"
    assert [tab.label for tab in at.tabs][1] == t("practice.tab_queue", count=1)
    assert titles(at) == ["Sous-compteurs d’énergie", "Pratique trop vague"], "now in the library; the other still queued"

    note = [a for a in at.text_area if a.label == t("practice.note")]
    note[0].set_value("Ajoutez des chiffres.")
    [b for b in at.button if b.label == t("practice.reject")][0].click().run()
    ok(at)
    assert service.practice(w.anna, w.n, first).status == "published"
    assert service.own(w.bob, w.n, w.b)[0].moderation_note == "Ajoutez des chiffres."
    assert t("practice.queue_empty") in [e.value for e in at.info]


def test_the_page_says_so_to_whom_belongs_to_no_network(w: World, page_files_beside_the_script) -> None:
    at = page(w.anna, w.wa)
    assert t("practice.no_network") in [e.value for e in at.info]


# --- the member's side ----------------------------------------------------------------------------------------


def member_script(ctx: object, company_id: int) -> None:  # its source runs alone
    import dataclasses

    from ui.practice_panels import member_section

    member_section(dataclasses.replace(ctx), company_id)  # type: ignore[type-var]


def test_the_member_publishes_and_sees_it_awaiting_moderation(w: World) -> None:
    published(w, w.bob, w.b, title="Pratique de Fonderie Bois")
    at = AppTest.from_function(member_script, args=(w.anna, w.a), default_timeout=30)
    at.session_state["lang"] = "fr"
    ok(at.run())
    assert t("practice.member_title", network=service.networks_of(w.anna, w.a)[0].network_name) in [s.value for s in at.subheader]
    assert t("practice.own", count=0) in texts(at)
    form = f"practice-new-{w.n}-{w.a}"
    send = [b for b in at.button if b.label == t("practice.send") and b.proto.form_id == f"{form}-0"]
    send[0].click().run()
    assert t("practice.required", field=t("practice.field_title")) in [e.value for e in ok(at).error]

    [i for i in at.text_input if i.label == t("practice.field_title")][0].set_value("Chasse aux fuites d’air comprimé")
    [a for a in at.text_area if a.label == t("practice.field_done")][0].set_value("Deux campagnes par an à l’ultrason.")
    [a for a in at.text_area if a.label == t("practice.field_results")][0].set_value("18 MWh économisés.")
    [b for b in at.button if b.label == t("practice.send") and b.proto.form_id == f"{form}-0"][0].click().run()
    ok(at)
    assert "en attente de modération" in t("practice.sent")
    assert t("practice.sent") in [e.value for e in at.success]
    assert t("practice.status_line", status="en attente de modération") in texts(at)
    assert "Chasse aux fuites d’air comprimé" in titles(at)
    mine = service.own(w.anna, w.n, w.a)
    assert [(p.title, p.status, p.sector) for p in mine] == [("Chasse aux fuites d’air comprimé", "submitted", "C")]
    fresh = [i.value for i in at.text_input if i.label == t("practice.field_title") and i.proto.form_id == f"{form}-1"]
    assert fresh == [""], "a fresh form for the next one"
    edit = [i.value for i in at.text_input if i.label == t("practice.field_title") and i.proto.form_id.startswith("practice-edit-")]
    assert edit == ["Chasse aux fuites d’air comprimé"], "its own practice may be edited"


def test_the_member_reads_the_moderation_note_and_withdraws(w: World) -> None:
    p = service.publish(w.anna, w.n, w.a, practice_input("Pratique à préciser")).id
    service.moderate(w.lea, p, False, "Ajoutez des chiffres, svp.")
    at = AppTest.from_function(member_script, args=(w.anna, w.a), default_timeout=30)
    at.session_state["lang"] = "fr"
    said = texts(ok(at.run()))
    assert t("practice.status_line", status="refusée") in said
    assert t("practice.note_line", note="Ajoutez des chiffres, svp.") in said
    [b for b in at.button if b.label == t("practice.withdraw")][0].click().run()
    assert t("practice.withdrawn_done") in [e.value for e in ok(at).success]
    assert service.own(w.anna, w.n, w.a)[0].status == "withdrawn"
    assert not [b for b in at.button if b.label == t("practice.withdraw")]


def test_a_viewer_of_the_company_reads_but_does_not_publish(w: World) -> None:
    at = AppTest.from_function(member_script, args=(w.val, w.a), default_timeout=30)
    at.session_state["lang"] = "fr"
    ok(at.run())
    assert t("practice.read_only") in texts(at)
    assert all(b.disabled for b in at.button if b.label == t("practice.send"))


# --- beside a recommendation ----------------------------------------------------------------------------------


def hints_script(ctx: object, company_id: int, question_ids: list) -> None:  # its source runs alone
    import dataclasses

    from ui.practice_panels import practice_hints

    run_ctx = dataclasses.replace(ctx)  # type: ignore[type-var]
    for question_id in question_ids:
        practice_hints(run_ctx, company_id, question_id, None)


def test_hints_show_another_members_published_practice_not_ones_own(w: World) -> None:
    published(w, w.anna, w.a, title="Ma propre pratique")
    published(w, w.bob, w.b, title="Sous-compteurs chez Fonderie Bois", results="−14 % de kWh par pièce.")
    service.publish(w.bob, w.n, w.b, practice_input("Pas encore publiée"))
    at = AppTest.from_function(hints_script, args=(w.anna, w.a, ["env.energie-suivi"]), default_timeout=30)
    at.session_state["lang"] = "fr"
    ok(at.run())
    said = texts(at)
    assert "Sous-compteurs chez Fonderie Bois" in said and "−14 % de kWh par pièce." in said
    assert "Ma propre pratique" not in said and "Pas encore publiée" not in said
    assert [e.label for e in at.expander] == [f":material/diversity_3: {t('practice.hints_title')} (1)"]  # one folded block

    nothing = AppTest.from_function(hints_script, args=(w.anna, w.a, ["eth.delais-paiement", "qual.reclamations"]), default_timeout=30)
    nothing.session_state["lang"] = "fr"
    ok(nothing.run())
    assert not nothing.markdown and not nothing.expander, "nothing is drawn when no practice matches"
