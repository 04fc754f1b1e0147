"""The VSME module as a user meets it (diagnostic/services/vsme.py, app_pages/vsme.py): switched on per
assessment, values checked and stored, refusals keep nothing, emissions computed from quantities by
hand, who may do what, and the export read back from the workbook's named cells.
"""

from __future__ import annotations

import io
import math

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from diagnostic.core.profile import Profile
from diagnostic.core.roles import NotAllowed, NotFound
from diagnostic.core.vsme import VsmeValueRefused
from diagnostic.i18n import t as translate
from diagnostic.services import assessments, companies, vsme
from diagnostic.services.context import Context
from tests.conftest import drawn, page_script, said
from tests.test_pages_evidence import viewer_of


def t(key: str, **values: object) -> str:
    return translate(key, "fr", **values)


@pytest.fixture
def ids(db: Context) -> tuple[int, int]:
    company = companies.save_company(db, None, "Fonderie VSME", Profile(headcount_band="11-19", sector="24.51Z"))
    return company.id, assessments.start_assessment(db, company.id, "rse-flash", respondent="Rémi").id


def named(workbook: openpyxl.Workbook, name: str) -> object:
    ((sheet, ref),) = list(workbook.defined_names[name].destinations)
    return workbook[sheet][ref.replace("$", "").split(":")[0]].value


@pytest.mark.filterwarnings("ignore:Data Validation extension")
def test_values_are_checked_stored_and_exported(db, ids) -> None:
    _, a = ids
    assert not vsme.state(db, a).enabled
    vsme.set_enabled(db, a, True)
    assert vsme.state(db, a).enabled
    assert vsme.save_value(db, a, "b3.electricity_non_renewable_mwh", "1 234,5") == 1234.5
    assert vsme.save_value(db, a, "b8.male_employees", "9") == 9
    for datapoint, raw in (
        ("b8.male_employees", "neuf"),
        ("b8.male_employees", "-3"),
        ("b1.period_start", "2026-02-31"),
        ("b3.fuel_diesel_l", "inf"),
    ):
        with pytest.raises(VsmeValueRefused):
            vsme.save_value(db, a, datapoint, raw)
    assert vsme.state(db, a).values == {"b3.electricity_non_renewable_mwh": 1234.5, "b8.male_employees": 9}
    assert vsme.save_value(db, a, "b8.male_employees", "") is None  # cleared
    vsme.save_value(db, a, "b1.period_start", "2025-01-01")
    with pytest.raises(VsmeValueRefused) as refused:  # an end before the start: refused, with both dates
        vsme.save_value(db, a, "b1.period_end", "2024-12-31")
    assert refused.value.code == "vsme.check.period_order"
    vsme.save_value(db, a, "b1.period_start", None)
    assert "b8.male_employees" not in vsme.state(db, a).values

    # emissions by hand: 100 MWh of gas (PCS) × 187 kg = 18.7 t (scope 1, 90.1 MWh PCI of fossil energy);
    # 1 234.5 MWh of electricity × 52 kg = 64.194 t (scope 2, location-based)
    vsme.save_value(db, a, "b3.fuel_natural_gas_mwh", 100)
    computed = vsme.use_computed_emissions(db, a)
    assert math.isclose(computed.scope1_tco2e or 0, 18.7) and math.isclose(computed.scope2_location_tco2e or 0, 64.194)
    stored = vsme.state(db, a).values
    assert (stored["b3.scope1_tco2e"], stored["b3.scope2_location_tco2e"], stored["b3.fuels_non_renewable_mwh"]) == (
        18.7,
        64.194,
        90.1,
    )

    workbook = openpyxl.load_workbook(io.BytesIO(vsme.export_workbook(db, a)), read_only=True)
    assert named(workbook, "GrossScope1GreenhouseGasEmissions") == 18.7
    assert named(workbook, "GrossLocationBasedScope2GreenhouseGasEmissions") == 64.194
    assert named(workbook, "EnergyConsumptionFromElectricity_NonRenewableEnergyMember") == 1234.5
    assert named(workbook, "template_reporting_entity_name") == "Fonderie VSME"


