"""A network's good-practice library: members publish, moderators publish or reject, members and
the network read, and the practices of other members show beside matching recommendations.

Who sees what (docs/decisions.md, issue 12):
- a published practice: the network's workspace members, and whoever may read a member company
  of that network (its people read the library through their company);
- a submitted, rejected or withdrawn one: its author's side (whoever may read the author company)
  and the network's moderators (Permission.MODERATE) only;
- a practice whose member left the network: the moderators only.
Anything else, another network's practice included, is not found.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from diagnostic.core.practices import (
    PracticeInput,
    PracticeRefused,
    PracticeView,
    Seeker,
    clean_note,
    clean_practice,
    clean_sector,
    matches_terms,
    practice_dimensions,
    rank_practices,
    search_terms,
)
from diagnostic.core.profile import naf_section
from diagnostic.core.roles import NotAllowed, NotFound, Permission
from diagnostic.services import access
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import shipped_questionnaires
from diagnostic.storage.models import utcnow
from diagnostic.storage.practices import MemberRecord, PracticeRecord
from diagnostic.storage.records import WorkspaceRecord
from diagnostic.storage.uow import UnitOfWork

DEMO_FILE = Path(__file__).resolve().parent.parent.parent / "networks" / "demo-practices.yaml"

__all__ = ["PracticeInput", "PracticeRefused", "PracticeView"]  # re-exported for the pages


# --- the questionnaire a practice links to --------------------------------------------------------


@dataclass(frozen=True)
class Links:
    """The question and dimension ids a practice may name (of every shipped questionnaire, the
    full diagnostic first) and their texts."""

    question_ids: tuple[str, ...]
    dimension_ids: tuple[str, ...]
    dimension_of: dict[str, str]  # question id -> dimension id
    questions: dict[str, dict[str, str]]  # question id -> lang -> text
    dimensions: dict[str, dict[str, str]]  # dimension id -> lang -> title

    def question_label(self, question_id: str, lang: str) -> str:
        return self.questions.get(question_id, {}).get(lang, question_id)

    def dimension_label(self, dimension_id: str, lang: str) -> str:
        return self.dimensions.get(dimension_id, {}).get(lang, dimension_id)


@functools.cache
def links() -> Links:
    questions: dict[str, dict[str, str]] = {}
    dimensions: dict[str, dict[str, str]] = {}
    dimension_of: dict[str, str] = {}
    for questionnaire in shipped_questionnaires():
        for dimension in questionnaire.dimensions:
            dimensions.setdefault(dimension.id, {"fr": dimension.title.get("fr"), "en": dimension.title.get("en")})
        for qid, question in questionnaire.questions.items():
            questions.setdefault(qid, {"fr": question.text.get("fr"), "en": question.text.get("en")})
            dimension_of.setdefault(qid, questionnaire.dimension_of[qid].id)
    return Links(tuple(questions), tuple(dimensions), dimension_of, questions, dimensions)


# --- who reaches a network ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reach:
    network: WorkspaceRecord
    in_network: bool  # a member of the network's workspace
    moderator: bool
    viewing: frozenset[int]  # member ids whose company the actor may read
    editing: frozenset[int]  # member ids whose company the actor may edit


def _reach(ctx: Context, network_id: int) -> _Reach:
    """How the actor reaches the network; NotFound when it does not (neither a member of its
    workspace nor a reader of one of its member companies), or when it is no network."""
    held = access.grants(ctx)
    network = ctx.uow.workspaces.get(network_id)
    if network is None or network.kind != "network":
        raise NotFound(f"network {network_id}")
    members = ctx.uow.practices.memberships(held.scope(Permission.VIEW), network_id)
    in_network = held.role_in(network_id) is not None
    if not in_network and not members:
        raise NotFound(f"network {network_id}")
    editing = frozenset(m.id for m in members if held.may(Permission.EDIT, m.company_workspace_id, m.company_id))
    return _Reach(network, in_network, held.may(Permission.MODERATE, network_id), frozenset(m.id for m in members), editing)


def _visible(p: PracticeRecord, reach: _Reach) -> bool:
    if p.network_id != reach.network.id:
        return False
    if reach.moderator or (p.member_id is not None and p.member_id in reach.viewing):
        return True
    return p.status == "published" and p.member_id is not None


def _view(p: PracticeRecord, reach: _Reach | None, network_name: str) -> PracticeView:
    mine = reach is not None and p.member_id is not None and p.member_id in reach.viewing
    privileged = reach is not None and (reach.moderator or mine)
    return PracticeView(
        id=p.id, network_id=p.network_id, network_name=network_name, member_name=p.company_name, title=p.title,
        done=p.done, results=p.results, effort=p.effort, sector=p.sector, size=p.size, question_ids=p.question_ids,
        dimension_ids=p.dimension_ids, contact=p.contact, status=p.status, submitted_at=p.submitted_at,
        published_at=p.published_at if p.status == "published" else None,
        submitted_by=p.submitted_by if privileged else "", moderated_by=p.moderated_by if privileged else "",
        moderation_note=p.moderation_note if privileged else "", mine=mine,
        editable=reach is not None and p.member_id is not None and p.member_id in reach.editing,
    )  # fmt: skip


def _practice(ctx: Context, practice_id: int, network_id: int | None = None) -> tuple[PracticeRecord, _Reach]:
    """A practice the actor may see (of that network, when named), and how the actor reaches it."""
    found = ctx.uow.practices.get(practice_id)
    if found is None or (network_id is not None and found.network_id != network_id):
        raise NotFound(f"practice {practice_id}")
    try:
        reach = _reach(ctx, found.network_id)
    except NotFound:
        raise NotFound(f"practice {practice_id}") from None
    if not _visible(found, reach):
        raise NotFound(f"practice {practice_id}")
    return found, reach


def _newest_first(views: Iterable[PracticeView]) -> list[PracticeView]:
    return sorted(views, key=lambda v: (v.published_at or v.submitted_at, v.id), reverse=True)


# --- reading --------------------------------------------------------------------------------------------


def networks(ctx: Context) -> list[WorkspaceRecord]:
    """The network workspaces the actor is a member of (where the library page works)."""
    with ctx.uow:
        held = access.grants(ctx)
        return [w for w in ctx.uow.workspaces.list(held.workspaces()) if w.kind == "network"]


def networks_of(ctx: Context, company_id: int) -> list[MemberRecord]:
    """The networks the company belongs to (its memberships)."""
    with ctx.uow:
        company = access.company(ctx, company_id)
        return ctx.uow.practices.memberships(access.scope(ctx), None, company.id)


def may_moderate(ctx: Context, network_id: int) -> bool:
    with ctx.uow:
        return access.grants(ctx).may(Permission.MODERATE, network_id)


def may_publish(ctx: Context, company_id: int) -> bool:
    """May the actor publish (and edit) the company's practices? (EDIT on the company)"""
    with ctx.uow:
        try:
            access.company(ctx, company_id, Permission.EDIT)
        except (NotFound, NotAllowed):
            return False
        return True


