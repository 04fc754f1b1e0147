"""The label's pages with AppTest on a real SQLite database: a reviewer reviews, a committee member
votes, the lead decides (app_pages/label.py, run alone with each person's context), and the member's
section shows the decision and offers the letter (ui/label_panels.member_section)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from diagnostic.i18n import t as translate
from diagnostic.services import labels
from diagnostic.services.context import Context
from tests.conftest import drawn as ok
from tests.conftest import said as texts
from tests.test_labels import DAY, World, world


def t(key: str, **values: object) -> str:
    return translate(key, "fr", **values)




def label_page(ctx: Context) -> AppTest:
    from tests.conftest import page_script

    at = AppTest.from_function(page_script, args=("label", ctx), default_timeout=30)
    at.session_state["lang"] = "fr"
    return ok(at.run())


def member_script(ctx: object, company_id: int) -> None:  # its source runs alone
    import dataclasses

    from ui.label_panels import member_section

    member_section(dataclasses.replace(ctx), company_id)  # type: ignore[type-var]


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert len(found) == 1, (label, [b.label for b in at.button])
    return found[0]


@pytest.fixture
def applied(db) -> tuple[World, int]:
    w = world(db.uow.engine)
    made = labels.apply(w.owner, w.network_id, w.company_id, w.good, today=DAY)
    return w, made.id


def test_review_vote_and_decide_on_the_page(applied, page_files_beside_the_script) -> None:
    w, application_id = applied
    rita = w.people["rita"]
    at = label_page(rita)
    said = texts(at)
    assert t("label.page.title") in said and "Label Performance Globale du réseau" in said
    assert t("label.snapshot.title") in said and t("label.review.title") in said
    assert t("label.votes.yours") not in [r.label for r in at.radio], "a reviewer does not vote"
    at.radio(key=f"review-{application_id}-socles-legaux")  # the checklist, one line per criterion
    [recommendation] = [r for r in at.radio if r.label == t("label.review.recommendation")]
    recommendation.set_value("grant")
    ok(button(at, t("label.review.submit")).click().run())
    [review] = labels.detail(rita, application_id).reviews
    assert review.recommendation == "grant" and review.checklist["niveau-structure"]["ok"] is True
    assert t("label.review.saved") in texts(at)

    carl = w.people["carl"]
    at = label_page(carl)
    assert t("label.review.title") not in texts(at), "a committee member does not review"
    [vote] = [r for r in at.radio if r.label == t("label.votes.yours")]
    vote.set_value("deferred")
    ok(button(at, t("label.votes.submit")).click().run())  # no reason: refused, said in French
    assert t("label.error.reason_needed") in [e.value for e in at.error]
    assert labels.detail(carl, application_id).votes == []
    [vote] = [r for r in at.radio if r.label == t("label.votes.yours")]
    vote.set_value("granted")
    ok(button(at, t("label.votes.submit")).click().run())
    assert [v.vote for v in labels.detail(carl, application_id).votes] == ["granted"]
    assert t("label.decide.waiting", quorum=3) in texts(at)

    labels.vote(w.people["cora"], application_id, "granted")
    labels.vote(w.owner, application_id, "granted")
    lead = label_page(w.owner)
    assert t("label.decide.outcome", outcome=t("label.decision.granted")) in texts(lead)
    ok(button(lead, t("label.decide.submit")).click().run())
    decided = labels.detail(w.owner, application_id).application
    assert (decided.status, decided.decision) == ("decided", "granted") and decided.valid_until is not None
    assert t("label.decide.saved") in texts(lead)
    assert t("label.letter.download") in {b.proto.label for b in lead.get("download_button")}


def test_the_member_section_shows_the_decision_and_offers_the_letter(applied) -> None:
    w, application_id = applied
    member = AppTest.from_function(member_script, args=(w.owner, w.company_id), default_timeout=30)
    ok(member.run())
    assert t("label.member.pending", date="10 mars 2025", status=t("label.app_status.submitted")) in texts(member)
    assert t("label.step.applied") in texts(member)

    labels.review(w.people["rita"], application_id, {}, "", "defer")
    for voter, reason in ((w.people["carl"], "Énergie à mesurer"), (w.people["cora"], "Idem"), (w.owner, "")):
        labels.vote(voter, application_id, "deferred" if reason else "granted", reason)
    labels.decide(w.owner, application_id, conditions="Mesurer l’énergie sur un an.", today=DAY)

    ok(member.run())
    said = texts(member)
    assert t("label.member.title") in said and t("label.member.no_label") in said
    assert t("label.decision.deferred") + " · 10 mars 2025" in [w.value for w in member.warning]
    assert "Mesurer l’énergie sur un an." in [c.value for c in member.get("text")]
    assert t("label.letter.download") in {b.proto.label for b in member.get("download_button")}
    # deferred, so the member may apply again: the criteria are checked before the click, and the
    # page says what applying shares
    assert t("label.member.apply") in [b.label for b in member.button]
    name = next(n.network.name for n in labels.networks(w.owner) if n.network.id == w.network_id)
    assert t("label.member.share_notice", network=name) in [i.value for i in member.info]
    assert any(t("label.member.precheck") in m.value for m in member.markdown)
    ok(button(member, t("label.member.apply")).click().run())
    [status] = labels.label_status(w.owner, w.company_id)
    assert status.open is not None and status.open.id != application_id