def test_who_may_do_what(db, ids) -> None:
    company_id, a = ids
    viewer = viewer_of(db, company_id)
    vsme.set_enabled(db, a, True)
    assert vsme.state(viewer, a).enabled  # a viewer reads
    assert vsme.export_workbook(viewer, a)[:2] == b"PK"
    with pytest.raises(NotAllowed):
        vsme.save_value(viewer, a, "b8.male_employees", 3)
    with pytest.raises(NotAllowed):
        vsme.set_enabled(viewer, a, False)
    for call in (lambda: vsme.state(db, 999_999), lambda: vsme.save_value(db, 999_999, "b8.male_employees", 3)):
        with pytest.raises(NotFound):
            call()
    assert vsme.state(db, a).values == {}


def test_the_page(db, ids, page_files_beside_the_script) -> None:
    _, a = ids
    at = AppTest.from_function(page_script, args=("vsme", db), default_timeout=30)
    at.session_state["lang"] = "fr"
    at.session_state["company_id"], at.session_state["assessment_id"] = ids
    drawn(at.run())
    assert at.title[0].value == t("vsmepage.title") and not at.tabs  # off: the toggle only
    drawn(at.toggle(key="vsme-enabled").set_value(True).run())
    assert vsme.state(db, a).enabled and len(at.tabs) >= 8
    drawn(at.text_input(key=f"vsme-{a}-b1.employees").input("12").run())
    drawn(at.text_input(key=f"vsme-{a}-b8.male_employees").input("abc").run())
    assert t("vsme.check.not_a_number") in said(at)  # said beside the field, nothing kept
    drawn(at.text_input(key=f"vsme-{a}-b8.male_employees").input("4").run())
    drawn(at.text_input(key=f"vsme-{a}-b8.female_employees").input("5").run())
    assert vsme.state(db, a).values == {"b1.employees": 12, "b8.male_employees": 4, "b8.female_employees": 5}
    assert t("vsme.check.not_a_number") not in said(at)
    # 4 + 5 employees by gender for 12 in all: a warning, the values kept
    assert any(c.code == "vsme.check.genders_sum" for c in vsme.state(db, a).checks)
    assert t("vsme.check.genders_sum", sum=9.0, total=12.0)[:20] in said(at)


@pytest.mark.filterwarnings("ignore:Data Validation extension")
def test_the_json_file_carries_the_vsme_part_and_the_command_line_fills_the_template(db, ids, tmp_path, capsys) -> None:
    from diagnostic.cli import main
    from diagnostic.exports.assessment_json import to_json
    from diagnostic.services import reports, transfer

    _, a = ids
    assert "vsme" not in (reports.export_document(db, a) or {})  # never used: the file is as it always was
    vsme.set_enabled(db, a, True)
    vsme.save_value(db, a, "b1.turnover_eur", "2 400 000")
    vsme.save_value(db, a, "b11.corruption_convictions", 0)
    document = reports.export_document(db, a) or {}
    assert document["vsme"] == {
        "enabled": True,
        "values": {"b1.turnover_eur": 2400000, "b11.corruption_convictions": 0},
    }

    # an import restores the values, checked again: one that no longer passes is left out and listed
    document["vsme"]["values"]["b8.male_employees"] = -4
    plan, _ = transfer.prepare_import(db, to_json(document))
    assert plan.vsme == {"b1.turnover_eur": 2400000, "b11.corruption_convictions": 0}
    assert plan.dropped_paths == ["vsme.values.b8.male_employees"]
    imported = transfer.apply_import(db, plan, None)
    assert vsme.state(db, imported.id).values == plan.vsme and vsme.state(db, imported.id).enabled

    path, out = tmp_path / "export.json", tmp_path / "vsme.xlsx"
    path.write_bytes(to_json(document))
    assert main(["report", "rse-flash", str(path), "--format", "vsme", "-o", str(out)]) == 0
    assert "vsme.values.b8.male_employees" in capsys.readouterr().err
    workbook = openpyxl.load_workbook(out, read_only=True)
    assert (
        named(workbook, "Turnover") == 2400000 and named(workbook, "template_reporting_entity_name") == "Fonderie VSME"
    )

    del document["vsme"]
    path.write_bytes(to_json(document))
    with pytest.raises(SystemExit) as refused:
        main(["report", "rse-flash", str(path), "--format", "vsme", "-o", str(tmp_path / "none.xlsx")])
    assert str(refused.value) == t("cli.vsme_missing", path=str(path))
    assert not (tmp_path / "none.xlsx").exists()
