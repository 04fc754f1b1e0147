"""The participative diagnostic, the respondent's side (diagnostic/services/respondents.py), on SQLite
and PostgreSQL: a link is the respondent's whole authority, and nothing else.

One database per module and per engine; every test opens its own company and assessment in it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import MetaData, select, update

from diagnostic import i18n
from diagnostic.core.audience import ordered_asked
from diagnostic.core.consolidation import Consolidation
from diagnostic.core.profile import Profile
from diagnostic.services import actions, answers, assessments, companies, participation, reports, respondents
from diagnostic.services.context import Actor, Context
from diagnostic.services.respondents import RespondentRefused
from diagnostic.storage.models import RespondentLink
from diagnostic.storage.records import CompanyRecord, GroupRecord
from tests.conftest import local_context, outcome

FULL = "rse-performance-globale"
MISSING = 999_999
Q1, Q2 = "gov.communication-rse", "qual.reclamations"  # maturity, asked of the staff and the direction
MULTI = "rh.temps-travail-pratiques"  # multiple choice asked of the staff ("aucune" is exclusive)
DIRECTION_ONLY = "gov.engagement-direction"  # maturity, not asked of the staff
_unique = itertools.count(1)


@pytest.fixture(scope="module")
def engine(module_engine):
    return module_engine


@dataclass
class Campaign:
    owner: Context
    visitor: Context  # someone holding links, and nothing else
    company: CompanyRecord
    assessment_id: int
    groups: dict[str, GroupRecord]

    def link(self, key: str, **options: Any) -> participation.IssuedLink:
        return participation.create_link(self.owner, self.assessment_id, self.groups[key].id, **options)

    def expire(self, link_id: int) -> None:
        with self.owner.uow.engine.begin() as connection:
            connection.execute(
                update(RespondentLink)
                .where(RespondentLink.id == link_id)
                .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
            )

    def uses(self, link_id: int) -> int:
        found = participation.participation(self.owner, self.assessment_id)
        assert found is not None
        return next(link.uses for g in found.groups for link in g.links if link.id == link_id)


@pytest.fixture
def campaign(engine) -> Campaign:
    owner = local_context(engine)
    company = companies.save_company(owner, None, f"Conserverie {next(_unique)}", Profile())
    assessment_id = assessments.start_assessment(owner, company.id, FULL).id
    opened = participation.open_participation(owner, assessment_id, k=3, comment_k=3)
    return Campaign(
        owner,
        Context(owner.uow.fresh(), Actor(user_id=None)),
        company,
        assessment_id,
        {g.group.key: g.group for g in opened.groups},
    )


def refusal(call: Callable[[], Any]) -> str:
    with pytest.raises(RespondentRefused) as caught:
        call()
    return caught.value.code



def dump(engine) -> dict[str, list[str]]:
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return {
            t.name: sorted(repr(tuple(row)) for row in connection.execute(select(t))) for t in metadata.sorted_tables
        }


# --- entering -----------------------------------------------------------------------------------


def test_a_group_link_makes_a_new_respondent_with_a_key_of_their_own_at_each_opening(campaign) -> None:
    c = campaign
    issued = c.link("staff")
    first = respondents.enter(c.visitor, issued.token)
    assert first.key != issued.token and re.fullmatch(r"[A-Za-z0-9_-]{43,}", first.key)
    assert re.fullmatch(r"[0-9a-f]{32}", first.respondent_id)
    assert (first.group.key, first.group_label, first.company_name) == ("staff", "", c.company.name)
    assert first.asked == ordered_asked(first.questionnaire, "staff") and len(first.asked) == 27
    assert first.asked[:2] == [Q1, Q2] and DIRECTION_ONLY not in first.asked
    assert (first.answers, first.comments) == ({}, {})
    assert not first.completed and not first.closed and not first.share_results
    second = respondents.enter(c.visitor, issued.token)
    assert second.respondent_id != first.respondent_id and second.key not in (first.key, issued.token)
    assert c.uses(issued.link.id) == 2
    # the own key opens the same respondent again, without a new use of the link
    assert respondents.enter(c.visitor, first.key).respondent_id == first.respondent_id
    assert respondents.view(c.visitor, first.key).respondent_id == first.respondent_id
    assert respondents.view(c.visitor, f"  {first.key}\n").respondent_id == first.respondent_id  # as pasted
    assert c.uses(issued.link.id) == 2
    # the group link itself is nobody's key: view never makes a respondent
    assert refusal(lambda: respondents.view(c.visitor, issued.token)) == "respond.invalid"
    assert refusal(lambda: respondents.answer(c.visitor, issued.token, Q1, 2)) == "respond.invalid"
    assert c.uses(issued.link.id) == 2
    staff = participation.participation(c.owner, c.assessment_id).group(c.groups["staff"].id)  # type: ignore[union-attr]
    assert (staff.invited, staff.started, staff.completed) == (2, 2, 0)


def test_keys_that_are_nothing_are_refused_alike(campaign) -> None:
    c = campaign
    token = c.link("staff").token
    unknown = outcome(lambda: respondents.enter(c.visitor, "B" * 43))
    assert unknown[:3] == ("raised", "RespondentRefused", "respond.invalid")
    other_case = token.upper() if token.upper() != token else token.lower()
    for key in ("", "   ", "x" * 101, token[:-1], token + "x", other_case):
        assert outcome(lambda key=key: respondents.enter(c.visitor, key)) == unknown
        assert outcome(lambda key=key: respondents.view(c.visitor, key)) == unknown
    assert i18n.error_text(RespondentRefused(), "fr").startswith("Ce lien n’est pas valable")


def test_a_group_link_used_up_or_expired_lets_no_one_else_in(campaign) -> None:
    c = campaign
    limited = c.link("staff", max_uses=2)
    inside = [respondents.enter(c.visitor, limited.token).key for _ in range(2)]
    assert refusal(lambda: respondents.enter(c.visitor, limited.token)) == "respond.full"
    assert c.uses(limited.link.id) == 2
    # those already in go on with their own key
    assert respondents.answer(c.visitor, inside[1], Q1, 3) == 3

    later = c.link("staff")
    early = respondents.enter(c.visitor, later.token).key
    c.expire(later.link.id)
    assert refusal(lambda: respondents.enter(c.visitor, later.token)) == "respond.expired"
    assert respondents.answer(c.visitor, early, Q1, 1) == 1
    assert respondents.complete(c.visitor, early) is None
    assert i18n.error_text(RespondentRefused(code="respond.full"), "fr").startswith(
        "Ce lien a été utilisé autant de fois"
    )


def test_a_named_link_is_the_same_person_at_every_opening(campaign) -> None:
    c = campaign
    issued = c.link("direction", name="Claire Dupont")
    assert refusal(lambda: respondents.view(c.visitor, issued.token)) == "respond.invalid"  # not entered yet
    first = respondents.enter(c.visitor, issued.token)
    again = respondents.enter(c.visitor, issued.token)
    assert first.key == again.key == issued.token  # the link is the person's key
    assert first.respondent_id == again.respondent_id
    assert first.asked == ordered_asked(first.questionnaire, "direction") and DIRECTION_ONLY in first.asked
    assert respondents.answer(c.visitor, issued.token, DIRECTION_ONLY, 2) == 2
    assert respondents.view(c.visitor, issued.token).answers == {DIRECTION_ONLY: 2}
    direction = participation.participation(c.owner, c.assessment_id).group(c.groups["direction"].id)  # type: ignore[union-attr]
    assert (direction.invited, direction.started, direction.completed) == (1, 1, 0)
    assert direction.links[0].uses == 0 and direction.links[0].last_used_on == datetime.now(UTC).date()
    # an expired named link stops the person
    c.expire(issued.link.id)
    assert refusal(lambda: respondents.enter(c.visitor, issued.token)) == "respond.expired"
    assert refusal(lambda: respondents.answer(c.visitor, issued.token, DIRECTION_ONLY, 3)) == "respond.expired"
    assert i18n.error_text(RespondentRefused(code="respond.expired"), "fr").startswith("Ce lien a expiré")


# --- answering ----------------------------------------------------------------------------------


def test_answers_and_comments_are_saved_as_given_and_read_back(campaign) -> None:
    c = campaign
    key = respondents.enter(c.visitor, c.link("staff").token).key
    assert respondents.answer(c.visitor, key, Q1, 3) == 3
    assert respondents.answer(c.visitor, key, Q1, 2) == 2  # changed
    assert respondents.answer(c.visitor, key, Q2, "dont_know") == "dont_know"
    assert respondents.answer(c.visitor, key, MULTI, ["charge", "decompte"]) == ["decompte", "charge"]  # option order
    assert (
        respondents.comment(c.visitor, key, Q1, "  Peu d’information sur le sujet \n")
        == "Peu d’information sur le sujet"
    )
    assert respondents.comment(c.visitor, key, "rh.duerp", "Jamais vu le document") == "Jamais vu le document"
    seen = respondents.view(c.visitor, key)
    assert seen.answers == {Q1: 2, Q2: "dont_know", MULTI: ["decompte", "charge"]}
    assert seen.comments == {Q1: "Peu d’information sur le sujet", "rh.duerp": "Jamais vu le document"}
    # None (or no option) clears an answer; its comment stays
    assert respondents.answer(c.visitor, key, Q1, None) is None
    assert respondents.answer(c.visitor, key, MULTI, []) is None
    assert respondents.comment(c.visitor, key, "rh.duerp", "") == ""
    seen = respondents.view(c.visitor, key)
    assert (seen.answers, seen.comments) == ({Q2: "dont_know"}, {Q1: "Peu d’information sur le sujet"})


def test_a_question_not_asked_of_the_group_is_refused(campaign) -> None:
    c = campaign
    staff = respondents.enter(c.visitor, c.link("staff").token).key
    outsider = respondents.enter(c.visitor, c.link("stakeholders").token).key
    for key, question in ((staff, DIRECTION_ONLY), (outsider, MULTI), (staff, "nope.question"), (outsider, "")):
        assert (
            refusal(lambda key=key, question=question: respondents.answer(c.visitor, key, question, 1))
            == "respond.not_asked"
        )
        assert (
            refusal(lambda key=key, question=question: respondents.comment(c.visitor, key, question, "x"))
            == "respond.not_asked"
        )
    assert respondents.view(c.visitor, staff).answers == {} and respondents.view(c.visitor, outsider).comments == {}
    assert respondents.answer(c.visitor, outsider, Q1, 4) == 4  # one of the 17 the stakeholders are asked


@pytest.mark.parametrize(
    ("question", "value", "code"),
    [
        (Q1, 5, "answer.off_scale"),
        (Q1, -1, "answer.off_scale"),
        (Q1, 2.5, "answer.not_a_level"),
        (Q1, True, "answer.not_a_level"),
        (Q1, "na", "answer.na_not_allowed"),
        (MULTI, ["aucune", "charge"], "answer.exclusive"),
        (MULTI, ["pas-une-option"], "answer.unknown_options"),
    ],
)
def test_a_value_that_does_not_fit_the_question_is_refused(campaign, question, value, code) -> None:
    c = campaign
    key = respondents.enter(c.visitor, c.link("staff").token).key
    respondents.answer(c.visitor, key, question, ["charge"] if question == MULTI else 1)
    with pytest.raises(ValueError) as caught:
        respondents.answer(c.visitor, key, question, value)
    assert caught.value.code == code  # type: ignore[attr-defined]
    assert respondents.view(c.visitor, key).answers == {question: ["charge"] if question == MULTI else 1}


def test_a_comment_that_cannot_be_stored_is_refused(campaign) -> None:
    c = campaign
    key = respondents.enter(c.visitor, c.link("staff").token).key
    for text in ("x" * 10_001, "avant\x00après", "cloche\x07"):
        assert refusal(lambda text=text: respondents.comment(c.visitor, key, Q1, text)) == "respond.bad_comment"
    assert respondents.comment(c.visitor, key, Q1, "x" * 10_000) == "x" * 10_000
    assert respondents.comment(c.visitor, key, Q1, "ligne 1\nligne 2") == "ligne 1\nligne 2"


# --- sending ------------------------------------------------------------------------------------


def test_once_sent_a_named_key_says_done_and_an_anonymous_key_is_gone(campaign) -> None:
    c = campaign
    named = c.link("direction", name="Claire").token
    respondents.enter(c.visitor, named)
    respondents.answer(c.visitor, named, Q1, 2)
    assert respondents.complete(c.visitor, named) is None  # the results are not shared
    for call in (
        lambda: respondents.enter(c.visitor, named),
        lambda: respondents.view(c.visitor, named),
        lambda: respondents.answer(c.visitor, named, Q1, 3),
        lambda: respondents.comment(c.visitor, named, Q1, "après coup"),
        lambda: respondents.complete(c.visitor, named),
    ):
        assert refusal(call) == "respond.done"

    group_token = c.link("staff").token
    key = respondents.enter(c.visitor, group_token).key
    respondents.answer(c.visitor, key, Q1, 1)
    assert respondents.complete(c.visitor, key) is None
    unknown = outcome(lambda: respondents.view(c.visitor, "C" * 43))
    for call in (
        lambda: respondents.enter(c.visitor, key),
        lambda: respondents.view(c.visitor, key),
        lambda: respondents.answer(c.visitor, key, Q1, 3),
        lambda: respondents.comment(c.visitor, key, Q1, "après coup"),
        lambda: respondents.complete(c.visitor, key),
    ):
        assert outcome(call) == unknown
    # the answers count, unchanged
    found = participation.participation(c.owner, c.assessment_id)
    assert found is not None
    assert [(g.group.key, g.completed) for g in found.groups if g.completed] == [("direction", 1), ("staff", 1)]
    assert participation.named_answers(c.owner, c.assessment_id) == [("Claire", c.groups["direction"].id, {Q1: 2})]
    # the group link still lets the next colleague in
    assert respondents.enter(c.visitor, group_token).key != key


def test_the_shared_result_keeps_anonymous_groups_hidden_below_k(campaign) -> None:
    c = campaign  # k = 3
    participation.update_settings(c.owner, c.assessment_id, share_results=True)
    named = c.link("direction", name="Claire").token
    respondents.enter(c.visitor, named)
    respondents.answer(c.visitor, named, Q1, 4)
    token = c.link("staff").token
    results = []
    for level in (0, 1, 2):
        key = respondents.enter(c.visitor, token).key
        assert respondents.view(c.visitor, key).share_results is True
        respondents.answer(c.visitor, key, Q1, level)
        results.append(respondents.complete(c.visitor, key))
    assert all(isinstance(r, Consolidation) for r in results)
    staff_id, direction_id = c.groups["staff"].id, c.groups["direction"].id
    first, _, third = results
    assert first is not None and third is not None
    assert not first.group(staff_id).shown and first.group(staff_id).questions == {}
    assert not first.group(direction_id).shown  # Claire has not sent her answers
    assert first.prefill == {}
    assert third.group(staff_id).shown and third.group(staff_id).questions[Q1].mean == pytest.approx(1.0)
    assert third.prefill == {Q1: 1}
    assert respondents.complete(c.visitor, named) is not None  # Claire's own answers now count
    assert participation.crossed_views(c.owner, c.assessment_id).consolidation.prefill == {Q1: 3}  # type: ignore[union-attr]
    # (1 + 4) / 2 = 2.5, rounded half up


# --- a respondent holds nothing else ------------------------------------------------------------


def test_a_respondent_reaches_nothing_but_their_link(campaign) -> None:
    c = campaign
    group_id = c.groups["staff"].id
    link_id = c.link("staff").link.id
    questionnaire = respondents.enter(c.visitor, c.link("staff").token).questionnaire
    answers.record_answer(c.owner, questionnaire, c.assessment_id, Q1, 0)
    evaluation = assessments.evaluate(c.owner, c.assessment_id)
    assert evaluation is not None and evaluation.result.recommendations
    actions.add_from_recommendation(c.owner, c.assessment_id, evaluation.result.recommendations[0])
    v = c.visitor  # holds a link (entered above)

    def calls(company: int, assessment: int, group: int, link: int) -> list[Callable[[], Any]]:
        return [
            lambda: companies.list_companies(v),
            lambda: companies.get_company(v, company),
            lambda: companies.save_company(v, company, "Repris", Profile()),
            lambda: companies.save_company(v, None, "Nouvelle", Profile()),
            lambda: companies.delete_company(v, company),
            lambda: assessments.list_assessments(v, company),
            lambda: assessments.get_assessment(v, assessment),
            lambda: assessments.evaluate(v, assessment),
            lambda: assessments.start_assessment(v, company, FULL),
            lambda: assessments.set_status(v, assessment, True),
            lambda: assessments.delete_assessment(v, assessment),
            lambda: answers.load_answers(v, assessment),
            lambda: answers.record_answer(v, questionnaire, assessment, Q1, 4),
            lambda: answers.record_comment(v, assessment, Q1, "vu"),
            lambda: actions.list_actions(v, assessment),
            lambda: reports.export_document(v, assessment),
            lambda: participation.participation(v, assessment),
            lambda: participation.open_participation(v, assessment),
            lambda: participation.create_link(v, assessment, group),
            lambda: participation.revoke_link(v, assessment, link),
            lambda: participation.set_closed(v, assessment, True),
            lambda: participation.crossed_views(v, assessment),
            lambda: participation.named_answers(v, assessment),
            lambda: participation.accept_proposals(v, assessment),
        ]

    before = dump(c.owner.uow.engine)
    theirs = [outcome(call) for call in calls(c.company.id, c.assessment_id, group_id, link_id)]
    missing = [outcome(call) for call in calls(MISSING, MISSING, MISSING, MISSING)]
    assert theirs == missing
    assert dump(c.owner.uow.engine) == before
    raised = {o[1] for o in theirs if o[0] == "raised"}
    assert "NotFound" in raised and "NotAllowed" not in raised



def test_clearing_an_untouched_answer_or_comment_writes_nothing(campaign) -> None:
    """A cleared answer or an emptied comment on a question never touched: nothing to store, no error."""
    c = campaign
    key = respondents.enter(c.visitor, c.link("staff").token).key
    before = dump(c.owner.uow.engine)
    assert respondents.answer(c.visitor, key, Q1, None) is None
    assert respondents.answer(c.visitor, key, MULTI, []) is None
    assert respondents.comment(c.visitor, key, Q1, "   ") == ""
    assert dump(c.owner.uow.engine) == before
    assert respondents.comment(c.visitor, key, Q1, "vu") == "vu"
    assert respondents.answer(c.visitor, key, Q1, None) is None  # the comment stays
    seen = respondents.view(c.visitor, key)
    assert (seen.answers, seen.comments) == ({}, {Q1: "vu"})
