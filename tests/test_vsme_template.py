"""The VSME export written into EFRAG's template: read back cell by cell against the template's named
ranges, every other part of the file preserved, the converter's mandatory information readable
without recalculation, and LibreOffice's recalculation agreeing with the totals and the template's
own validation sheet."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import warnings
import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.formula.tokenizer import TokenizerError

from diagnostic.core.vsme import CellTarget, FormulaResult, General, NamedTarget, template_values
from diagnostic.exports.excel import formula_like
from diagnostic.exports.vsme_template import TemplateError, build_vsme_workbook
from diagnostic.vsme_files import TEMPLATE_ENV, VsmeTemplateMissing, load_definitions, nace_labels, template_path
from tests.test_vsme_core import COMPLETE

try:
    TEMPLATE = template_path()
except VsmeTemplateMissing:  # pragma: no cover - the reference folder is beside the project
    pytest.skip("EFRAG's VSME template is not on this machine", allow_module_level=True)

DEFS = load_definitions()
HOSTILE = '=HYPERLINK("http://x") & <b>ACME</b> "SAS"'


SHEETS = (
    "Language Selection",
    "Introduction",
    "Table of Contents & Validation",
    "General Information",
    "Environmental Disclosures",
    "Social Disclosures",
    "Governance Disclosures",
    "Enumeration Lists",
    "Licence",
)


class Book:
    """The cached values of a workbook as openpyxl reads them (read-only, data_only: as EFRAG's converter
    reads them), by (sheet, cell), and its named ranges."""

    def __init__(self, data: bytes, sheets: tuple[str, ...] = SHEETS):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl: "Data Validation extension is not supported" (read lazily)
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                self.names = {}
                for name, dn in wb.defined_names.items():
                    try:
                        self.names[name] = next(dn.destinations)
                    except (
                        TokenizerError,
                        StopIteration,
                    ):  # a broken name of the template ("#REF!"), as LibreOffice saves it
                        continue
                self.cells = {}
                for sheet in sheets:
                    for row in wb[sheet].iter_rows():
                        for cell in row:
                            if getattr(cell, "value", None) is not None:
                                self.cells[(sheet, cell.coordinate)] = cell.value
            finally:
                wb.close()
        self.xml = zipfile.ZipFile(io.BytesIO(data))

    def where(self, key: str) -> tuple[str, str]:
        m = re.fullmatch(r"'(.+)'!([A-Z]+\d+)", key)
        if m:
            return m.group(1), m.group(2)
        sheet, ref = self.names[key]
        return sheet, ref.replace("$", "").split(":")[0]

    def value(self, key: str) -> object:
        return self.cells.get(self.where(key))

    def has_formula(self, key: str) -> bool:
        sheet, ref = self.where(key)
        part = {
            "General Information": 4,
            "Environmental Disclosures": 5,
            "Social Disclosures": 6,
            "Governance Disclosures": 7,
        }[sheet]
        xml = self.xml.read(f"xl/worksheets/sheet{part}.xml").decode()
        m = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>(.*?)</c>)', xml, re.S)
        return bool(m and m.group(1) and "<f" in m.group(1))


@pytest.fixture(scope="module")
def cells():
    values = dict(
        COMPLETE,
        **{
            "b1.site_2_address": "ZI Nord",
            "b1.site_2_postal_code": "14000",
            "b1.site_2_city": "Caen",
            "b1.site_2_country": "fr",
            "b1.legal_form_other": "-ignored as form is limited",
        },
    )
    return template_values(DEFS, values, General(HOSTILE, "25.62A", "fr"), nace_labels())


@pytest.fixture(scope="module")
def exported(cells) -> bytes:
    return build_vsme_workbook(cells, "fr")


@pytest.fixture(scope="module")
def book(exported) -> Book:
    return Book(exported)


@pytest.fixture(scope="module")
def template() -> Book:
    return Book(TEMPLATE.read_bytes())


def test_every_target_is_an_input_cell_of_the_template_and_every_option_a_value_of_its_list(template):
    lists = {}
    for (sheet, ref), value in template.cells.items():
        if sheet == "Enumeration Lists":
            lists.setdefault(re.match(r"[A-Z]+", ref).group(0), set()).add(str(value).strip())
    inline = {
        "BasisForReporting": {
            "Sustainability report prepared on an individual basis",
            "Sustainability report prepared on a consolidated basis",
        },
        "TypeOfNumberOfEmployees": {"Headcount", "Full-time equivalent (FTE)"},
    }
    for d in DEFS.datapoints:
        if not isinstance(d.target, NamedTarget | CellTarget):
            continue
        key = d.target.key()
        assert not isinstance(d.target, NamedTarget) or d.target.name in template.names, d.id
        assert not template.has_formula(key), f"{d.id} targets a formula"
        for option in d.options:
            allowed = inline.get(key) or next((v for v in lists.values() if option.template_value.strip() in v), set())
            assert option.template_value.strip() in allowed, (d.id, option.id)
            if d.id.startswith("b7.waste_"):
                assert option.hazardous == (" Hazardous " in option.template_value)


def test_the_export_reads_back_cell_by_cell_against_the_named_ranges(cells, book):
    assert len(cells) > 80
    for key, value in cells.items():
        got = book.value(key)
        if isinstance(value, FormulaResult):
            assert book.has_formula(key), key  # the template's formula is kept, its cached result written
            expected = value.value
        else:
            assert key.startswith("'Language") or key.startswith("'Licence") or not book.has_formula(key), key
            expected = value
        if isinstance(expected, float):
            assert got == pytest.approx(expected), key
        elif isinstance(expected, str) and formula_like(expected):
            assert got == "'" + expected, key  # a text that could start a formula is neutralised
        else:
            assert got == expected, key
    assert book.cells[("General Information", "D3")] == "'" + HOSTILE
    assert book.cells[("Environmental Disclosures", "G12")] == 10  # a number stays a number
    assert book.cells[("General Information", "E182")] == "NACE C - 25.62 Manufacture of locks and hinges"


def test_every_other_part_of_the_file_is_kept(exported):
    original, ours = zipfile.ZipFile(TEMPLATE), zipfile.ZipFile(io.BytesIO(exported))
    assert [i.filename for i in ours.infolist()] == [i.filename for i in original.infolist()]
    changed = {"xl/workbook.xml", *(f"xl/worksheets/sheet{n}.xml" for n in (1, 4, 5, 6, 7))}
    for name in original.namelist():
        if name not in changed:
            assert ours.read(name) == original.read(name), name
    assert any(n.startswith("xl/media/") for n in original.namelist()) and any(
        n.startswith("xl/drawings/") for n in original.namelist()
    )
    for name in changed - {"xl/workbook.xml"}:
        before, after = original.read(name).decode(), ours.read(name).decode()
        for element in (
            "<dataValidation ",
            "<x14:dataValidation ",
            "<mergeCell ",
            "<f>",
            "<f ",
            "<drawing ",
            "<legacyDrawing",
            "<control ",
            "<hyperlink ",
            "<conditionalFormatting",
        ):
            assert after.count(element) == before.count(element), (name, element)
        assert after[: after.index("<sheetData")] == before[: before.index("<sheetData")]  # sheet views, columns…
        assert after[after.index("</sheetData>") :] == before[before.index("</sheetData>") :]  # validations, controls…
    total = sum(
        original.read(n).decode().count("<x14:dataValidation ") + original.read(n).decode().count("<dataValidation ")
        for n in original.namelist()
        if n.startswith("xl/worksheets/sheet")
    )
    assert total >= 20
    workbook = ours.read("xl/workbook.xml").decode()
    assert 'fullCalcOnLoad="1"' in workbook
    assert workbook.replace(' fullCalcOnLoad="1"', "") == original.read("xl/workbook.xml").decode()


def test_the_converters_mandatory_information_is_there_without_recalculation(book):
    # EFRAG's converter reads the cached values (openpyxl, data_only) by these named ranges.
    assert book.value("template_reporting_entity_name") == "'" + HOSTILE
    assert book.value("template_reporting_entity_identifier_scheme").replace(" ", "").lower() in {
        "lei",
        "duns",
        "euid",
        "permid",
    }
    assert book.value("template_reporting_entity_identifier") == "FR-RCS-123456789"
    assert book.cells[("General Information", "D5")] == "EUR"
    assert (
        book.value("template_reporting_period_startdate")
        == "2025-01-01"
        < book.value("template_reporting_period_enddate")
        == "2025-12-31"
    )
    assert book.value("template_reporting_schemaRef") == "https://xbrl.efrag.org/taxonomy/vsme/2026-05-01/vsme-all.xsd"
    assert book.value("template_reporting_template_version") == "1.3.0"
    assert book.value("template_selected_display_language").endswith("[fr]")
    assert book.value("BasisForPreparation") == "Option A (Basic Module only)"


def test_refusals(cells, tmp_path, monkeypatch):
    with pytest.raises(TemplateError, match="formula"):
        build_vsme_workbook({"TotalGrossLocationBasedScope1AndScope2GHGEmissions": 3.0}, "fr")
    with pytest.raises(TemplateError, match="holds no formula"):
        build_vsme_workbook({"Turnover": FormulaResult(3.0)}, "fr")
    with pytest.raises(TemplateError, match="no named range"):
        build_vsme_workbook({"NoSuchConcept": 1}, "fr")
    with pytest.raises(TemplateError, match="language"):
        build_vsme_workbook({}, "de")
    monkeypatch.setenv(TEMPLATE_ENV, str(tmp_path / "absent.xlsx"))
    with pytest.raises(VsmeTemplateMissing) as exc:
        build_vsme_workbook(cells, "fr")
    assert exc.value.code == "vsme.template_missing" and exc.value.params["path"].endswith("absent.xlsx")


def test_new_cells_and_rows_are_inserted_in_order():
    data = build_vsme_workbook({"'Licence'!Z999": "far", "'Licence'!A1": 1}, "en")
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet14.xml").decode()
    rows = [int(r) for r in re.findall(r'<row r="(\d+)"', xml)]
    assert rows == sorted(rows) and 999 in rows
    read = Book(data, ("Licence",))
    assert read.cells[("Licence", "Z999")] == "far" and read.cells[("Licence", "A1")] == 1


LIBREOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# LibreOffice keeps an .xlsx file's cached results unless told to recalculate on load.
RECALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


@pytest.fixture(scope="module")
def recalculated(exported, tmp_path_factory):
    if not LIBREOFFICE:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    folder = tmp_path_factory.mktemp("lo")
    (folder / "profile" / "user").mkdir(parents=True)
    (folder / "profile" / "user" / "registrymodifications.xcu").write_text(RECALC_PROFILE)
    (folder / "in").mkdir()
    (folder / "in" / "vsme.xlsx").write_bytes(exported)
    subprocess.run(
        [
            LIBREOFFICE,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--calc",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(folder / "out"),
            str(folder / "in" / "vsme.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return Book((folder / "out" / "vsme.xlsx").read_bytes(), SHEETS[2:7])


def test_libreoffice_opens_it_and_its_recalculated_totals_are_right(recalculated):
    value = recalculated.value
    assert value("EnergyConsumptionFromElectricity_TotalRenewableAndNonRenewableEnergyMember") == pytest.approx(10 + 40)
    assert value("TotalEnergyConsumption") == pytest.approx(80.1)
    assert value("TotalGrossLocationBasedScope1AndScope2GHGEmissions") == pytest.approx(7.53 + 2.6)
    assert value("Scope1AndScope2GreenhouseGasEmissionsIntensityValueLocationBased") == pytest.approx(
        (7.53 + 2.6) / 2_000_000
    )
    assert value("TotalHazardousWasteGeneratedMass") == pytest.approx(1.5)
    assert value("TotalNonHazardousWasteGeneratedMass") == pytest.approx(6)
    assert value("TotalWasteGeneratedMass") == pytest.approx(7.5)
    assert recalculated.cells[("Environmental Disclosures", "L324")] == pytest.approx(6)
    assert value("NumberOfTemporaryContractEmployees") == 2
    assert value("RateOfRecordableWorkRelatedAccidentsInTheReportingPeriod") == pytest.approx(1 / (1607 * 12) * 200_000)
    assert value("PercentageGapInPayBetweenFemaleAndMaleEmployees") == pytest.approx(0.1)
    assert value("PercentageOfEmployeesCoveredByCollectiveBargainingAgreements") == pytest.approx(1)
    assert value("template_reporting_period_startdate") == "2025-01-01"


def test_the_templates_own_validation_reports_no_error_for_the_filled_sections(recalculated):
    status = {r: recalculated.cells.get(("Table of Contents & Validation", f"C{r}")) for r in range(3, 71)}
    # the display language is French: LibreOffice did recalculate (the template's cache says INCOMPLETE)
    assert status[3] == "COMPLET"
    filled = (6, 11, 12, 13, 16, 20, 21, 22, 23, 24, 29, 30, 32, 33, 34, 37, 38, 39, 42, 43, 44, 45, 68, 69)
    assert {r: status[r] for r in filled} == dict.fromkeys(filled, "OK")
    # B11 (row 47): no conviction and no fine, so nothing to validate ("-"); nothing anywhere is in error
    assert status[47] == "-"
    assert not {r: v for r, v in status.items() if v not in (None, "", "-", "OK", "COMPLET")} - {4: status[4]}.keys()
