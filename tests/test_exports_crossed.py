"""The crossed views of a participative diagnostic in the exports: the PDF section, the workbook
sheet and the JSON `participation` part, on a real campaign (SQLite), made through the respondents'
own service. What must never leave: one anonymous respondent's answers, and any figure of a group
that is not shown yet. An assessment without groups exports as before.

The campaign (rse-flash, k = 3):
- direction, named: Claire Dupont answers every maturity question 4;
- staff, anonymous: three respondents, levels 1, 2 and 4 on the first maturity question (mean 2.33),
  1, 1 and 2 on the others (blind spots against the direction);
- managers, anonymous: one respondent only, below k: hidden;
- consultant, named: invited, no answer yet: hidden;
- stakeholders: never invited, left out.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.schema import MaturityQuestion, MultipleQuestion, NumberQuestion, TextQuestion, YesNoQuestion
from diagnostic.exports.assessment_json import ImportRefused, to_json
from diagnostic.exports.excel import build_workbook
from diagnostic.exports.pdf import build_pdf
from diagnostic.exports.report_data import ReportData
from diagnostic.services import assessments, companies, participation, reports, respondents, transfer
from diagnostic.services.context import Context
from tests.conftest import fresh_engine, local_context

PROFILE = Profile(headcount_band="11-19", sector="25.62A", sites=2, production_site=True, tertiary_area_1000m2=False)
STAFF_FIRST = (1, 2, 4)  # the three staff respondents' levels on the first maturity question
STAFF_OTHERS = (1, 1, 2)  # ... and on every other one
DIRECTOR = "Claire Dupont"


def a_value(questionnaire: LoadedQuestionnaire, qid: str, level: int) -> Any:
    """A valid answer to any question: `level` for a maturity question, something plain otherwise."""
    question = questionnaire.questions[qid]
    if isinstance(question, MaturityQuestion):
        return level
    if isinstance(question, YesNoQuestion):
        return "yes"
    if isinstance(question, NumberQuestion):
        return 12
    if isinstance(question, TextQuestion):
        return "Rien à signaler"
    options = questionnaire.options(question)
    if isinstance(question, MultipleQuestion):
        return [next(o.id for o in options if not o.exclusive)]
    return options[0].id


def respond(ctx: Context, token: str, levels: dict[str, int] | int) -> dict[str, Any]:
    """One respondent through the link: every question asked answered, then sent. Returns the answers."""
    view = respondents.enter(ctx, token)
    given = {}
    for qid in view.asked:
        level = levels if isinstance(levels, int) else levels.get(qid, 0)
        given[qid] = respondents.answer(ctx, view.key, qid, a_value(view.questionnaire, qid, level))
    respondents.complete(ctx, view.key)
    return given


class Campaign:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        company = companies.save_company(ctx, None, "Atelier Léa", PROFILE)
        self.assessment = assessments.start_assessment(ctx, company.id, "rse-flash")
        self.plain = assessments.start_assessment(ctx, company.id, "rse-flash", label="sans groupes")
        opened = participation.open_participation(ctx, self.assessment.id, k=3, comment_k=3)
        group = {g.group.key: g.group for g in opened.groups}
        self.groups = group
        evaluation = assessments.evaluate(ctx, self.assessment.id)
        assert evaluation is not None
        q = self.questionnaire = evaluation.questionnaire
        maturity = [qid for qid, question in q.questions.items() if isinstance(question, MaturityQuestion)]
        self.first = maturity[0]

        link = participation.create_link(ctx, self.assessment.id, group["direction"].id, name=DIRECTOR)
        self.director_answers = respond(ctx, link.token, 4)
        staff = participation.create_link(ctx, self.assessment.id, group["staff"].id)
        self.staff_answers = [
            respond(ctx, staff.token, {qid: first if qid == self.first else other for qid in maturity})
            for first, other in zip(STAFF_FIRST, STAFF_OTHERS, strict=True)
        ]
        managers = participation.create_link(ctx, self.assessment.id, group["managers"].id)
        respond(ctx, managers.token, 3)
        participation.create_link(ctx, self.assessment.id, group["consultant"].id, name="Cabinet Martin")


@pytest.fixture(scope="module")
def campaign(tmp_path_factory) -> Campaign:
    engine = fresh_engine(f"sqlite:///{tmp_path_factory.mktemp('crossed') / 'crossed.db'}")
    yield Campaign(local_context(engine))
    engine.dispose()


def data(campaign: Campaign, lang: str = "fr", assessment_id: int | None = None) -> ReportData:
    ctx = Context(campaign.ctx.uow, campaign.ctx.actor, lang)
    found = reports.report_data(ctx, assessment_id or campaign.assessment.id)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def data_fr(campaign: Campaign) -> ReportData:
    return data(campaign)


@pytest.fixture(scope="module")
def pdf_fr(data_fr: ReportData) -> bytes:
    return build_pdf(data_fr)


def pdf_text(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages]


def consolidation(campaign: Campaign):
    views = participation.crossed_views(campaign.ctx, campaign.assessment.id)
    assert views is not None
    return views.consolidation


# --- report data ----------------------------------------------------------------------------------


def test_the_report_data_carries_the_shown_groups_and_only_names_the_hidden_ones(campaign: Campaign, data_fr) -> None:
    crossed = data_fr.crossed
    assert crossed is not None and crossed.k == 3
    by_key = {g.key: g for g in crossed.groups}
    assert list(by_key) == ["direction", "managers", "staff", "consultant"]  # stakeholders: never invited
    assert [g.name for g in crossed.shown] == ["Direction", "Collaborateurs"]
    assert by_key["staff"].respondents == 3 and by_key["direction"].respondents == 1
    for hidden in (by_key["managers"], by_key["consultant"]):
        assert not hidden.shown and hidden.respondents is None and hidden.result is None and hidden.questions == {}
    stats = by_key["staff"].questions[campaign.first]
    assert stats.mean == pytest.approx(7 / 3) and (stats.minimum, stats.maximum) == (1, 4)
    assert crossed.divergences and {d.kind for d in crossed.divergences} >= {"blind_spot", "spread"}


# --- PDF ------------------------------------------------------------------------------------------


def section(pdf: bytes, title: str, first_dimension: str) -> str:
    """The text of the crossed views: from its title to the first dimension's section."""
    pages = pdf_text(pdf)
    start = next(i for i, page in enumerate(pages) if title in page)
    end = next(i for i, page in enumerate(pages) if i > start and f"1 · {first_dimension}" in page)
    return " ".join(pages[start:end])


