"""The decision letter (PDF), read back with pypdf: the decision, the dates, the criteria, the tally."""

from __future__ import annotations

import io
import re
from datetime import date

from pypdf import PdfReader

from diagnostic.core.label import CriterionCheck
from diagnostic.exports.label_letter import LetterData, decision_letter


def check(criterion_id: str, fr: str, en: str, status: str, blocking: bool = True) -> CriterionCheck:
    return CriterionCheck(criterion_id, "min_level", {"fr": fr, "en": en}, status, blocking)


DATA = LetterData(
    network="Réseau des Entreprises Engagées d’Occitanie",
    company="Menuiserie Dubois & Fils",
    label_name={"fr": "Label Performance Globale du réseau", "en": "Network Performance Globale label"},
    label_version="1.0",
    decision="granted",
    decided_on=date(2025, 3, 10),
    valid_until=date(2028, 3, 10),
    conditions="",
    reason="Démarche structurée, <b>pas</b> de markup interprété.",
    checks=[
        check("niveau", "Niveau « Structuré » atteint", "“Structured” level reached", "met"),
        check("socles", "Obligations légales de base remplies", "Legal basics met", "met"),
        check("preuves", "La moitié des réponses s’appuient sur une preuve", "Half of the answers backed by evidence", "not_measurable", False),
    ],
    tally={"granted": 3, "deferred": 1, "refused": 0},
    recommendations=["grant"],
    decided_by="Claire Martin",
    applied_on=date(2025, 1, 15),
)


def text_of(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def test_a_granted_letter_in_french() -> None:
    pdf = decision_letter(DATA, "fr")
    assert pdf.startswith(b"%PDF")
    pages, said = text_of(pdf)
    assert pages == 1
    for expected in (
        "Réseau des Entreprises Engagées d’Occitanie", "Décision du comité de label", "Menuiserie Dubois & Fils",
        "Label Performance Globale du réseau (version 1.0)", "Le label vous est attribué", "Décision du 10 mars 2025",
        "Valable jusqu’au 10 mars 2028", "Candidature déposée le 15 janvier 2025",
        "Niveau « Structuré » atteint", "Rempli", "Pas encore mesurable", "(indicatif)",
        "Votes : attribuer 3, ajourner 1, refuser 0.", "Recommandation de l’évaluation : attribuer.",
        "Claire Martin", "Signature :", "Démarche structurée, <b>pas</b> de markup interprété.",
    ):  # fmt: skip
        assert expected in said, expected
    assert "Non rempli" not in said


def test_a_deferred_letter_in_english_with_its_conditions() -> None:
    deferred = LetterData(
        **{
            **DATA.__dict__,
            "decision": "deferred",
            "valid_until": None,
            "conditions": "Measure energy use over one year.",
            "reason": "",
            "checks": [check("niveau", "Niveau", "“Structured” level reached", "unmet")],
            "recommendations": ["defer", "grant"],
        }
    )
    _, said = text_of(decision_letter(deferred, "en"))
    for expected in (
        "Label committee decision", "The decision is deferred", "Decision of 10 March 2025", "Conditions",
        "Measure energy use over one year.", "“Structured” level reached", "Not met",
        "Votes: grant 3, defer 1, refuse 0.", "The review's recommendation: defer, grant.",
    ):  # fmt: skip
        assert expected in said, expected
    assert "Valid until" not in said and "Reasons" not in said
