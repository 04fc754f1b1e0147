"""The VSME module's pure parts: the shipped files, value normalisation, checks, emissions and the
cell values for EFRAG's template, against hand-computed expectations and properties."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostic.core.vsme import (
    ERROR,
    WARNING,
    CellTarget,
    EmissionFactors,
    FormulaResult,
    General,
    NamedTarget,
    VsmeValueRefused,
    cell_key,
    checks,
    computed_emissions,
    effective,
    nace_class,
    normalise,
    template_values,
)
from diagnostic.vsme_files import DATAPOINTS_FILE, VsmeFileError, load_definitions, load_factors, parse_definitions

DEFS = load_definitions()
FACTORS = load_factors()

# A complete, consistent company: every cross check holds, every value within its bounds.
COMPLETE = {
    "b1.entity_identifier": "FR-RCS-123456789",
    "b1.period_start": "2025-01-01",
    "b1.period_end": "2025-12-31",
    "b1.legal_form": "limited",
    "b1.turnover_eur": 2_000_000,
    "b1.balance_sheet_eur": 1_500_000,
    "b1.employees": 12,
    "b1.site_1_address": "1 rue de la Paix",
    "b1.site_1_postal_code": "75002",
    "b1.site_1_city": "Paris",
    "b1.site_1_country": "fr",
    "b3.electricity_renewable_mwh": 10,
    "b3.electricity_non_renewable_mwh": 40,
    "b3.fuels_non_renewable_mwh": 30.1,
    "b3.energy_total_mwh": 80.1,
    "b3.scope1_tco2e": 7.53,
    "b3.scope2_location_tco2e": 2.6,
    "b6.water_withdrawal_m3": 350,
    "b6.water_withdrawal_high_stress_m3": 0,
    "b7.circular_economy": True,
    "b7.circular_economy_description": "Palettes réemployées.",
    "b7.waste_1_type": "150110",
    "b7.waste_1_recycled_t": 1.5,
    "b7.waste_2_type": "200101",
    "b7.waste_2_recycled_t": 4,
    "b7.waste_2_disposal_t": 2,
    "b8.permanent_employees": 10,
    "b8.temporary_employees": 2,
    "b8.male_employees": 7,
    "b8.female_employees": 5,
    "b9.recordable_accidents": 1,
    "b9.fatalities": 0,
    "b9.days_lost": 12,
    "b10.minimum_wage": True,
    "b10.avg_hourly_pay_male_eur": 20,
    "b10.avg_hourly_pay_female_eur": 18,
    "b10.collective_bargaining_employees": 12,
    "b10.training_hours_male": 10,
    "b10.training_hours_female": 12,
    "b11.corruption_convictions": 0,
    "b11.corruption_fines_eur": 0,
}


def codes(found, severity=None):
    return {(c.datapoint, c.code) for c in found if severity is None or c.severity == severity}


# --- the shipped files ----------------------------------------------------------------------------


def test_the_shipped_files_cover_the_basic_module_the_issue_lists():
    ids = {d.id for d in DEFS.datapoints}
    for needed in (
        "b3.electricity_renewable_mwh",
        "b3.electricity_non_renewable_mwh",
        "b3.energy_total_mwh",
        "b3.scope1_tco2e",
        "b3.scope2_location_tco2e",
        "b6.water_withdrawal_m3",
        "b7.waste_1_type",
        "b7.waste_1_recycled_t",
        "b8.permanent_employees",
        "b8.female_employees",
        "b9.recordable_accidents",
        "b9.days_lost",
        "b10.collective_bargaining_employees",
        "b10.training_hours_female",
        "b10.avg_hourly_pay_female_eur",
        "b11.corruption_convictions",
        "b11.corruption_fines_eur",
        "b1.legal_form",
        "b1.nace_code",
        "b1.turnover_eur",
        "b1.balance_sheet_eur",
        "b1.employees",
        "b1.employees_counting",
        "b1.country",
        "b1.site_3_city",
        "b1.entity_identifier",
        "b1.entity_identifier_scheme",
        "b1.currency",
        "b1.period_start",
        "b1.period_end",
    ):
        assert needed in ids
    assert {d.section for d in DEFS.datapoints} >= {"B1", "B3", "B6", "B7", "B8", "B9", "B10", "B11"}
    for d in DEFS.datapoints:
        assert d.label.fr != d.label.en and d.help.fr and d.help.en
        if d.kind in ("number", "integer"):
            assert d.unit and d.min == 0 and d.max_plausible, d.id
    # every quantity a factor reads is a datapoint of the same unit, and every fuel has one
    assert {f.datapoint for f in FACTORS.factors} >= {d.id for d in DEFS.datapoints if d.id.startswith("b3.fuel_")}
    assert all(DEFS.get(f.datapoint).unit == f.unit for f in FACTORS.factors)


def test_a_malformed_file_names_the_file_the_path_and_the_line(tmp_path):
    data = yaml.safe_load(DATAPOINTS_FILE.read_text(encoding="utf-8"))
    data["datapoints"][3]["kind"] = "colour"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    with pytest.raises(VsmeFileError) as exc:
        parse_definitions(text, "vsme/bad.yaml")
    message = str(exc.value)
    assert message.startswith("vsme/bad.yaml: 1 error") and "datapoints[3].kind" in message and "(line " in message
    with pytest.raises(VsmeFileError, match="not valid YAML"):
        parse_definitions("a: [", "x.yaml")
    data = yaml.safe_load(DATAPOINTS_FILE.read_text(encoding="utf-8"))
    data["datapoints"].append(data["datapoints"][0])
    with pytest.raises(VsmeFileError, match="used twice"):
        parse_definitions(yaml.safe_dump(data, allow_unicode=True), "dup.yaml")
    with pytest.raises(VsmeFileError, match="cannot read"):
        load_definitions(Path(tmp_path / "absent.yaml"))


# --- normalising one value ------------------------------------------------------------------------


def refused(datapoint: str, raw: object) -> str:
    with pytest.raises(VsmeValueRefused) as exc:
        normalise(DEFS.get(datapoint), raw)
    return exc.value.code


def test_normalise_stores_json_values_and_refuses_what_cannot_be_saved():
    assert normalise(DEFS.get("b3.energy_total_mwh"), "1 234,5") == 1234.5
    assert normalise(DEFS.get("b3.energy_total_mwh"), 12.0) == 12 and isinstance(
        normalise(DEFS.get("b3.energy_total_mwh"), 12.0), int
    )
    assert normalise(DEFS.get("b9.recordable_accidents"), "3") == 3
    assert normalise(DEFS.get("b1.period_start"), date(2025, 1, 1)) == "2025-01-01"
    assert normalise(DEFS.get("b1.legal_form"), "sole") == "sole"
    assert normalise(DEFS.get("b1.entity_identifier"), "  FR123  ") == "FR123"
    assert refused("b3.energy_total_mwh", "douze") == "vsme.check.not_a_number"
    assert refused("b3.energy_total_mwh", True) == "vsme.check.not_a_number"
    assert refused("b3.energy_total_mwh", float("nan")) == "vsme.check.not_a_number"
    assert refused("b3.energy_total_mwh", -1) == "vsme.check.below_min"
    assert refused("b9.recordable_accidents", 2.5) == "vsme.check.not_whole"
    assert refused("b1.period_start", "31/12/2025") == "vsme.check.not_a_date"
    assert refused("b1.legal_form", "llc") == "vsme.check.unknown_option"
    assert refused("b10.minimum_wage", "yes") == "vsme.check.not_boolean"
    assert refused("b1.currency", "euro") == "vsme.check.too_long"
    assert refused("b1.nace_code", "2562") == "vsme.check.bad_format"


# --- checks ---------------------------------------------------------------------------------------


def test_a_complete_consistent_company_has_no_check():
    assert checks(DEFS, COMPLETE) == []


def test_checks_by_hand():
    values = dict(COMPLETE)
    values.update(
        {
            "b3.energy_total_mwh": 70,  # the lines make 80.1
            "b8.temporary_employees": 3,  # 10 + 3 = 13 employees, not 12
            "b8.female_employees": 4,  # 7 + 4 = 11, not 12
            "b10.collective_bargaining_employees": 13,
            "b6.water_withdrawal_high_stress_m3": 400,
            "b7.waste_3_recycled_t": 1,  # an amount without its type
            "b7.waste_4_type": "200301",  # a type without amounts
            "b1.site_2_city": "Lyon",  # a site with only a city
            "b1.period_end": "2024-12-31",  # before the start: an error
            "b3.fuel_diesel_l": "beaucoup",  # an error
            "b9.hours_per_fte": 3000,  # above 2300 hours: a warning, saved anyway
        }
    )
    found = checks(DEFS, values)
    assert codes(found, ERROR) == {
        ("b1.period_end", "vsme.check.period_order"),
        ("b3.fuel_diesel_l", "vsme.check.not_a_number"),
    }
    assert codes(found, WARNING) == {
        ("b3.energy_total_mwh", "vsme.check.energy_parts_exceed_total"),
        ("b8.temporary_employees", "vsme.check.contracts_sum"),
        ("b8.male_employees", "vsme.check.genders_sum"),
        ("b10.collective_bargaining_employees", "vsme.check.covered_exceeds_employees"),
        ("b6.water_withdrawal_high_stress_m3", "vsme.check.high_stress_exceeds_withdrawal"),
        ("b7.waste_3_type", "vsme.check.waste_type_missing"),
        ("b7.waste_4_recycled_t", "vsme.check.waste_amount_missing"),
        ("b1.site_2_address", "vsme.check.site_incomplete"),
        ("b9.hours_per_fte", "vsme.check.implausible"),
    }
    assert [c.severity for c in found][:2] == [ERROR, ERROR]  # errors first
    by = {c.code: c for c in found}
    assert by["vsme.check.energy_parts_exceed_total"].params == {"parts": pytest.approx(80.1), "total": 70}
    assert by["vsme.check.contracts_sum"].params == {"sum": 13, "total": 12}
    assert by["vsme.check.implausible"].params == {"max": 2300, "unit": "h"}
    assert by["vsme.check.period_order"].params == {"start": "2025-01-01", "end": "2024-12-31"}


def test_checks_ignore_unknown_datapoints_and_use_defaults():
    assert checks(DEFS, {"b99.gone": 1, "b1.entity_identifier": "X"}) == []
    assert effective(DEFS, {})["b9.hours_per_fte"] == 1607
    assert effective(DEFS, {"b9.hours_per_fte": "n/a"})["b9.hours_per_fte"] == 1607  # an invalid value is not used


MWH = st.floats(min_value=0, max_value=5_000, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(
    parts=st.lists(MWH, min_size=6, max_size=6),
    permanent=st.integers(0, 2000),
    temporary=st.integers(0, 2000),
    genders=st.lists(st.integers(0, 1000), min_size=4, max_size=4),
    withdrawal=st.floats(0, 900_000),
    share=st.floats(0, 1),
)
def test_no_warning_for_values_within_bounds_whose_parts_sum_to_their_totals(
    parts, permanent, temporary, genders, withdrawal, share
):
    keys = (
        "b3.electricity_renewable_mwh",
        "b3.electricity_non_renewable_mwh",
        "b3.self_generated_renewable_mwh",
        "b3.self_generated_non_renewable_mwh",
        "b3.fuels_renewable_mwh",
        "b3.fuels_non_renewable_mwh",
    )
    values = {
        **dict(zip(keys, parts, strict=True)),
        "b3.energy_total_mwh": math.fsum(parts),
        "b1.entity_identifier": "X",
    }
    values.update(
        {
            "b1.employees": permanent + temporary,
            "b8.permanent_employees": permanent,
            "b8.temporary_employees": temporary,
        }
    )
    scale = (permanent + temporary) / max(sum(genders), 1)
    split = [int(g * scale) for g in genders]
    split[0] += permanent + temporary - sum(split)
    values.update(
        dict(
            zip(
                (
                    "b8.male_employees",
                    "b8.female_employees",
                    "b8.other_gender_employees",
                    "b8.not_reported_gender_employees",
                ),
                split,
                strict=True,
            )
        )
    )
    values.update({"b6.water_withdrawal_m3": withdrawal, "b6.water_withdrawal_high_stress_m3": withdrawal * share})
    assert checks(DEFS, values) == []


@settings(max_examples=40, deadline=None)
@given(value=st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9))
def test_a_number_is_an_error_below_zero_a_warning_above_plausible_and_fine_between(value):
    d = DEFS.get("b6.water_withdrawal_m3")
    found = codes(
        checks(
            DEFS,
            {"b6.water_withdrawal_m3": value, "b6.water_withdrawal_high_stress_m3": 0, "b1.entity_identifier": "X"},
        )
    )
    if value < 0:
        assert found == {(d.id, "vsme.check.below_min")}
    elif value > d.max_plausible:
        assert found == {(d.id, "vsme.check.implausible")}
    else:
        assert found == set()


# --- emissions ------------------------------------------------------------------------------------


def test_computed_emissions_by_hand():
    values = {
        "b3.fuel_diesel_l": 1000,
        "b3.fuel_natural_gas_mwh": 100,
        "b3.electricity_non_renewable_mwh": 40,
        "b3.electricity_renewable_mwh": 10,
        "b3.fuel_wood_t": 2,
        "b3.fuel_petrol_l": "x",
    }
    e = computed_emissions(values, FACTORS)
    # diesel 1000 L × 2.51 kg + gas 100 MWh PCS × 187 kg + wood 2 t × 50.7 kg (t = kg / 1000)
    assert e.scope1_tco2e == pytest.approx(2.51 + 18.7 + 0.1014)
    assert e.scope2_location_tco2e == pytest.approx(50 * 52 / 1000)  # all purchased electricity, location-based
    assert e.fuels_non_renewable_mwh == pytest.approx(1000 * 0.010033 + 100 * 0.901)
    assert e.fuels_renewable_mwh == pytest.approx(2 * 4.333)
    assert {line.datapoint for line in e.lines} == {
        "b3.fuel_diesel_l",
        "b3.fuel_natural_gas_mwh",
        "b3.electricity_non_renewable_mwh",
        "b3.electricity_renewable_mwh",
        "b3.fuel_wood_t",
    }
    diesel = next(line for line in e.lines if line.datapoint == "b3.fuel_diesel_l")
    assert diesel.factor.kgco2e_per_unit == 2.51 and diesel.tco2e == pytest.approx(2.51)
    nothing = computed_emissions({}, FACTORS)
    assert (nothing.scope1_tco2e, nothing.scope2_location_tco2e, nothing.lines) == (None, None, ())


@settings(max_examples=30, deadline=None)
@given(
    quantities=st.dictionaries(st.sampled_from([f.datapoint for f in FACTORS.factors]), st.floats(0, 1e6), max_size=8)
)
def test_computed_emissions_are_the_sum_of_quantity_times_factor(quantities):
    e = computed_emissions(quantities, FACTORS)
    by = {f.datapoint: f for f in FACTORS.factors}
    for scope, got in (("scope1", e.scope1_tco2e), ("scope2_location", e.scope2_location_tco2e)):
        mine = [q * by[k].kgco2e_per_unit / 1000 for k, q in quantities.items() if by[k].scope == scope]
        assert got == (pytest.approx(math.fsum(mine)) if mine else None)


def test_factors_are_documented_and_say_what_was_not_verified():
    assert isinstance(FACTORS, EmissionFactors)
    for f in FACTORS.factors:
        assert f.url.startswith("https://") and f.source and f.year >= 2020 and f.last_checked
        assert f.verified is False  # no access to the Base Empreinte here: see the file's header


# --- the cells for the template -------------------------------------------------------------------


def test_template_values_by_hand():
    labels = {"25.62": "NACE C - 25.62 Machining", "25.6": "NACE C - 25.6 Treatment"}
    cells = template_values(DEFS, COMPLETE, General("ACME", "25.62A", "fr"), labels)
    assert cells["'General Information'!D3"] == "ACME"
    assert cells["template_reporting_entity_identifier_scheme"] == "EU ID"  # the default scheme
    assert cells["template_reporting_entity_identifier"] == "FR-RCS-123456789"
    assert cells["'General Information'!D5"] == "EUR"
    assert [cells[cell_key("General Information", c)] for c in ("D6", "D7", "D8", "D10", "D11", "D12")] == [
        2025,
        1,
        1,
        2025,
        12,
        31,
    ]
    assert cells["'General Information'!D9"] == FormulaResult("2025-01-01")
    assert cells["'General Information'!E182"] == "NACE C - 25.62 Machining"
    assert cells["BasisForPreparation"] == "Option A (Basic Module only)"
    assert cells["UndertakingsLegalForm"] == "private limited liability undertaking"
    assert cells["'Language Selection'!G7"] == "French - Reviewed translation by French Standard Setter [fr]"
    assert cells["TotalEnergyConsumption"] == 80.1  # entered
    assert cells["EnergyConsumptionFromElectricity_TotalRenewableAndNonRenewableEnergyMember"] == FormulaResult(50.0)
    assert cells["TotalGrossLocationBasedScope1AndScope2GHGEmissions"] == FormulaResult(pytest.approx(10.13))
    assert cells["Scope1AndScope2GreenhouseGasEmissionsIntensityValueLocationBased"].value == pytest.approx(
        10.13 / 2_000_000
    )
    assert cells["NumberOfTemporaryContractEmployees"] == FormulaResult(2.0)
    assert cells["'Social Disclosures'!D141"] == 1607  # the default
    assert cells["RateOfRecordableWorkRelatedAccidentsInTheReportingPeriod"].value == pytest.approx(
        1 / (1607 * 12) * 200_000
    )
    assert cells["PercentageGapInPayBetweenFemaleAndMaleEmployees"] == FormulaResult(0.1)
    assert cells["PercentageOfEmployeesCoveredByCollectiveBargainingAgreements"] == FormulaResult(1.0)
    assert cells["EmployeesReceivePayEqualOrAboveMinimumWageDeterminedByNationalLawOrCollectiveAgreement"] == "YES"
    assert cells["UndertakingAppliesCircularEconomyPrinciples"] == "YES"
    # waste: stream 1 hazardous 1.5 t (disposal written 0), stream 2 non-hazardous 4 + 2 t
    assert cells["'Environmental Disclosures'!D323"].strip().startswith("15 01 10 - Hazardous")
    assert cells["'Environmental Disclosures'!K323"] == 0
    assert cells["TotalHazardousWasteGeneratedMass"] == FormulaResult(1.5)
    assert cells["TotalNonHazardousWasteGeneratedMass"] == FormulaResult(6.0)
    assert cells["TotalWasteGeneratedMass"] == FormulaResult(7.5)
    assert cells["'Governance Disclosures'!H5"] is False
    assert cells["DisclosureOfAnyOtherSocialAndOrEntitySpecificSocialDisclosures"].endswith(": 12.")
    assert "30,1 MWh" in cells["DisclosureOfAnyOtherEnvironmentalAndOrEntitySpecificEnvironmentalDisclosures"]
    # our own datapoints never reach the template by themselves
    assert not any("fuel" in key.lower() and "Disclosure" not in key for key in cells)


def test_template_values_fall_back_and_leave_out_what_is_unknown():
    en = template_values(
        DEFS,
        {
            "b1.nace_code": "47.22",
            "b1.employees": 3,
            "b8.permanent_employees": 3,
            "b3.electricity_non_renewable_mwh": 5,
            "b11.corruption_fines_eur": 100,
        },
        General("X", "25.62A", "en"),
        {"47.22": "NACE G - 47.22 Meat"},
    )
    assert en["'General Information'!E182"] == "NACE G - 47.22 Meat"  # the datapoint wins over the company's code
    assert en["'Language Selection'!G7"] == "English - Official [en]"
    assert en["TotalEnergyConsumption"] == 5.0  # no total entered: the sum of the lines
    assert en["'Environmental Disclosures'!G10"] is True
    assert en["'Governance Disclosures'!H5"] is True
    unknown = template_values(DEFS, {}, General("X", "99.99Z"), {"47.22": "NACE G - 47.22 Meat"})
    assert "'General Information'!E182" not in unknown and "TotalEnergyConsumption" not in unknown
    assert (
        nace_class("25.62A") == "25.62"
        and nace_class("2562A") == "25.62"
        and nace_class("01") == "01"
        and nace_class("x") is None
    )


@settings(max_examples=30, deadline=None)
@given(
    values=st.dictionaries(
        st.sampled_from([d.id for d in DEFS.datapoints]),
        st.one_of(
            st.floats(-10, 1e7),
            st.text(max_size=20),
            st.sampled_from(["", "  ", "fr", "lei", "2025-01-01"]),
            st.booleans(),
        ),
        max_size=25,
    )
)
def test_template_values_writes_only_valid_values_to_known_targets(values):
    cells = template_values(DEFS, values, General("X", None), {})
    derived = {"TotalEnergyConsumption"} | {
        cell_key("Environmental Disclosures", f"{c}{322 + i}") for c in "JK" for i in range(1, 6)
    }
    for d in DEFS.datapoints:
        if not isinstance(d.target, NamedTarget | CellTarget) or d.id == "b1.nace_code":
            continue
        key = d.target.key()
        try:
            stored = normalise(d, values[d.id]) if d.id in values and values[d.id] != "" else None
        except VsmeValueRefused:
            stored = None
        if stored is None or stored == "":
            stored = normalise(d, d.default) if d.default is not None else None
        if stored is None:
            assert key not in cells or key in derived, key
        elif d.kind == "choice":
            assert cells[key] == d.option(stored).template_value
        elif d.kind == "boolean" and d.yes_no:
            assert cells[key] == ("YES" if stored else "NO")
        else:
            assert cells[key] == stored
    for value in cells.values():
        assert isinstance(value, str | int | float | bool | FormulaResult)
        if isinstance(value, float):
            assert math.isfinite(value)