def practice(ctx: Context, network_id: int, practice_id: int) -> PracticeView:
    """One practice of the network, as the actor may see it."""
    with ctx.uow:
        found, reach = _practice(ctx, practice_id, network_id)
        return _view(found, reach, reach.network.name)


def library(ctx: Context, network_id: int) -> list[PracticeView]:
    """Every practice of the network the actor may see (the moderators: all), newest first."""
    with ctx.uow:
        reach = _reach(ctx, network_id)
        found = ctx.uow.practices.list([network_id])
        return _newest_first(_view(p, reach, reach.network.name) for p in found if _visible(p, reach))


def queue(ctx: Context, network_id: int) -> list[PracticeView]:
    """The practices awaiting moderation, oldest first (moderators only)."""
    with ctx.uow:
        reach = _reach(ctx, network_id)
        if not reach.moderator:
            raise NotAllowed(Permission.MODERATE)
        found = ctx.uow.practices.list([network_id], statuses=["submitted"])
        return sorted((_view(p, reach, reach.network.name) for p in found), key=lambda v: (v.submitted_at, v.id))


def own(ctx: Context, network_id: int, company_id: int) -> list[PracticeView]:
    """The company's practices in that network, whatever their status, newest first."""
    with ctx.uow:
        access.company(ctx, company_id)
        member = ctx.uow.practices.member(network_id, company_id)
        if member is None:
            raise NotFound(f"network {network_id}")
        reach = _reach(ctx, network_id)
        found = ctx.uow.practices.list([network_id], member_ids=[member.id])
        return _newest_first(_view(p, reach, reach.network.name) for p in found)