def test_the_pdf_has_a_crossed_views_section(campaign: Campaign, data_fr, pdf_fr: bytes) -> None:
    pages = pdf_text(pdf_fr)
    assert "Regards croisés" in pages[2], "right after the summary"
    text = section(pdf_fr, "Regards croisés", campaign.questionnaire.dimensions[0].title.fr)
    for name in ("Qui a répondu", "Direction", "Collaborateurs", "Encadrement", "Consultant", "Nominatif", "Anonyme"):
        assert name in text, name
    assert "Parties prenantes" not in text  # never invited: took no part
    assert "Direction Nominatif 1 répondant" in text and "Collaborateurs Anonyme 3 répondants" in text
    assert "Encadrement Anonyme Pas assez de réponses pour l’instant : le groupe sera montré à partir de 3 répondants." in text
    assert "Consultant Nominatif Pas encore de réponse." in text
    assert "Les scores de chaque groupe" in text

    # the heat map: each shown group's dimension scores, as the report rounds them
    assert "Scores par dimension et par groupe Dimension Direction Collaborateurs" in text
    direction, staff = (g.result for g in data_fr.crossed.shown)
    assert direction is not None and staff is not None
    for dimension in campaign.questionnaire.dimensions:
        figures = f"{direction.dimension(dimension.id).score:.0f} {staff.dimension(dimension.id).score:.0f}"
        assert f"{dimension.title.fr} {figures}" in text, dimension.id
    assert f"Score global {direction.overall:.0f} {staff.overall:.0f}" in text

    # the divergences: the largest ten of fifteen, in words, the gap in levels with a decimal comma
    found = data_fr.crossed.divergences
    assert len(found) == 15
    divergences = text.split("Les principaux écarts")[1]
    assert divergences.startswith(" Écarts sur l’échelle des niveaux de 0 à 4. Angle mort : le groupe voit la pratique")
    assert "que le groupe « Direction »" in divergences
    divergences = divergences.split("Les 10 plus grands écarts sur 15. Question Groupe Nature Écart (niveaux) ")[1]
    # the first: the staff split on the first question (levels 1 to 4); then blind spots, 4 − 4/3 = 2.7
    first = re.sub(r"\s+", " ", campaign.questionnaire.questions[campaign.first].text.fr)
    assert divergences.count("Angle mort 2,7") == 9 and "Force cachée" not in divergences
    assert divergences.startswith(f"{first} Collaborateurs Avis partagés 3,0")


def test_the_english_pdf_says_it_in_english(campaign: Campaign) -> None:
    english = data(campaign, "en")
    text = section(build_pdf(english), "Crossed views", english.questionnaire.dimensions[0].title.en)
    assert "Who answered" in text and "Management Named 1 respondent" in text and "Staff Anonymous 3 respondents" in text
    assert "Managers Anonymous Not enough answers yet: the group will be shown from 3 respondents." in text
    assert "Consultant Named No answer yet." in text
    assert "Staff Divided views 3.0" in text and "Staff Blind spot 2.7" in text


