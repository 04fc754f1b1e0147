"""Respondent groups and which questions each is asked (the questionnaire's `audience`).

A question's audience is its own `audience`, else its dimension's, else every group; loading
checks that a question's own audience stays within its dimension's. Which questions *apply*
(conditions, modules) is another matter, decided by the answers and the profile: `asked` only
says which questions a group may be shown.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from diagnostic.core.loading import LoadedQuestionnaire

# The kinds of respondent group an assessment can be opened to; each assessment may relabel them.
GROUPS = ("direction", "managers", "staff", "consultant", "stakeholders")

_EVERYONE = frozenset(GROUPS)
_CACHE_SIZE = 32


@dataclass(frozen=True)
class _Audiences:
    by_question: dict[str, frozenset[str]]  # question id -> the groups asked it
    ordered: dict[str, tuple[str, ...]]  # group -> the ids it is asked, in questionnaire order
    asked: dict[str, frozenset[str]]  # group -> the same ids, as a set


_cache: OrderedDict[str, _Audiences] = OrderedDict()  # content_hash -> audiences, most recent last
_lock = threading.Lock()


def _compute(questionnaire: LoadedQuestionnaire) -> _Audiences:
    by_question: dict[str, frozenset[str]] = {}
    for dim in questionnaire.dimensions:
        inherited = _EVERYONE if dim.audience is None else frozenset(dim.audience)
        for question in dim.questions:
            by_question[question.id] = inherited if question.audience is None else frozenset(question.audience)
    ordered = {group: tuple(qid for qid, groups in by_question.items() if group in groups) for group in GROUPS}
    return _Audiences(by_question, ordered, {group: frozenset(ids) for group, ids in ordered.items()})


def _audiences(questionnaire: LoadedQuestionnaire) -> _Audiences:
    """The audiences of a questionnaire, cached by its content hash (the same text, the same audiences)."""
    key = questionnaire.content_hash
    if not key:  # a questionnaire built in memory: nothing identifies its content
        return _compute(questionnaire)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    computed = _compute(questionnaire)
    with _lock:
        _cache[key] = computed
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return computed


def _check_group(group: str) -> None:
    if group not in GROUPS:
        raise ValueError(f"unknown respondent group {group!r}: one of {', '.join(GROUPS)}")


def asked(questionnaire: LoadedQuestionnaire, group: str) -> frozenset[str]:
    """The ids of the questions `group` is asked (whether they apply or not); ValueError for an unknown group."""
    _check_group(group)
    return _audiences(questionnaire).asked[group]


def ordered_asked(questionnaire: LoadedQuestionnaire, group: str) -> list[str]:
    """The same ids as `asked`, in questionnaire order."""
    _check_group(group)
    return list(_audiences(questionnaire).ordered[group])


def audience_of(questionnaire: LoadedQuestionnaire, question_id: str) -> frozenset[str]:
    """The groups asked a question; KeyError for an id that is not a question of the questionnaire."""
    return _audiences(questionnaire).by_question[question_id]