def search(
    ctx: Context,
    network_id: int,
    text: str = "",
    dimension: str | None = None,
    sector: str | None = None,
    effort: int | None = None,
) -> list[PracticeView]:
    """The network's published practices that contain every word of `text` (in the title, what was
    done, its results or the member's name; accents and case ignored), concern `dimension` (named
    or through a question), are of that NAF section and effort; newest first."""
    terms = search_terms(text)
    section = clean_sector(sector)
    dimension_of = links().dimension_of
    with ctx.uow:
        reach = _reach(ctx, network_id)
        found = ctx.uow.practices.list([network_id], statuses=["published"])
        kept = [
            p for p in found
            if p.member_id is not None
            and (dimension is None or dimension in practice_dimensions(p.question_ids, p.dimension_ids, dimension_of))
            and (section is None or p.sector == section)
            and (effort is None or p.effort == effort)
            and matches_terms(terms, p.title, p.done, p.results, p.company_name)
        ]  # fmt: skip
        return _newest_first(_view(p, reach, reach.network.name) for p in kept)


# --- beside the recommendations ---------------------------------------------------------------------


@dataclass(frozen=True)
class HintSource:
    """The published practices a company may be shown, read once (one query per page)."""

    seeker: Seeker
    practices: tuple[PracticeRecord, ...]
    network_names: dict[int, str]

    def for_question(self, question_id: str | None, dimension_id: str | None = None, limit: int = 3) -> list[PracticeView]:
        ranked = rank_practices(self.practices, self.seeker, question_id, dimension_id, links().dimension_of, limit)
        return [_view(p, None, self.network_names.get(p.network_id, "")) for p in ranked]


def hint_source(ctx: Context, company_id: int) -> HintSource:
    """What the company may be shown beside its recommendations: the published practices of the
    other members of its networks (VIEW on the company)."""
    with ctx.uow:
        company = access.company(ctx, company_id)
        mine = ctx.uow.practices.memberships(access.scope(ctx), None, company.id)
        networks = {m.network_id: m.network_name for m in mine}
        found = ctx.uow.practices.list(networks, statuses=["published"])
    sector = naf_section(company.profile.sector) if company.profile.sector else None
    seeker = Seeker(company.id, frozenset(networks), sector, company.profile.headcount_band)
    return HintSource(seeker, tuple(found), networks)


def matching(
    ctx: Context, company_id: int, question_id: str | None, dimension_id: str | None, limit: int = 3
) -> list[PracticeView]:
    """Practices of other members for one recommendation: those of its question, then of its
    dimension; same NAF section first, then same size band, then the most recent."""
    return hint_source(ctx, company_id).for_question(question_id, dimension_id, limit)


def hints_for(ctx: Context, company_id: int, question_ids: Iterable[str], limit: int = 3) -> dict[str, list[PracticeView]]:
    """`matching` for many questions at once (one read): question id -> practices (empty lists left out)."""
    source = hint_source(ctx, company_id)
    found = {qid: source.for_question(qid, None, limit) for qid in dict.fromkeys(question_ids)}
    return {qid: views for qid, views in found.items() if views}


# --- writing --------------------------------------------------------------------------------------------


def _cleaned(given: PracticeInput, sector: str | None, size: str | None) -> dict[str, object]:
    known = links()
    clean = clean_practice(
        given, question_ids=known.question_ids, dimension_ids=known.dimension_ids, default_sector=sector, default_size=size
    )
    return {
        "title": clean.title, "done": clean.done, "results": clean.results, "effort": clean.effort, "sector": clean.sector,
        "size": clean.size, "question_ids": clean.question_ids, "dimension_ids": clean.dimension_ids, "contact": clean.contact,
    }  # fmt: skip