def test_without_groups_the_exports_are_as_before(campaign: Campaign) -> None:
    plain = data(campaign, assessment_id=campaign.plain.id)
    assert plain.crossed is None
    assert "Regards croisés" not in " ".join(pdf_text(build_pdf(plain)))
    assert load_workbook(io.BytesIO(build_workbook(plain))).sheetnames == ["Synthèse", "Réponses", "Plan d'action", "Méthode"]
    document = reports.export_document(campaign.ctx, campaign.plain.id)
    assert document is not None and "participation" not in document
    assert set(document) == {
        "format", "format_version", "exported_at", "questionnaire", "version", "content_hash", "company",
        "assessment", "profile", "answers", "targets", "actions",
    }  # fmt: skip


def test_opened_to_groups_with_none_shown_the_report_is_as_before(tmp_path) -> None:
    engine = fresh_engine(f"sqlite:///{tmp_path / 'none.db'}")
    ctx = local_context(engine)
    company = companies.save_company(ctx, None, "Atelier Léa", PROFILE)
    assessment = assessments.start_assessment(ctx, company.id, "rse-flash")
    opened = participation.open_participation(ctx, assessment.id, k=3, comment_k=3)
    staff = next(g.group for g in opened.groups if g.group.key == "staff")
    respond(ctx, participation.create_link(ctx, assessment.id, staff.id).token, 2)  # one of three: hidden
    found = reports.report_data(ctx, assessment.id)
    assert found is not None and found.crossed is None
    document = reports.export_document(ctx, assessment.id)
    assert document is not None
    assert document["participation"]["groups"] == [
        {"key": "staff", "label": "", "anonymous": True, "shown": False, "respondents": None, "people": None, "questions": None}
    ]
    engine.dispose()


# --- workbook -------------------------------------------------------------------------------------


def test_the_workbook_sheet_holds_the_consolidations_figures(campaign: Campaign, data_fr) -> None:
    book = load_workbook(io.BytesIO(build_workbook(data_fr)))
    assert book.sheetnames == ["Synthèse", "Réponses", "Regards croisés", "Plan d'action", "Méthode"]
    ws = book["Regards croisés"]
    rows = [[cell.value for cell in row] for row in ws.iter_rows()]
    assert any(row[0] == "Pas assez de réponses pour l’instant : Encadrement, Consultant." for row in rows)
    found = consolidation(campaign)
    shown = {view.label or {"direction": "Direction", "staff": "Collaborateurs"}[view.key]: view for view in found.shown}

    # groups x dimensions
    head = next(i for i, row in enumerate(rows) if row[0] == "Dimension")
    assert rows[head][1:3] == ["Direction", "Collaborateurs"]
    titles = {d.title.fr: d.id for d in campaign.questionnaire.dimensions}
    for row in rows[head + 1 : head + 1 + len(titles)]:
        for column, name in ((1, "Direction"), (2, "Collaborateurs")):
            result = shown[name].result
            assert result is not None
            assert row[column] == pytest.approx(result.dimension(titles[row[0]]).score), (row[0], name)
    overall = rows[head + 1 + len(titles)]
    assert overall[0] == "Score global" and overall[1] == pytest.approx(shown["Direction"].result.overall)

    # each shown group's aggregates, question by question
    start = next(i for i, row in enumerate(rows) if row[0] == "Groupe")
    assert rows[start][:10] == [
        "Groupe", "ID question", "Question", "Réponses", "Ne sait pas", "N/A", "Moyenne", "Médiane", "Minimum", "Maximum",
    ]  # fmt: skip
    lines = [row for row in rows[start + 1 :] if row[0]]
    assert len(lines) == sum(len(view.questions) for view in found.shown)
    for row in lines:
        stats = shown[row[0]].questions[row[1]]
        assert row[2] == campaign.questionnaire.questions[row[1]].text.fr
        assert row[3:6] == [stats.answers, stats.dont_know, stats.na]
        figures = [stats.mean, stats.median, stats.minimum, stats.maximum]
        assert row[6:10] == (pytest.approx(figures) if stats.mean is not None else [None] * 4)
    first = next(row for row in lines if row[0] == "Collaborateurs" and row[1] == campaign.first)
    assert first[6:10] == pytest.approx([7 / 3, 2, 1, 4])
    assert ws.auto_filter.ref == f"A{start + 1}:J{start + 1 + len(lines)}"


