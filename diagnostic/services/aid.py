"""Public aid schemes beside a company's recommendations and in its reports.

The catalogue (aid/catalogue.yaml) is public data: what is guarded is the company's profile, so
`schemes_for` checks that the actor may view the company (NotFound otherwise, as for a missing id).
A page that already holds the profile, read through the services, uses `schemes_for_profile`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from typing import Protocol

from diagnostic.aid_files import AidFileError, load_catalogue
from diagnostic.core.aid import AidMatch, Catalogue
from diagnostic.core.aid import schemes_for as rank_schemes
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.services import access
from diagnostic.services.context import Context

log = logging.getLogger("autodiag")

__all__ = ["AidMatch", "catalogue", "for_actions", "schemes_for", "schemes_for_profile"]


def catalogue() -> Catalogue | None:
    """The shipped catalogue, or None (logged) when the file is broken: a hint is not worth a page
    that fails; tests/test_aid.py keeps the shipped file valid."""
    try:
        return load_catalogue()
    except AidFileError:
        log.exception("aid catalogue not loaded")
        return None


def schemes_for_profile(
    profile: Profile, question_id: str | None, dimension_id: str | None, lang: str = "fr", today: date | None = None
) -> list[AidMatch]:
    """The open schemes for this question (first) or dimension that the profile does not rule out."""
    loaded = catalogue()
    if loaded is None:
        return []
    return rank_schemes(loaded, profile, question_id, dimension_id, today=today or date.today(), lang=lang)


def schemes_for(ctx: Context, company_id: int, question_id: str | None, dimension_id: str | None) -> list[AidMatch]:
    """The same for a company the actor may view; NotFound otherwise."""
    with ctx.uow:
        company = access.company(ctx, company_id)
    return schemes_for_profile(company.profile, question_id, dimension_id, ctx.lang)


class _PlannedAction(Protocol):
    @property
    def recommendation_id(self) -> str | None: ...
    @property
    def question_id(self) -> str | None: ...


def for_actions(
    profile: Profile,
    questionnaire: LoadedQuestionnaire,
    actions: Iterable[_PlannedAction],
    lang: str = "fr",
    today: date | None = None,
) -> dict[str, list[AidMatch]]:
    """Recommendation id -> the schemes that fund it, for the actions of the plan that come from a
    recommendation (only those that have some), for the reports."""
    found: dict[str, list[AidMatch]] = {}
    for action in actions:
        rec, question = action.recommendation_id, action.question_id
        if not rec or rec in found or question is None:
            continue
        dimension = questionnaire.dimension_of.get(question)
        matches = schemes_for_profile(profile, question, dimension.id if dimension else None, lang, today)
        if matches:
            found[rec] = matches
    return found