def publish(ctx: Context, network_id: int, company_id: int, fields: PracticeInput) -> PracticeView:
    """The company publishes a practice to its network: it waits for moderation ("submitted").
    EDIT on the company; a network the company is not a member of is not found."""

    def work(uow: UnitOfWork) -> PracticeView:
        company = access.company(ctx, company_id, Permission.EDIT)
        member = uow.practices.member(network_id, company_id)
        if member is None:
            raise NotFound(f"network {network_id}")
        values = _cleaned(fields, company.profile.sector, company.profile.headcount_band)
        saved = uow.practices.add(network_id, member.id, status="submitted", submitted_by=ctx.actor.label, **values)
        access.audit(ctx, company.workspace_id, "practice.submit", f"practice:{saved.id}", saved.title)
        access.audit(ctx, network_id, "practice.submit", f"practice:{saved.id}", f"{company.name}: {saved.title}")
        return _view(saved, _reach(ctx, network_id), member.network_name)

    return ctx.uow.run(work)


def _editable(ctx: Context, practice_id: int) -> tuple[PracticeRecord, _Reach]:
    found, reach = _practice(ctx, practice_id)
    if found.member_id is None or found.member_id not in reach.editing:
        raise NotAllowed(Permission.EDIT)
    return found, reach


def edit(ctx: Context, practice_id: int, fields: PracticeInput) -> PracticeView:
    """The author member changes its practice: it goes back to moderation (a published one
    leaves the library until published again)."""

    def work(uow: UnitOfWork) -> PracticeView:
        found, reach = _editable(ctx, practice_id)
        assert found.company_id is not None and found.company_workspace_id is not None
        company = access.company(ctx, found.company_id, Permission.EDIT)
        values = _cleaned(fields, company.profile.sector, company.profile.headcount_band)
        saved = uow.practices.update(
            practice_id, **values, status="submitted", submitted_by=ctx.actor.label, submitted_at=utcnow(),
            moderated_by="", moderated_at=None, moderation_note="",
        )  # fmt: skip
        access.audit(ctx, found.company_workspace_id, "practice.update", f"practice:{practice_id}", saved.title)
        access.audit(ctx, found.network_id, "practice.update", f"practice:{practice_id}", f"{company.name}: {saved.title}")
        return _view(saved, reach, reach.network.name)

    return ctx.uow.run(work)


def withdraw(ctx: Context, practice_id: int) -> PracticeView:
    """The author member takes its practice out of the library (or of the moderation queue)."""

    def work(uow: UnitOfWork) -> PracticeView:
        found, reach = _editable(ctx, practice_id)
        assert found.company_workspace_id is not None
        if found.status == "withdrawn":
            raise PracticeRefused(code="practice.already_withdrawn")
        saved = uow.practices.update(practice_id, status="withdrawn")
        access.audit(ctx, found.company_workspace_id, "practice.withdraw", f"practice:{practice_id}", found.title)
        access.audit(ctx, found.network_id, "practice.withdraw", f"practice:{practice_id}", f"{found.company_name}: {found.title}")
        return _view(saved, reach, reach.network.name)

    return ctx.uow.run(work)


def moderate(ctx: Context, practice_id: int, publish: bool, note: str = "") -> PracticeView:
    """A moderator publishes the practice, or rejects it with a note the member reads (a
    published one may be rejected too: it leaves the library). A withdrawn practice stays so."""
    cleaned = clean_note(note)
    if not publish and not cleaned:
        raise PracticeRefused(code="practice.note_required")

    def work(uow: UnitOfWork) -> PracticeView:
        found, reach = _practice(ctx, practice_id)
        if not reach.moderator:
            raise NotAllowed(Permission.MODERATE)
        if found.status == "withdrawn":
            raise PracticeRefused(code="practice.withdrawn")
        if publish and found.member_id is None:
            raise PracticeRefused(code="practice.member_gone")
        saved = uow.practices.update(
            practice_id, status="published" if publish else "rejected", moderated_by=ctx.actor.label,
            moderated_at=utcnow(), moderation_note=cleaned,
        )  # fmt: skip
        if publish:
            access.audit(ctx, found.network_id, "practice.publish", f"practice:{practice_id}", cleaned)
        else:
            access.audit(ctx, found.network_id, "practice.reject", f"practice:{practice_id}", cleaned)
        return _view(saved, reach, reach.network.name)

    return ctx.uow.run(work)


# --- exports ------------------------------------------------------------------------------------------


