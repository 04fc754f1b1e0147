"""Public aid schemes: the shipped catalogue (valid, official https addresses, ids that exist), the
eligibility rule by hand and as properties (a band, sector or region the company gave rules it out;
a fact it did not give never does), the order beside a recommendation, the file's errors, the
company's region (profile, storage, JSON file), the service's access check, and the reports (the
PDF's action plan and the workbook's sheet read back)."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pydantic import ValidationError
from pypdf import PdfReader

from benchmarks.sample_report import sample_report_data
from diagnostic.aid_files import AID_FILE, AidFileError, load_catalogue, parse_catalogue
from diagnostic.core.aid import FACTS, AidMatch, Catalogue, Scheme, eligible, is_open, schemes_for, to_check
from diagnostic.core.practices import fold
from diagnostic.core.profile import REGION_CODES, Profile
from diagnostic.core.roles import NotFound
from diagnostic.core.schema import HEADCOUNT_BANDS
from diagnostic.exports.assessment_json import AssessmentFile
from diagnostic.exports.excel import build_workbook
from diagnostic.exports.pdf import build_pdf
from diagnostic.i18n import t
from diagnostic.questionnaire_files import load_folder
from diagnostic.services import actions, assessments, companies, reports
from diagnostic.services import aid as aid_service
from diagnostic.services.answers import record_answer
from ui.aid_panels import REGION_KEYS

SECTIONS = tuple("ABCDEFGHIJKLMNOPQRSTU")
SECTOR_OF = {"A": "01.11Z", "C": "25.62A", "F": "43.21A", "G": "47.11Z", "J": "62.01Z", "M": "71.12B", "Q": "86.10Z"}


def scheme(id: str = "s", name: str = "Scheme", questions: tuple[str, ...] = ("env.bilan-carbone",), dimensions: tuple[str, ...] = (),
           valid_until: date | None = None, **eligibility: Any) -> Scheme:  # fmt: skip
    return Scheme.model_validate({
        "id": id, "name": {"fr": name, "en": name}, "operator": "Op", "description": {"fr": "d", "en": "d"},
        "url": f"https://example.org/{id}", "last_checked": "2026-06-12", "valid_until": valid_until,
        "eligibility": eligibility, "matches": {"questions": list(questions), "dimensions": list(dimensions)},
    })  # fmt: skip


def catalogue(*schemes: Scheme) -> Catalogue:
    return Catalogue(
        schema_version=1, last_checked=date(2026, 12, 1), sources=["https://example.org"], schemes=list(schemes)
    )


# --- the shipped catalogue ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    return load_catalogue()


def test_the_shipped_catalogue_loads_and_names_only_questions_and_dimensions_that_exist(shipped: Catalogue) -> None:
    valid, invalid = load_folder()
    assert not invalid and {q.id for q in valid} >= {"rse-performance-globale", "rse-flash"}
    questions = {qid for q in valid for qid in q.questions}
    dimensions = {d.id for q in valid for d in q.dimensions}
    assert len(shipped.schemes) >= 15
    for s in shipped.schemes:
        assert set(s.matches.questions) <= questions, s.id
        assert set(s.matches.dimensions) <= dimensions, s.id
    assert load_catalogue() is shipped  # read once while the file is unchanged


def test_every_address_is_https_and_every_scheme_is_dated_and_described_in_both_languages(shipped: Catalogue) -> None:
    assert all(source.startswith("https://") for source in shipped.sources)
    for s in shipped.schemes:
        assert re.fullmatch(r"https://[^\s\"'<>()\[\]]+", s.url), s.id
        assert s.last_checked <= shipped.last_checked <= date.today(), s.id
        assert s.valid_until is None or s.valid_until >= s.last_checked, s.id
        for text in (s.name, s.description, s.eligibility.conditions, s.unverified):
            assert text is None or (text.fr.strip() and text.en.strip() and text.fr != "TODO"), s.id


def test_the_catalogue_holds_the_schemes_the_issue_names(shipped: Catalogue) -> None:
    ids = set(shipped.by_id)
    assert {
        "bpifrance-diag-decarbonaction",
        "bpifrance-diag-eco-flux",
        "opco-plan-developpement-competences",
        "france-num",
    } <= ids
    assert any(i.startswith("ademe-") for i in ids)
    regional = [s for s in shipped.schemes if s.eligibility.regions != "all"]
    assert len(regional) >= 4 and all(len(s.eligibility.regions) < len(REGION_CODES) for s in regional)
    eco_flux = shipped.by_id["bpifrance-diag-eco-flux"]
    assert (
        eco_flux.eligibility.headcount == ["20-49", "50-249"]
        and eco_flux.url == "https://diag.bpifrance.fr/diag-eco-flux"
    )


# --- eligibility, by hand -----------------------------------------------------------------------------


def test_a_band_the_company_gave_rules_it_in_or_out_and_an_unknown_band_is_to_check() -> None:
    s = scheme(headcount=["20-49", "50-249"])
    assert eligible(s, Profile(headcount_band="20-49")) and eligible(s, Profile(headcount_band="50-249"))
    assert not eligible(s, Profile(headcount_band="1-10")) and not eligible(s, Profile(headcount_band="250+"))
    assert eligible(s, Profile()) and to_check(s, Profile()) == ("headcount",)
    assert to_check(s, Profile(headcount_band="20-49")) == ()


def test_sectors_are_naf_sections_or_codes() -> None:
    industry = scheme(sectors=["B", "C", "D", "E"])
    assert eligible(industry, Profile(sector="25.62A")) and eligible(industry, Profile(sector="C"))
    assert not eligible(industry, Profile(sector="47.11Z"))
    dairy = scheme(sectors=["10.5"])
    assert eligible(dairy, Profile(sector="10.51C")) and not eligible(dairy, Profile(sector="10.71C"))
    assert to_check(dairy, Profile()) == ("sector",)


def test_regions_by_insee_code() -> None:
    normandie = scheme(regions=["28"])
    assert eligible(normandie, Profile(region="28")) and not eligible(normandie, Profile(region="53"))
    assert eligible(normandie, Profile()) and to_check(normandie, Profile()) == ("region",)
    everything = scheme(headcount=["1-10"], sectors=["F"], regions=["84"])
    assert to_check(everything, Profile()) == ("headcount", "sector", "region")
    assert not eligible(everything, Profile(region="84", sector="43.21A", headcount_band="11-19"))
    assert eligible(everything, Profile(region="84", sector="43.21A", headcount_band="1-10"))


def test_a_scheme_is_open_until_its_last_day() -> None:
    s = scheme(valid_until=date(2026, 12, 31))
    assert is_open(s, date(2026, 12, 31)) and not is_open(s, date(2027, 1, 1)) and is_open(scheme(), date(2099, 1, 1))


# --- beside a recommendation: which, in which order ------------------------------------------------


def test_question_matches_come_first_then_names_accents_ignored() -> None:
    c = catalogue(
        scheme("zebre", "Zèbre", questions=("env.bilan-carbone",)),
        scheme("eau", "Écho", questions=("env.bilan-carbone",)),
        scheme("dim-a", "Aide au thème", questions=(), dimensions=("env",)),
        scheme("autre", "Abeille", questions=("env.energie-suivi",)),  # another question of the same dimension
        scheme("ferme", "Fermé", questions=("env.bilan-carbone",), valid_until=date(2026, 1, 1)),
        scheme("loin", "Lointain", questions=("env.bilan-carbone",), regions=["94"]),
    )
    found = schemes_for(c, Profile(region="28"), "env.bilan-carbone", "env", today=date(2026, 12, 1))
    assert [(m.scheme.id, m.via) for m in found] == [("eau", "question"), ("zebre", "question"), ("dim-a", "dimension")]
    # without a date every scheme counts as open (the reports pass today's)
    assert "ferme" in [m.scheme.id for m in schemes_for(c, Profile(region="28"), "env.bilan-carbone", "env")]
    # a scheme that names a question only is not shown beside the other questions of its dimension
    assert [m.scheme.id for m in schemes_for(c, Profile(), "env.tri-flux", "env")] == ["dim-a"]
    assert schemes_for(c, Profile(), "qual.reclamations", "qual") == []
    # English names order them in English
    en = catalogue(
        scheme("x", questions=("q",)).model_copy(update={"name": scheme(name="B").name}),
        scheme("y", "A", questions=("q",)),
    )
    assert [m.scheme.id for m in schemes_for(en, Profile(), "q", None, lang="en")] == ["y", "x"]


def test_the_shipped_catalogue_for_a_company_in_normandie(shipped: Catalogue) -> None:
    here = Profile(headcount_band="20-49", region="28", sector="25.62A")
    found = schemes_for(shipped, here, "env.plan-reduction", "env", today=date(2026, 12, 1))
    ids = [m.scheme.id for m in found]
    assert "normandie-impulsion-environnement" in ids and "grand-est-cheque-vert" not in ids  # another region
    assert "occitanie-pass-transformation-ecologique" not in ids  # 1 to 19 employees, in Occitanie
    assert all(m.to_check == () for m in found)
    # a year later, the ADEME schemes that close on 2026-12-31 are gone
    later = [m.scheme.id for m in schemes_for(shipped, here, "env.plan-reduction", "env", today=date(2027, 1, 1))]
    assert "ademe-act-pas-a-pas" in ids and "ademe-act-pas-a-pas" not in later


# --- properties ---------------------------------------------------------------------------------------

bands = st.sampled_from(HEADCOUNT_BANDS)
regions = st.sampled_from(REGION_CODES)
sections = st.sampled_from(sorted(SECTOR_OF))
restriction = st.one_of(st.just("all"), st.lists(bands, min_size=1, max_size=6, unique=True))
region_rule = st.one_of(st.just("all"), st.lists(regions, min_size=1, max_size=18, unique=True))
sector_rule = st.one_of(st.just("all"), st.lists(st.sampled_from(SECTIONS), min_size=1, max_size=5, unique=True))
profiles = st.builds(
    lambda band, region, section: Profile(
        headcount_band=band, region=region, sector=SECTOR_OF[section] if section else None
    ),
    st.none() | bands,
    st.none() | regions,
    st.none() | sections,
)


@settings(max_examples=150, deadline=None)
@given(headcount=restriction, regions_=region_rule, sectors=sector_rule, profile=profiles)
def test_a_known_fact_outside_the_lists_always_excludes_and_an_unknown_one_never_does(
    headcount, regions_, sectors, profile
) -> None:
    s = scheme(headcount=headcount, regions=regions_, sectors=sectors)
    found = schemes_for(catalogue(s), profile, "env.bilan-carbone", None)
    band_out = headcount != "all" and profile.headcount_band is not None and profile.headcount_band not in headcount
    region_out = regions_ != "all" and profile.region is not None and profile.region not in regions_
    sector_out = sectors != "all" and profile.sector is not None and profile.sector_matches(sectors) is False
    assert eligible(s, profile) == (not (band_out or region_out or sector_out))
    assert bool(found) == eligible(s, profile)  # a scheme restricted to bands never shows outside them
    # forgetting a fact never rules a company out, and puts the fact "to check" when the scheme restricts it
    for fact, field in (("headcount", "headcount_band"), ("region", "region"), ("sector", "sector")):
        vaguer = profile.model_copy(update={field: None})
        assert not eligible(s, profile) or eligible(s, vaguer)
        rule = {"headcount": headcount, "region": regions_, "sector": sectors}[fact]
        assert (fact in to_check(s, vaguer)) == (rule != "all")
    assert set(to_check(s, profile)) <= set(FACTS)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["Écho", "eau", "Zèbre", "abc", "Ôde"]), st.booleans()), min_size=1, max_size=8),
    profiles,
)
def test_question_matches_always_come_before_dimension_matches_and_each_tier_is_sorted_by_name(items, profile) -> None:
    c = catalogue(*[
        scheme(f"s{i}", name, questions=("env.bilan-carbone",) if by_question else (), dimensions=() if by_question else ("env",))
        for i, (name, by_question) in enumerate(items)
    ])  # fmt: skip
    found = schemes_for(c, profile, "env.bilan-carbone", "env")
    assert len(found) == len(items)
    tiers = [0 if m.via == "question" else 1 for m in found]
    assert tiers == sorted(tiers)
    for tier in (0, 1):
        keys = [(fold(m.scheme.name.fr), m.scheme.id) for m, k in zip(found, tiers, strict=True) if k == tier]
        assert keys == sorted(keys)


# --- the file's errors ---------------------------------------------------------------------------------


def shipped_text() -> str:
    return AID_FILE.read_text(encoding="utf-8")


def error_of(text: str) -> AidFileError:
    valid, _ = load_folder()
    with pytest.raises(AidFileError) as caught:
        parse_catalogue(text, "aid/bad.yaml", valid)
    return caught.value


def test_an_unknown_question_is_named_with_its_path_and_line() -> None:
    text = shipped_text().replace(
        "questions: [env.bilan-carbone, env.plan-reduction]", "questions: [env.bilan-carbonne, env.plan-reduction]"
    )
    error = error_of(text)
    assert [i.path for i in error.issues] == ["schemes[0].matches.questions[0]"]
    assert "no questionnaire has a question 'env.bilan-carbonne'" in str(error) and error.issues[0].line is not None
    assert str(error).startswith("aid/bad.yaml: 1 error")
    line = text.splitlines()[error.issues[0].line - 1]
    assert "env.bilan-carbonne" in line


def test_bad_values_are_refused_with_their_place() -> None:
    http = error_of(
        shipped_text().replace(
            "url: https://diag.bpifrance.fr/diag-eco-flux", "url: http://diag.bpifrance.fr/diag-eco-flux"
        )
    )
    assert http.issues[0].path == "schemes[1].url"
    region = error_of(shipped_text().replace('regions: ["28"]', 'regions: ["29"]'))
    assert region.issues and all(i.path.startswith("schemes[") and "regions" in i.path for i in region.issues)
    empty = error_of(shipped_text().replace('headcount: ["20-49", "50-249"]', "headcount: []"))
    assert "an empty list admits nobody" in str(empty)
    twice = error_of(shipped_text() + "schema_version: 1\n")
    assert "written twice" in str(twice) or "twice" in str(twice)
    assert "not valid YAML" in str(error_of("schemes: [\n"))
    data = yaml.safe_load(shipped_text())
    data["schemes"].append(data["schemes"][0])
    assert "scheme ids written twice: bpifrance-diag-decarbonaction" in str(
        error_of(yaml.safe_dump(data, allow_unicode=True))
    )


def test_a_missing_file_says_so(tmp_path) -> None:
    with pytest.raises(AidFileError, match="cannot read the file"):
        load_catalogue(tmp_path / "none.yaml")


# --- the company's region ----------------------------------------------------------------------------


def test_the_region_is_one_of_the_18_insee_codes_with_a_name_in_both_languages() -> None:
    assert len(REGION_CODES) == 18 and set(REGION_KEYS) == set(REGION_CODES)
    assert Profile(region="28").region == "28" and Profile().region is None
    with pytest.raises(ValidationError):
        Profile(region="99")
    for code, key in REGION_KEYS.items():
        assert t(key, "fr") != key and t(key, "en") != key, code
    assert t("company.region_28", "fr") == "Normandie" and t("company.region_53", "en") == "Brittany"


def test_the_region_in_an_assessment_file_old_files_stay_readable() -> None:
    old = {"questionnaire": "rse-flash", "profile": {"headcount_band": "11-19", "sector": "25.62A"}}
    assert AssessmentFile.model_validate(old).profile.region is None
    new = {"questionnaire": "rse-flash", "profile": {"headcount_band": "11-19", "region": "53"}}
    assert AssessmentFile.model_validate(new).profile.region == "53"
    assert AssessmentFile.model_validate(new).model_dump(mode="json")["profile"]["region"] == "53"
    with pytest.raises(ValidationError):
        AssessmentFile.model_validate({"questionnaire": "rse-flash", "profile": {"region": "Normandie"}})


# --- stored, served, reported (database) --------------------------------------------------------------


def test_the_region_is_stored_and_the_service_checks_access(ctx) -> None:
    company = companies.save_company(ctx, None, "Atelier normand", Profile(headcount_band="20-49", region="28"))
    assert companies.get_company(ctx, company.id).profile.region == "28"
    found = aid_service.schemes_for(ctx, company.id, "env.plan-reduction", "env")
    assert "normandie-impulsion-environnement" in [m.scheme.id for m in found]
    moved = companies.save_company(ctx, company.id, "Atelier normand", Profile(headcount_band="20-49", region="53"))
    assert moved.profile.region == "53"
    assert "normandie-impulsion-environnement" not in [
        m.scheme.id for m in aid_service.schemes_for(ctx, company.id, "env.plan-reduction", "env")
    ]
    with pytest.raises(NotFound):
        aid_service.schemes_for(ctx, company.id + 1000, "env.plan-reduction", "env")


def test_the_report_data_carries_the_schemes_of_the_plans_recommendations(ctx) -> None:
    company = companies.save_company(ctx, None, "Atelier normand", Profile(headcount_band="20-49", region="28"))
    started = assessments.start_assessment(ctx, company.id, "rse-flash")
    evaluation = assessments.evaluate(ctx, started.id)
    assert evaluation is not None
    record_answer(ctx, evaluation.questionnaire, started.id, "env.bilan-carbone", "aucun")
    record_answer(ctx, evaluation.questionnaire, started.id, "qual.satisfaction-clients", "aucune")
    evaluation = assessments.evaluate(ctx, started.id)
    assert evaluation is not None
    by_id = {r.id: r for r in evaluation.result.recommendations}
    actions.add_from_recommendation(ctx, started.id, by_id["env.bilan-carbone.r1"])
    actions.add_from_recommendation(ctx, started.id, by_id["qual.satisfaction-clients.r1"])
    data = reports.report_data(ctx, started.id)
    assert data is not None
    assert set(data.aid) == {"env.bilan-carbone.r1"}  # customer satisfaction: no scheme
    assert [m.scheme.id for m in data.aid["env.bilan-carbone.r1"]] == ["bpifrance-diag-decarbonaction"]


# --- the PDF's action plan and the workbook, read back --------------------------------------------------


@pytest.fixture(scope="module")
def funded(shipped: Catalogue) -> dict[str, list[AidMatch]]:
    """Two actions of the sample report funded: energy monitoring (Diag Décarbon'Action), training (OPCO)."""
    decarbon = AidMatch(shipped.by_id["bpifrance-diag-decarbonaction"], "question")
    opco = AidMatch(shipped.by_id["opco-plan-developpement-competences"], "question")
    return {"env.energie-suivi.r1": [decarbon], "rh.formation-taux.r2": [opco]}


def test_the_pdf_action_plan_names_each_scheme_and_links_its_address(funded) -> None:
    data = replace(sample_report_data("fr"), aid=funded)  # one PDF (long to build); the workbook in both languages
    reader = PdfReader(io.BytesIO(build_pdf(data)))
    pages = [re.sub(r"\s+", " ", p.extract_text() or "") for p in reader.pages]
    plan = " ".join(p for p in pages if t("pdf.action_plan", "fr") in p)
    for rec, (match,) in funded.items():
        assert re.sub(r"\s+", " ", t("aid.pdf_line", "fr", name=match.scheme.name.fr)) in plan, rec
        assert match.scheme.url in plan.replace(" ", ""), rec  # the address, whole (a line may break inside it)
    assert plan.count(t("aid.pdf_line", "fr", name="").split(":")[0].strip()) == 2  # none beside the DUERP action
    links = {
        str(a.get_object()["/A"]["/URI"])
        for p in reader.pages
        for a in (p.get("/Annots") or [])
        if "/A" in a.get_object()
    }
    assert {m.scheme.url for (m,) in funded.values()} <= links


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_workbook_plan_sheet_has_a_column_of_schemes(funded, lang: str) -> None:
    data = replace(sample_report_data(lang), aid=funded)
    sheet = load_workbook(io.BytesIO(build_workbook(data))).worksheets[2]
    header = [c.value for c in sheet[1]]
    assert header[-1] == t("aid.xlsx_header", lang) and sheet.auto_filter.ref.startswith("A1:G")
    by_recommendation = {sheet.cell(row, 6).value: sheet.cell(row, 7).value for row in range(2, sheet.max_row + 1)}
    for rec, (match,) in funded.items():
        assert by_recommendation[rec] == f"{match.scheme.name.get(lang)} — {match.scheme.url}"
    assert not by_recommendation.get("rh.duerp.r1")
