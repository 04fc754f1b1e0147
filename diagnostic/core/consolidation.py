"""The consolidation of several respondent groups' answers (the participative diagnostic), pure.

Scale. A question's statistics are on the 0..4 "level" scale: a maturity answer is its level,
another scored answer is answer_value / question_max × 4 (a scored question whose maximum is 0 is
not scaled). "na" and "dont_know" are never scaled: they are counted apart. An unscored number
question has the statistics of its raw numbers (they never enter the spread or the divergences);
other unscored questions have no statistics, only their distribution; text questions have none:
their texts are read as comments.

Within a group (each respondent weighs the same), the consolidated answer is, for
- maturity: the mean level rounded half up (2.5 → 3);
- yes/no and single choice: the most frequent answer; ties go to the lower score, then option order;
- multiple choice: the options ticked by at least half of those who ticked something, in option
  order (None when none is). An exclusive option can only reach half together with others when
  exactly half ticked it: that tie goes to the lower-scored of the valid sets, then option order;
- number: the median; text: None (the texts are comments);
- a question with specials only: the most frequent special the question allows; a tie goes to
  "dont_know" (it scores 0; "na" would take the question out of the score).
A real answer always outranks the specials.

The consensus pre-fill weighs each shown group the same whatever its size: maturity, the mean of
the group means rounded half up; yes/no and single, the answer with the highest mean share across
groups (a group's shares are among its real answers; ties as above); multiple, the options whose
mean share is at least one half; number, the median of the group medians; the specials only when
no group has a real answer (the highest mean share of the specials, ties to "dont_know").

Anonymity. An anonymous group is shown from `k` respondents and only for the questions that at least
`k` of them answered (specials included); its comments and free texts from `comment_k`, never in
response order. A named group is shown from one respondent. `visible_sets` is the differencing
guard: with disjoint groups it refuses only sets below `k`; it is kept so that any overlapping set
(today "others") is checked the same way, counting anonymous respondents only (a named one's answers
are visible anyway). What is hidden — a group, or a question of a group — never influences
anything: "others", the pre-fill, the spread and the divergences are built from the shown groups'
shown questions only, so that no difference of two outputs can reveal what is hidden.

"others" pools every shown group but the reference one(s) (key `reference`, "direction" by default),
each respondent weighing the same; it exists when it pools at least two shown groups (one would
only repeat that group). The reference view is the first shown group of that key. Divergences
compare each other shown group with it, question by question, on the level scale: a gap above 4/3
of a level is a hidden strength, below −4/3 a blind spot; a shown group's answers spanning 3 levels
or more is a spread. "others" enters neither the spread nor the divergences (it repeats its groups).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import floor, fsum
from typing import Any

from diagnostic.core.answers import Answer
from diagnostic.core.conditions import applicability
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.schema import (
    MATURITY_MAX,
    AnyQuestion,
    MaturityQuestion,
    MultipleQuestion,
    NumberQuestion,
    Option,
    SingleQuestion,
    TextQuestion,
    YesNoQuestion,
)
from diagnostic.core.scoring import Result, score
from diagnostic.core.values import DONT_KNOW, NA, answer_value, band_score, question_max

GAP = 4 / 3  # a third of the 0..4 scale: beyond it, two groups do not see the same company
SPREAD = 3  # levels between a group's lowest and highest answer that make a split group
EPSILON = 1e-9  # the thresholds above are compared with this tolerance, as scoring's are
OTHERS_ID = 0
OTHERS_KEY = "others"
KINDS = ("blind_spot", "hidden_strength", "spread")

_MATURITY, _CHOICE, _MULTIPLE, _NUMBER, _TEXT = range(5)
_HALF = Fraction(1, 2)


@dataclass(frozen=True)
class Response:
    """One completed respondent, with no identity at all."""

    answers: Mapping[str, Any]  # question id -> stored value (as check_value returns it)
    comments: Mapping[str, str] = field(default_factory=dict)  # question id -> free comment


@dataclass(frozen=True)
class GroupInput:
    id: int  # the group's database id
    key: str  # one of audience.GROUPS
    label: str
    anonymous: bool
    responses: Sequence[Response]  # completed respondents only


@dataclass(frozen=True)
class QuestionStats:
    question_id: str
    answers: int  # answers given to it, specials included
    dont_know: int
    na: int
    mean: float | None  # on the 0..4 level scale (raw numbers for an unscored number); None without values
    median: float | None
    minimum: float | None
    maximum: float | None
    # every possible answer in order ("0".."4", "yes"/"no", option ids; then the specials allowed)
    # -> count (a multiple choice counts ticks); {} for numbers and texts
    distribution: dict[str, int]
    consolidated: Any  # the group's consolidated answer (a valid stored value) or None


@dataclass(frozen=True)
class GroupView:
    id: int
    key: str
    label: str
    anonymous: bool
    respondents: int  # completed responses
    shown: bool
    comments_shown: bool
    questions: dict[str, QuestionStats]  # in questionnaire order; {} when not shown
    answers: dict[str, Answer]  # the consolidated answer set; {} when not shown
    result: Result | None  # the consolidated answers scored; None when not shown
    comments: dict[str, list[str]]  # question id -> comments and free texts, sorted; {} unless comments_shown


@dataclass(frozen=True)
class Divergence:
    question_id: str
    group_id: int
    kind: str  # one of KINDS
    size: float  # |gap| for a blind spot or a hidden strength, highest − lowest answer for a spread
    reference_mean: float | None
    group_mean: float | None


@dataclass(frozen=True)
class Consolidation:
    k: int
    comment_k: int
    groups: list[GroupView]  # every group, in input order, shown or not
    others: GroupView | None  # the shown non-reference groups pooled (id 0, key "others"), when two or more
    prefill: dict[str, Any]  # question id -> consensus value, for the questions that have one
    spread: dict[str, tuple[float, float]]  # question id -> (lowest, highest) shown group mean, level scale
    divergences: list[Divergence]  # largest first, then in questionnaire order

    def group(self, group_id: int) -> GroupView:
        for view in self.groups:
            if view.id == group_id:
                return view
        if self.others is not None and self.others.id == group_id:
            return self.others
        raise KeyError(group_id)

    @property
    def shown(self) -> list[GroupView]:
        return [view for view in self.groups if view.shown]


def visible_sets(candidates: Sequence[frozenset[Hashable]], k: int) -> list[bool]:
    """The differencing guard: which candidate sets may be shown, accepted in order.

    A set is accepted when it has at least k members and, against every accepted set it overlaps,
    both differences are empty or of at least k members (else subtracting one published figure
    from the other would show fewer than k people's answers).
    """
    accepted: list[frozenset[Hashable]] = []
    verdicts = []
    for candidate in candidates:
        ok = len(candidate) >= k and all(
            _safe_difference(len(candidate - other), k) and _safe_difference(len(other - candidate), k)
            for other in accepted
            if not candidate.isdisjoint(other)
        )
        if ok:
            accepted.append(candidate)
        verdicts.append(ok)
    return verdicts


def _safe_difference(size: int, k: int) -> bool:
    return size == 0 or size >= k


# --- what each question needs, computed once per consolidation ----------------------------------


@dataclass(frozen=True)
class _Spec:
    question: AnyQuestion
    index: int  # questionnaire order
    kind: int
    options: list[Option]
    labels: tuple[str, ...]  # the distribution's keys, in order, specials apart
    scores: dict[str, float]  # label -> score (yes/no and options)
    maximum: float | None  # what a value is divided by to be scaled; None: not scored (or of maximum 0)
    scaled: bool  # its statistics are on the level scale (a maturity question always is)
    specials: tuple[str, ...]  # the specials the question allows


def _spec(questionnaire: LoadedQuestionnaire, question: AnyQuestion, index: int) -> _Spec:
    options = questionnaire.options(question)
    maximum = question_max(question, options)
    scores: dict[str, float] = {}
    if isinstance(question, MaturityQuestion):
        kind, labels = _MATURITY, tuple(str(level) for level in range(MATURITY_MAX + 1))
    elif isinstance(question, YesNoQuestion):
        kind, labels = _CHOICE, ("yes", "no")
        scores = {"yes": question.scores.yes, "no": question.scores.no}
    elif isinstance(question, (SingleQuestion, MultipleQuestion)):
        kind = _MULTIPLE if isinstance(question, MultipleQuestion) else _CHOICE
        labels = tuple(o.id for o in options)
        scores = {o.id: o.score for o in options}
    elif isinstance(question, NumberQuestion):
        kind, labels = _NUMBER, ()
    elif isinstance(question, TextQuestion):
        kind, labels = _TEXT, ()
    else:
        raise TypeError(f"unknown question type {type(question).__name__}")
    if not scores and kind == _CHOICE:
        scores = dict.fromkeys(labels, 0.0)
    specials = tuple(s for s, allowed in ((NA, question.allow_na), (DONT_KNOW, question.allow_dont_know)) if allowed)
    return _Spec(
        question=question,
        index=index,
        kind=kind,
        options=options,
        labels=labels,
        scores=scores,
        maximum=maximum if maximum else None,  # a maximum of 0 gives no scale
        scaled=kind == _MATURITY or bool(maximum),
        specials=specials,
    )


class _Tally:
    """One group's answers to one question, as they are read (mutable; never leaves this module)."""

    __slots__ = ("answers", "na", "dont_know", "levels", "numbers", "counts")

    def __init__(self, labels: tuple[str, ...]) -> None:
        self.answers = 0
        self.na = 0
        self.dont_know = 0
        self.levels: list[float] = []  # the scaled values (ints for maturity, for exact means)
        self.numbers: list[float] = []  # raw numbers
        self.counts: dict[str, int] = dict.fromkeys(labels, 0)

    @property
    def real(self) -> int:
        return self.answers - self.na - self.dont_know

    def merge(self, other: _Tally) -> None:
        self.answers += other.answers
        self.na += other.na
        self.dont_know += other.dont_know
        self.levels.extend(other.levels)
        self.numbers.extend(other.numbers)
        for label, count in other.counts.items():
            self.counts[label] = self.counts.get(label, 0) + count


def _tally(specs: Mapping[str, _Spec], responses: Sequence[Response]) -> tuple[dict[str, _Tally], dict[str, list[str]]]:
    """Every answer read once: the per-question tallies and the texts (comments and free answers)."""
    tallies: dict[str, _Tally] = {}
    texts: dict[str, list[str]] = {}
    for response in responses:
        for qid, value in response.answers.items():
            spec = specs.get(qid)
            if spec is None:  # not a question of this questionnaire: nothing to consolidate
                continue
            tally = tallies.get(qid)
            if tally is None:
                tally = tallies[qid] = _Tally(spec.labels)
            tally.answers += 1
            if isinstance(value, str) and value == NA:
                tally.na += 1
                continue
            if isinstance(value, str) and value == DONT_KNOW:
                tally.dont_know += 1
                continue
            kind, maximum = spec.kind, spec.maximum
            if kind == _MATURITY:
                level = int(value)
                tally.levels.append(level)
                tally.counts[str(level)] += 1
            elif kind == _CHOICE:
                tally.counts[value] += 1
                if maximum is not None:
                    tally.levels.append(spec.scores[value] / maximum * MATURITY_MAX)
            elif kind == _MULTIPLE:
                for option_id in value:
                    tally.counts[option_id] += 1
                if maximum is not None:
                    worth = answer_value(spec.question, spec.options, value) or 0.0
                    tally.levels.append(worth / maximum * MATURITY_MAX)
            elif kind == _NUMBER:
                tally.numbers.append(value)
                if maximum is not None:
                    assert isinstance(spec.question, NumberQuestion)
                    tally.levels.append(band_score(spec.question, float(value)) / maximum * MATURITY_MAX)
            elif isinstance(value, str) and value.strip():  # a free text is read as a comment
                texts.setdefault(qid, []).append(value)
        for qid, comment in response.comments.items():
            if qid in specs and isinstance(comment, str) and comment.strip():
                texts.setdefault(qid, []).append(comment)
    return tallies, texts


# --- consolidated values --------------------------------------------------------------------------


def _round_half_up(value: Fraction) -> int:
    return floor(value + _HALF)


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _top(spec: _Spec, shares: Mapping[str, Fraction]) -> str | None:
    """The label with the highest share; ties: the lower score, then option order."""
    order = {label: i for i, label in enumerate(spec.labels)}
    present = [label for label, share in shares.items() if share > 0]
    if not present:
        return None
    return min(present, key=lambda label: (-shares[label], spec.scores.get(label, 0.0), order[label]))


def _majority(spec: _Spec, shares: Mapping[str, Fraction]) -> list[str] | None:
    """The options of share at least one half, in option order, made a valid answer."""
    chosen = [label for label in spec.labels if shares.get(label, 0) >= _HALF]
    exclusive = {o.id for o in spec.options if o.exclusive}
    if len(chosen) > 1 and exclusive.intersection(chosen):
        # only a tie at exactly half gets here: the lower-scored valid set, then the first in order
        together = [label for label in chosen if label not in exclusive]
        alternatives = [[label] for label in chosen if label in exclusive] + ([together] if together else [])
        order = {label: i for i, label in enumerate(spec.labels)}

        def rank(selection: list[str]) -> tuple[float, int]:
            return answer_value(spec.question, spec.options, selection) or 0.0, order[selection[0]]

        chosen = min(alternatives, key=rank)
    return chosen or None


def _special(spec: _Spec, na: Fraction, dont_know: Fraction) -> str | None:
    """The most frequent special the question allows; a tie goes to "don't know"."""
    candidates = [(share, special) for special, share in ((DONT_KNOW, dont_know), (NA, na)) if share > 0]
    allowed = [(share, special) for share, special in candidates if special in spec.specials]
    if not allowed:
        return None
    best = max(share for share, _ in allowed)
    return next(special for share, special in allowed if share == best)


def _consolidated(spec: _Spec, tally: _Tally) -> Any:
    real = tally.real
    if spec.kind == _TEXT:
        return None
    if not real:
        return _special(spec, Fraction(tally.na), Fraction(tally.dont_know))
    if spec.kind == _MATURITY:
        total = int(sum(tally.levels))
        return (2 * total + real) // (2 * real)  # the mean rounded half up, in integers: exact
    if spec.kind == _CHOICE:
        return _top(spec, {label: Fraction(count) for label, count in tally.counts.items()})
    if spec.kind == _MULTIPLE:
        return _majority(spec, {label: Fraction(count, real) for label, count in tally.counts.items()})
    return _median(tally.numbers)


def _stats(spec: _Spec, qid: str, tally: _Tally) -> QuestionStats:
    if spec.kind == _TEXT:
        values: list[float] = []
    elif spec.kind == _NUMBER and not spec.scaled:
        values = tally.numbers
    else:
        values = tally.levels
    distribution: dict[str, int] = {}
    if spec.kind not in (_NUMBER, _TEXT):
        distribution = dict(tally.counts)
        for special, count in ((NA, tally.na), (DONT_KNOW, tally.dont_know)):
            if special in spec.specials or count:
                distribution[special] = count
    return QuestionStats(
        question_id=qid,
        answers=tally.answers,
        dont_know=tally.dont_know,
        na=tally.na,
        mean=fsum(values) / len(values) if values else None,
        median=float(_median(values)) if values else None,
        minimum=float(min(values)) if values else None,
        maximum=float(max(values)) if values else None,
        distribution=distribution,
        consolidated=_consolidated(spec, tally),
    )


# --- views ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Seen:
    """What a shown view is built from: its shown questions' tallies and its shown texts."""

    tallies: dict[str, _Tally]
    texts: dict[str, list[str]]


def _hidden(group: GroupInput) -> GroupView:
    return GroupView(
        id=group.id,
        key=group.key,
        label=group.label,
        anonymous=group.anonymous,
        respondents=len(group.responses),
        shown=False,
        comments_shown=False,
        questions={},
        answers={},
        result=None,
        comments={},
    )


def _shown_view(
    questionnaire: LoadedQuestionnaire,
    profile: Profile,
    specs: Mapping[str, _Spec],
    identity: tuple[int, str, str, bool, int],
    seen: _Seen,
    comments_shown: bool,
) -> GroupView:
    questions: dict[str, QuestionStats] = {}
    answers: dict[str, Answer] = {}
    for qid in specs:  # questionnaire order
        tally = seen.tallies.get(qid)
        if tally is None:
            continue
        stats = questions[qid] = _stats(specs[qid], qid, tally)
        if stats.consolidated is not None:
            answers[qid] = Answer(stats.consolidated)
    comments = {}
    if comments_shown:
        # sorted, never in response order: the order of arrival would tell who wrote what
        comments = {
            qid: sorted(seen.texts[qid], key=lambda t: (t.casefold(), t)) for qid in specs if seen.texts.get(qid)
        }
    group_id, key, label, anonymous, respondents = identity
    return GroupView(
        id=group_id,
        key=key,
        label=label,
        anonymous=anonymous,
        respondents=respondents,
        shown=True,
        comments_shown=comments_shown,
        questions=questions,
        answers=answers,
        result=score(questionnaire, profile, answers),
        comments=comments,
    )


def _prefill(specs: Mapping[str, _Spec], seen: Sequence[_Seen]) -> dict[str, Any]:
    """The consensus of the shown groups, each weighing the same (see the module docstring)."""
    prefill: dict[str, Any] = {}
    for qid, spec in specs.items():
        if spec.kind == _TEXT:
            continue
        tallies = [s.tallies[qid] for s in seen if qid in s.tallies]
        real = [t for t in tallies if t.real]
        value: Any = None
        if not real:
            if tallies:
                na = sum((Fraction(t.na, t.answers) for t in tallies), Fraction(0))
                dont_know = sum((Fraction(t.dont_know, t.answers) for t in tallies), Fraction(0))
                value = _special(spec, na, dont_know)
        elif spec.kind == _MATURITY:
            means = [Fraction(int(sum(t.levels)), t.real) for t in real]
            value = _round_half_up(sum(means, Fraction(0)) / len(means))
        elif spec.kind in (_CHOICE, _MULTIPLE):
            shares: dict[str, Fraction] = dict.fromkeys(spec.labels, Fraction(0))
            for t in real:
                for label, count in t.counts.items():
                    shares[label] = shares.get(label, Fraction(0)) + Fraction(count, t.real)
            if spec.kind == _CHOICE:
                value = _top(spec, shares)
            else:
                value = _majority(spec, {label: share / len(real) for label, share in shares.items()})
        else:
            value = _median([_median(t.numbers) for t in real])
        if value is not None:
            prefill[qid] = value
    return prefill


def _divergences(
    specs: Mapping[str, _Spec], views: Sequence[GroupView], reference: GroupView | None
) -> list[Divergence]:
    found: list[tuple[tuple[float, int, int, int], Divergence]] = []
    for position, view in enumerate(views):
        for qid, stats in view.questions.items():
            spec = specs[qid]
            if not spec.scaled or stats.mean is None or stats.minimum is None or stats.maximum is None:
                continue
            theirs = reference.questions.get(qid) if reference is not None else None
            reference_mean = theirs.mean if theirs is not None else None
            divergences = []
            width = stats.maximum - stats.minimum
            if width >= SPREAD - EPSILON:
                divergences.append(Divergence(qid, view.id, "spread", width, reference_mean, stats.mean))
            if view is not reference and reference_mean is not None:
                gap = stats.mean - reference_mean
                if abs(gap) > GAP + EPSILON:
                    kind = "hidden_strength" if gap > 0 else "blind_spot"
                    divergences.append(Divergence(qid, view.id, kind, abs(gap), reference_mean, stats.mean))
            for d in divergences:
                found.append(((-d.size, spec.index, position, KINDS.index(d.kind)), d))
    found.sort(key=lambda pair: pair[0])
    return [d for _, d in found]


def consolidate(
    questionnaire: LoadedQuestionnaire,
    profile: Profile,
    groups: Sequence[GroupInput],
    k: int = 5,
    comment_k: int = 8,
    reference: str = "direction",
) -> Consolidation:
    """Every group's view, "others", the consensus pre-fill, the spread and the divergences."""
    if k < 1 or comment_k < 1:
        raise ValueError(f"k and comment_k must be at least 1 (got {k} and {comment_k})")
    specs = {qid: _spec(questionnaire, q, i) for i, (qid, q) in enumerate(questionnaire.questions.items())}

    # the guard, on synthetic members: groups are disjoint and only anonymous respondents count
    members = [
        frozenset((position, r) for r in range(len(g.responses))) if g.anonymous else frozenset()
        for position, g in enumerate(groups)
    ]
    anonymous = [position for position, g in enumerate(groups) if g.anonymous]
    verdicts = dict(zip(anonymous, visible_sets([members[p] for p in anonymous], k), strict=True))
    shown = [verdicts[p] if g.anonymous else len(g.responses) >= 1 for p, g in enumerate(groups)]

    views: list[GroupView] = []
    seen: dict[int, _Seen] = {}  # position -> what its shown view is built from
    for position, group in enumerate(groups):
        if not shown[position]:
            views.append(_hidden(group))  # its responses are not even read
            continue
        tallies, texts = _tally(specs, group.responses)
        threshold = k if group.anonymous else 1
        comments_shown = len(group.responses) >= comment_k if group.anonymous else True
        seen[position] = _Seen(
            {qid: t for qid, t in tallies.items() if t.answers >= threshold}, texts if comments_shown else {}
        )
        identity = (group.id, group.key, group.label, group.anonymous, len(group.responses))
        views.append(_shown_view(questionnaire, profile, specs, identity, seen[position], comments_shown))

    others = None
    pooled = [p for p in seen if groups[p].key != reference]
    if len(pooled) >= 2:
        pool = frozenset().union(*(members[p] for p in pooled))
        if not pool or visible_sets([members[p] for p in anonymous] + [pool], k)[-1]:
            pooled_tallies: dict[str, _Tally] = {}
            pooled_texts: dict[str, list[str]] = {}
            for p in pooled:
                for qid, tally in seen[p].tallies.items():
                    pooled_tallies.setdefault(qid, _Tally(specs[qid].labels)).merge(tally)
                for qid, items in seen[p].texts.items():
                    pooled_texts.setdefault(qid, []).extend(items)
            respondents = sum(len(groups[p].responses) for p in pooled)
            identity = (OTHERS_ID, OTHERS_KEY, OTHERS_KEY, any(groups[p].anonymous for p in pooled), respondents)
            comments_shown = any(views[p].comments_shown for p in pooled)
            others = _shown_view(
                questionnaire, profile, specs, identity, _Seen(pooled_tallies, pooled_texts), comments_shown
            )

    shown_views = [views[p] for p in seen]
    reference_view = next((v for v in shown_views if v.key == reference), None)
    spread: dict[str, tuple[float, float]] = {}
    for qid, spec in specs.items():
        if not spec.scaled:
            continue
        means = [m for v in shown_views if qid in v.questions for m in [v.questions[qid].mean] if m is not None]
        if means:
            spread[qid] = (min(means), max(means))
    # a proposal only for what applies to the company with the proposed answers (a module that is not
    # open, a question behind an answer the consensus does not give): the scoring ignores the rest
    proposed = _prefill(specs, list(seen.values()))
    applies = applicability(questionnaire, profile, {qid: Answer(value) for qid, value in proposed.items()})
    return Consolidation(
        k=k,
        comment_k=comment_k,
        groups=views,
        others=others,
        prefill={qid: value for qid, value in proposed.items() if applies.get(qid, False)},
        spread=spread,
        divergences=_divergences(specs, shown_views, reference_view),
    )