def export_csv(ctx: Context, network_id: int) -> bytes:
    """The practices the actor may see, as CSV for a spreadsheet (UTF-8 with a BOM)."""
    from diagnostic.exports.practices import practices_csv

    return practices_csv(library(ctx, network_id), ctx.lang, links())


def export_xlsx(ctx: Context, network_id: int) -> bytes:
    """The practices the actor may see, as an Excel workbook."""
    from diagnostic.exports.practices import practices_xlsx

    return practices_xlsx(library(ctx, network_id), ctx.lang, links())


# --- the demo network's library --------------------------------------------------------------------


class DemoPractice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1, max_length=200)
    done: str = Field(min_length=1, max_length=4000)
    results: str = Field(default="", max_length=4000)
    effort: int = Field(ge=1, le=3)
    sector: str = Field(pattern=r"^[A-U]$")
    size: Literal["0", "1-10", "11-19", "20-49", "50-249", "250+"]
    question_ids: list[str] = Field(default_factory=list)
    dimension_ids: list[str] = Field(default_factory=list)
    contact: str = ""
    status: Literal["published", "submitted"] = "published"
    days_ago: int = Field(default=30, ge=0, le=3650)  # when it was submitted


class DemoLibrary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    practices: list[DemoPractice] = Field(min_length=1)


def demo_practices(path: Path = DEMO_FILE) -> list[DemoPractice]:
    """The demo library's practices, checked (each id must exist in the questionnaires)."""
    library = DemoLibrary.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    known = links()
    for p in library.practices:
        clean_practice(
            PracticeInput(p.title, p.done, p.results, p.effort, tuple(p.question_ids), tuple(p.dimension_ids), p.sector,
                          p.size, bool(p.contact), p.contact),
            question_ids=known.question_ids, dimension_ids=known.dimension_ids, default_sector=None, default_size=None,
        )  # fmt: skip
    return list(library.practices)


def _spread(practices: Sequence[DemoPractice], members: Sequence[MemberRecord]) -> list[MemberRecord]:
    """Each practice's member: in turn among the members of its NAF section when there are some,
    else in turn among all."""
    chosen: list[MemberRecord] = []
    turns: dict[str | None, int] = {}
    for p in practices:
        same = [m for m in members if m.company_sector and naf_section(m.company_sector) == p.sector]
        key = p.sector if same else None
        pool = same or list(members)
        turn = turns.get(key, 0)
        chosen.append(pool[turn % len(pool)])
        turns[key] = turn + 1
    return chosen


def seed_demo_practices(ctx_or_uow: Context | UnitOfWork, network_id: int, member_ids: list[int]) -> int:
    """Write the demo library (networks/demo-practices.yaml) into the network, spread over its
    members (`member_ids`: network_members ids), mostly published, some awaiting moderation.
    Given a Context, the actor must moderate the network; a bare unit of work is the demo's own
    trusted setup. Returns the number of practices written."""
    practices = demo_practices()
    ctx = ctx_or_uow if isinstance(ctx_or_uow, Context) else None
    uow = ctx.uow if ctx is not None else ctx_or_uow
    assert not isinstance(uow, Context)

    def work(u: UnitOfWork) -> int:
        if ctx is not None:
            access.workspace(ctx, network_id, Permission.MODERATE)
        members = [m for m in u.practices.members_by_id(member_ids) if m.network_id == network_id]
        if not members:
            raise NotFound(f"network {network_id} members")
        now = utcnow()
        for p, member in zip(practices, _spread(practices, members), strict=True):
            submitted = now - timedelta(days=p.days_ago)
            published = p.status == "published"
            u.practices.add(
                network_id, member.id, title=p.title, done=p.done, results=p.results, effort=p.effort,
                # a practice describes its author: the member's own sector and size, as publishing sets them
                sector=naf_section(member.company_sector) if member.company_sector else p.sector,
                size=member.company_size or p.size, question_ids=p.question_ids, dimension_ids=p.dimension_ids, contact=p.contact,
                status=p.status, submitted_by=member.company_name, submitted_at=submitted,
                moderated_by="Démo" if published else "", moderated_at=submitted + timedelta(days=2) if published else None,
            )  # fmt: skip
        return len(practices)

    return uow.run(work)