def test_a_group_name_never_runs_as_a_formula(data_fr) -> None:
    crossed = data_fr.crossed
    renamed = [replace(g, name="=HYPERLINK(\"http://x\")") if g.key == "staff" else g for g in crossed.groups]
    book = load_workbook(io.BytesIO(build_workbook(replace(data_fr, crossed=replace(crossed, groups=renamed)))))
    ws = book["Regards croisés"]
    cells = [cell for row in ws.iter_rows() for cell in row if cell.value == "=HYPERLINK(\"http://x\")"]
    assert len(cells) > 2  # the dimension table's head and every question row of the group
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells)


# --- JSON -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def document(campaign: Campaign) -> dict[str, Any]:
    found = reports.export_document(campaign.ctx, campaign.assessment.id)
    assert found is not None
    return json.loads(to_json(found))  # as the file holds it


def test_the_json_names_the_groups_and_their_thresholds(document) -> None:
    part = document["participation"]
    assert (part["k"], part["comment_k"]) == (3, 3)
    assert [(g["key"], g["label"], g["anonymous"], g["shown"], g["respondents"]) for g in part["groups"]] == [
        ("direction", "", False, True, 1),
        ("managers", "", True, False, None),
        ("staff", "", True, True, 3),
        ("consultant", "", False, False, None),
    ]
    hidden = [g for g in part["groups"] if not g["shown"]]
    assert all(g["people"] is None and g["questions"] is None for g in hidden), "nothing of a hidden group"


def test_the_json_holds_the_named_answers(campaign: Campaign, document) -> None:
    direction = document["participation"]["groups"][0]
    assert direction["questions"] is None
    assert direction["people"] == [{"name": DIRECTOR, "answers": campaign.director_answers}]


def test_the_json_holds_an_anonymous_groups_aggregates_and_never_one_respondents_answers(
    campaign: Campaign, document
) -> None:
    staff = document["participation"]["groups"][2]
    assert staff["people"] is None
    first = staff["questions"][campaign.first]
    assert first["mean"] == pytest.approx(7 / 3) and (first["min"], first["max"]) == (1, 4)
    assert first["answers"] == 3 and first["median"] == 2
    assert set(first) == {"answers", "dont_know", "na", "mean", "median", "min", "max", "consolidated"}
    found = consolidation(campaign).group(campaign.groups["staff"].id)
    assert list(staff["questions"]) == list(found.questions)
    for qid, stats in found.questions.items():
        exported = staff["questions"][qid]
        assert (exported["answers"], exported["min"], exported["max"]) == (stats.answers, stats.minimum, stats.maximum)
        assert exported["mean"] == (pytest.approx(stats.mean) if stats.mean is not None else None)

    # nowhere in the part: a list of the three levels, nor one respondent's answers (whole or as a subset)
    part = document["participation"]
    lists, objects = [], []
    stack: list[Any] = [part]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            objects.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            lists.append(item)
            stack.extend(item)
    assert not [x for x in lists if sorted(v for v in x if isinstance(v, int)) == sorted(STAFF_FIRST)]
    assert "1, 2, 4" not in json.dumps(part) and "[1, 2, 4]" not in json.dumps(part)
    for answers in campaign.staff_answers:
        for obj in objects:
            assert not (answers.items() <= obj.items()), "an anonymous respondent's answer set is in the file"
    distinct = {json.dumps(answers, sort_keys=True) for answers in campaign.staff_answers}
    assert len(distinct) == 3  # the three answer sets differ: the check above had something to find


def test_an_exported_file_with_groups_imports_and_leaves_the_respondents_behind(campaign: Campaign, document) -> None:
    raw = json.dumps(document, ensure_ascii=False).encode("utf-8")
    plan, _ = transfer.prepare_import(campaign.ctx, raw)
    assert plan.document.participation is not None and plan.dropped == []
    imported = transfer.apply_import(campaign.ctx, plan, company_id=None)
    assert participation.participation(campaign.ctx, imported.id) is None  # no group, no respondent recreated
    before = assessments.evaluate(campaign.ctx, campaign.assessment.id)
    after = assessments.evaluate(campaign.ctx, imported.id)
    assert before is not None and after is not None
    assert {k: a.value for k, a in after.answers.items()} == {k: a.value for k, a in before.answers.items()}


@pytest.mark.parametrize(
    "change",
    [
        lambda part: part["groups"][0].update(extra=1),
        lambda part: part.update(respondents=[]),
        lambda part: part["groups"][2]["questions"][next(iter(part["groups"][2]["questions"]))].update(values=[1, 2, 4]),
        lambda part: part["groups"][0].update(key="board"),
        lambda part: part["groups"][0].update(label="a\u0000b"),
    ],
)
def test_the_participation_part_stays_strict(campaign: Campaign, document, change) -> None:
    changed = json.loads(json.dumps(document))
    change(changed["participation"])
    with pytest.raises(ImportRefused):
        transfer.prepare_import(campaign.ctx, json.dumps(changed, ensure_ascii=False).encode("utf-8"))
