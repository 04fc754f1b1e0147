"""The shipped questionnaires (loaded once per process) and the exact one an assessment was made with."""

from __future__ import annotations

import logging
import threading

from diagnostic.core.loading import LoadedQuestionnaire, parse_questionnaire
from diagnostic.questionnaire_files import load_folder
from diagnostic.storage.records import AssessmentRecord
from diagnostic.storage.uow import UnitOfWork

_lock = threading.Lock()
_by_hash: dict[str, LoadedQuestionnaire] = {}
_shipped: dict[str, tuple[LoadedQuestionnaire, str]] = {}
_skipped: list[tuple[str, str]] = []  # (file, errors) of the invalid files of questionnaires/


def shipped_questionnaires() -> list[LoadedQuestionnaire]:
    """The valid questionnaires of questionnaires/, loaded once per process (full first).

    An invalid file is skipped and logged, so that it cannot take the other questionnaires down;
    `questionnaire_problems()` lists it.
    """
    with _lock:
        if not _shipped and not _skipped:
            valid, invalid = load_folder()
            for loaded in valid:
                _shipped[loaded.id] = (loaded, loaded.text)
                _by_hash[loaded.content_hash] = loaded
            for path, error in invalid:
                logging.getLogger("autodiag").error("questionnaire file skipped: %s", error)
                _skipped.append((str(path), str(error)))
        return sorted((q for q, _ in _shipped.values()), key=lambda q: -len(q.questions))


def shipped_questionnaire(questionnaire_id: str) -> tuple[LoadedQuestionnaire, str]:
    """A valid shipped questionnaire and its YAML text; KeyError for an unknown (or skipped) id."""
    shipped_questionnaires()
    return _shipped[questionnaire_id]


def questionnaire_problems() -> list[tuple[str, str]]:
    """(file, errors) of each questionnaire file skipped because it is invalid."""
    shipped_questionnaires()
    with _lock:
        return list(_skipped)


def questionnaire_of(uow: UnitOfWork, assessment: AssessmentRecord) -> LoadedQuestionnaire:
    """The exact questionnaire the assessment was made with (from its stored snapshot).

    Only called with an assessment the actor was allowed to read; the snapshot is shared content.
    """
    shipped_questionnaires()
    with _lock:
        cached = _by_hash.get(assessment.content_hash)
    if cached is not None:
        return cached
    with uow:
        text = uow.snapshots.text(assessment.content_hash)
    if text is None:
        raise LookupError(f"questionnaire {assessment.questionnaire_id} {assessment.questionnaire_version} is missing")
    loaded = parse_questionnaire(text, f"{assessment.questionnaire_id} {assessment.questionnaire_version}")
    with _lock:
        _by_hash[loaded.content_hash] = loaded
    return loaded


def snapshot_text(uow: UnitOfWork, content_hash: str) -> str | None:
    with uow:
        return uow.snapshots.text(content_hash)
