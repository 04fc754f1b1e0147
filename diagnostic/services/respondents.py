"""The participative diagnostic, the respondent's side: a link is the respondent's whole authority.

A respondent has no account and no grant: every other service refuses them as it refuses an id that
does not exist. What they reach here is found by the hash of their key only:
- a named link's token is the person's key for as long as the link lives;
- a group link's token is shared by a team: each opening makes a new respondent with a key of their
  own (32 random bytes, hashed), which the page keeps in its address; that key is erased when they
  complete or the collection closes, so that nothing leads from a token to an anonymous response.
Nothing here writes the audit log or a time finer than the day.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from diagnostic.core import limits
from diagnostic.core.answers import check_value, comment_problem
from diagnostic.core.audience import ordered_asked
from diagnostic.core.consolidation import Consolidation
from diagnostic.core.errors import DomainError
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.roles import Scope
from diagnostic.services.context import Context
from diagnostic.services.participation import consolidate_campaign, new_token, token_hash
from diagnostic.services.questionnaires import questionnaire_of
from diagnostic.storage.models import utcnow
from diagnostic.storage.records import CampaignRecord, GroupRecord, RespondentRecord
from diagnostic.storage.uow import UnitOfWork


class RespondentRefused(DomainError):
    """The link cannot be used (code: "respond.invalid", "respond.expired", "respond.full",
    "respond.closed", "respond.done"). An unknown and a revoked link get the same words."""

    code = "respond.invalid"


@dataclass(frozen=True)
class RespondentView:
    key: str  # what the page keeps in its address
    respondent_id: str
    group: GroupRecord
    group_label: str  # "" for the group's default name
    company_name: str
    profile: Profile
    questionnaire: LoadedQuestionnaire
    asked: list[str]  # the questions of this group, in questionnaire order
    answers: dict[str, Any]
    comments: dict[str, str]
    completed: bool
    closed: bool
    share_results: bool
    k: int  # the anonymity threshold, said to anonymous respondents


def _found(uow: UnitOfWork, key: str, create: bool) -> tuple[str, RespondentRecord, GroupRecord, CampaignRecord]:
    """(key, respondent, group, campaign) of a key: a respondent's own key, a named link, or (when
    `create`) a group link, which makes a new respondent with a new key."""
    key = key.strip()
    if not key or len(key) > 100:
        raise RespondentRefused()
    hashed = token_hash(key)
    own = uow.participation.respondent_by_secret(hashed)
    if own is not None:
        respondent, group = own
        campaign = uow.participation.campaign_of_group(group.id)
        if campaign.closed_on is not None:
            raise RespondentRefused(code="respond.closed")
        return key, respondent, group, campaign
    linked = uow.participation.link_by_hash(hashed)
    if linked is None:
        raise RespondentRefused()
    link, group = linked
    campaign = uow.participation.campaign_of_group(group.id)
    state = link.state(utcnow())
    if state == "revoked":
        raise RespondentRefused()
    if campaign.closed_on is not None:
        raise RespondentRefused(code="respond.closed")
    if not group.anonymous:  # a named link: the person's key
        person = uow.participation.respondent_of_link(link.id)
        if person is not None and person.completed_on is not None:
            raise RespondentRefused(code="respond.done")
        if state == "expired":
            raise RespondentRefused(code="respond.expired")
        if person is None:
            if not create:
                raise RespondentRefused()
            person = uow.participation.add_respondent(secrets.token_hex(16), group.id, link.id, None)
        if link.last_used_on != utcnow().date():
            uow.participation.use_link(link.id, named=True)
        return key, person, group, campaign
    if not create:
        raise RespondentRefused()
    if state in ("expired", "full"):
        raise RespondentRefused(code=f"respond.{state}")
    own_key = new_token()
    respondent = uow.participation.add_respondent(secrets.token_hex(16), group.id, None, token_hash(own_key))
    uow.participation.use_link(link.id, named=False)
    return own_key, respondent, group, campaign


def enter(ctx: Context, key: str) -> RespondentView:
    """Open a link: the respondent's view (a group link makes a new respondent: keep `view.key`)."""
    return ctx.uow.run(lambda uow: _view(uow, *_found(uow, key, create=True)))


def view(ctx: Context, key: str) -> RespondentView:
    """The respondent's view for a key already entered (never makes a respondent)."""
    with ctx.uow:
        return _view(ctx.uow, *_found(ctx.uow, key, create=False))


def _view(uow: UnitOfWork, key: str, respondent: RespondentRecord, group: GroupRecord, campaign: CampaignRecord) -> RespondentView:
    assessment, company = uow.participation.assessment_of_group(group.id)
    questionnaire = questionnaire_of(uow, assessment)
    stored = uow.participation.respondent_answers(respondent.id)
    return RespondentView(
        key=key, respondent_id=respondent.id, group=group, group_label=group.label, company_name=company.name,
        profile=company.profile, questionnaire=questionnaire, asked=ordered_asked(questionnaire, group.key),
        answers={q: v for q, (v, _) in stored.items() if v is not None}, comments={q: c for q, (_, c) in stored.items() if c},
        completed=respondent.completed_on is not None, closed=campaign.closed_on is not None,
        share_results=campaign.share_results, k=campaign.k,
    )  # fmt: skip


def _writable(uow: UnitOfWork, key: str) -> RespondentView:
    found = _view(uow, *_found(uow, key, create=False))
    if found.completed:
        raise RespondentRefused(code="respond.done")
    return found


def answer(ctx: Context, key: str, question_id: str, value: Any) -> Any:
    """Save one answer of the respondent (None clears it); returns the value now stored."""

    def work(uow: UnitOfWork) -> Any:
        found = _writable(uow, key)
        if question_id not in found.asked:
            raise RespondentRefused(code="respond.not_asked")
        checked = None if value is None or value == [] else check_value(found.questionnaire, question_id, value)
        return uow.participation.put_respondent_answer(found.respondent_id, question_id, checked)[0]

    return ctx.uow.run(work)


def comment(ctx: Context, key: str, question_id: str, text: str) -> str:
    text = text.strip()
    if len(text) > limits.COMMENT or comment_problem(text):
        raise RespondentRefused(code="respond.bad_comment", params={"max": limits.COMMENT})

    def work(uow: UnitOfWork) -> str:
        found = _writable(uow, key)
        if question_id not in found.asked:
            raise RespondentRefused(code="respond.not_asked")
        return uow.participation.put_respondent_answer(found.respondent_id, question_id, comment=text)[1]

    return ctx.uow.run(work)


def complete(ctx: Context, key: str) -> Consolidation | None:
    """Send the answers: they count from now on and can no longer be changed (nor reached by any
    key). Returns the consolidated result when the owner shares it with respondents (else None)."""

    def work(uow: UnitOfWork) -> Consolidation | None:
        found = _writable(uow, key)
        uow.participation.complete_respondent(found.respondent_id, utcnow().date())
        campaign = uow.participation.campaign_of_group(found.group.id)
        if not campaign.share_results:
            return None
        assessment, company = uow.participation.assessment_of_group(found.group.id)
        scope = Scope(companies=frozenset({company.id}))  # the one company this link is about
        groups = uow.participation.groups(scope, assessment.id)
        responses = uow.participation.responses(scope, assessment.id)
        return consolidate_campaign(found.questionnaire, company, campaign, groups, responses)

    return ctx.uow.run(work)
