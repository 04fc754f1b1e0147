"""The VSME basic module (pure): the datapoints the app collects, their checks, the emissions
proposed from fuel and electricity quantities, and the cell values to write into EFRAG's VSME
Digital Template.

The datapoints are data (vsme/datapoints.yaml, loaded by diagnostic.vsme_files); docs/vsme.md
describes them. Stored values are JSON: numbers as int/float, dates as "YYYY-MM-DD", choices as an
option id, booleans as bool, texts as str (see `normalise`).

Checks carry a catalogue key (prefix "vsme.check.") and its parameters; an *error* means the value
cannot be saved as it is (wrong type, negative, impossible); a *warning* means it is implausible
and is saved anyway, with the warning shown beside it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from diagnostic.core.errors import DomainError

SECTIONS = ("B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9", "B10", "B11")
Section = Literal["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9", "B10", "B11"]
Kind = Literal["number", "integer", "percent", "text", "choice", "boolean", "date"]
Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"

# How EFRAG's template writes a few fixed values (its drop-down lists, sheet "Enumeration Lists").
BASIC_MODULE_ONLY = "Option A (Basic Module only)"
METRIC_TONNES = "metric tonnes (t)"
LANGUAGES = {"fr": "French - Reviewed translation by French Standard Setter [fr]", "en": "English - Official [en]"}

GENERAL = "General Information"
ENVIRONMENT = "Environmental Disclosures"
SOCIAL = "Social Disclosures"
GOVERNANCE = "Governance Disclosures"

_CELL = r"^[A-Z]{1,3}[1-9][0-9]{0,6}$"


def cell_key(sheet: str, cell: str) -> str:
    """The key of one cell in `template_values`' result: "'Sheet name'!A1" (a named range is its bare name)."""
    return f"'{sheet}'!{cell}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Text(_Strict):
    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en


class Option(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$", max_length=40)
    label: Text
    template_value: str = Field(min_length=1, description="The value as the template's drop-down list writes it")
    hazardous: bool | None = Field(default=None, description="Waste types: a hazardous waste in the European list")


class NamedTarget(_Strict):
    name: str = Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="A named range of the template (an XBRL concept)"
    )

    def key(self) -> str:
        return self.name


class CellTarget(_Strict):
    sheet: str = Field(min_length=1)
    cell: str = Field(pattern=_CELL, description="An input cell that has no name of its own")

    def key(self) -> str:
        return cell_key(self.sheet, self.cell)


class DateTarget(_Strict):
    """A date the template asks as year, month and day cells, which its formula joins in result_cell."""

    sheet: str = Field(min_length=1)
    year_cell: str = Field(pattern=_CELL)
    month_cell: str = Field(pattern=_CELL)
    day_cell: str = Field(pattern=_CELL)
    result_cell: str = Field(pattern=_CELL)


Target = NamedTarget | CellTarget | DateTarget


class Datapoint(_Strict):
    id: str = Field(pattern=r"^b(1[01]?|[2-9])\.[a-z0-9_]+$", max_length=80)
    section: Section
    label: Text
    help: Text
    kind: Kind
    unit: str | None = Field(default=None, max_length=20)
    min: float | None = Field(default=None, description="Below it the value is refused (error)")
    max: float | None = Field(default=None, description="Above it the value is refused (error); percent: 100")
    max_plausible: float | None = Field(default=None, description="Above it the value is saved with a warning")
    default: str | float | bool | None = Field(
        default=None, description="Written to the template when nothing is entered"
    )
    pattern: str | None = Field(default=None, description="Texts: the form the value must have")
    max_length: int | None = Field(default=None, ge=1, le=5000)
    yes_no: bool = Field(default=False, description="Booleans the template asks as YES / NO")
    options: list[Option] = Field(default_factory=list)
    target: Target | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Datapoint:
        if self.section.lower() != self.id.split(".")[0]:
            raise ValueError(f"the id '{self.id}' does not start with its section {self.section}")
        if (self.kind == "choice") != bool(self.options):
            raise ValueError("a choice needs options, and only a choice has options")
        if len({o.id for o in self.options}) != len(self.options):
            raise ValueError("two options have the same id")
        if isinstance(self.target, DateTarget) != (self.kind == "date" and self.target is not None):
            raise ValueError("a date target is for a date datapoint, and a date datapoint's target is a date target")
        if self.pattern is not None:
            re.compile(self.pattern)
        if self.default is not None:
            normalise(self, self.default)  # a default must be a valid value
        return self

    @property
    def upper(self) -> float | None:
        return 100.0 if self.kind == "percent" and self.max is None else self.max

    def option(self, option_id: object) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


class Source(_Strict):
    title: str = Field(min_length=1)
    url: str = Field(pattern=r"^https://")


class TemplateInfo(_Strict):
    name: str
    version: str
    file: str


class Phrases(_Strict):
    """Sentences written into the template's "other disclosures" cells ({placeholders} filled in)."""

    days_lost: Text
    fuels: Text


class VsmeDefinitions(_Strict):
    schema_version: Literal[1]
    template: TemplateInfo
    last_checked: date
    sources: list[Source] = Field(min_length=1)
    phrases: Phrases
    datapoints: list[Datapoint] = Field(min_length=1)
    _by_id: dict[str, Datapoint] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _unique(self) -> VsmeDefinitions:
        seen: set[str] = set()
        keys: set[str] = set()
        for d in self.datapoints:
            if d.id in seen:
                raise ValueError(f"the datapoint id '{d.id}' is used twice")
            seen.add(d.id)
            if isinstance(d.target, NamedTarget | CellTarget):
                if d.target.key() in keys:
                    raise ValueError(f"two datapoints write the same template cell {d.target.key()}")
                keys.add(d.target.key())
        return self

    def model_post_init(self, __context: object) -> None:
        self._by_id.update({d.id: d for d in self.datapoints})

    def get(self, datapoint_id: str) -> Datapoint | None:
        return self._by_id.get(datapoint_id)

    def in_section(self, section: str) -> list[Datapoint]:
        return [d for d in self.datapoints if d.section == section]


class Factor(_Strict):
    datapoint: str
    scope: Literal["scope1", "scope2_location"]
    renewable: bool | None = Field(default=None, description="Fuels: whether their energy counts as renewable")
    name: Text
    source: str
    year: int = Field(ge=1990, le=2100)
    kgco2e_per_unit: float = Field(ge=0)
    mwh_per_unit: float | None = Field(default=None, gt=0)
    unit: str
    url: str = Field(pattern=r"^https://")
    verified: bool
    last_checked: date
    note: str = ""


class EmissionFactors(_Strict):
    schema_version: Literal[1]
    last_checked: date
    sources: list[Source] = Field(min_length=1)
    factors: list[Factor] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_per_datapoint(self) -> EmissionFactors:
        ids = [f.datapoint for f in self.factors]
        if len(set(ids)) != len(ids):
            raise ValueError("a datapoint has two factors")
        for f in self.factors:
            if f.scope == "scope1" and (f.mwh_per_unit is None or f.renewable is None):
                raise ValueError(f"the fuel factor of {f.datapoint} needs mwh_per_unit and renewable")
        return self


# --- values -------------------------------------------------------------------------------------


class VsmeValueRefused(DomainError):
    """A value that cannot be saved for this datapoint: `code` says why (vsme.check.*)."""

    code = "vsme.check.not_a_number"


@dataclass(frozen=True)
class Check:
    datapoint: str  # the datapoint the message is shown beside
    code: str  # catalogue key
    severity: Severity
    params: Mapping[str, object] = field(default_factory=dict)


JsonValue = str | int | float | bool


def _number(d: Datapoint, raw: object) -> int | float:
    if isinstance(raw, bool):
        raise VsmeValueRefused(code="vsme.check.not_a_number")
    if isinstance(raw, str):
        text = raw.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
        try:
            raw = float(text)
        except ValueError:
            raise VsmeValueRefused(code="vsme.check.not_a_number") from None
    if not isinstance(raw, int | float) or not math.isfinite(raw):
        raise VsmeValueRefused(code="vsme.check.not_a_number")
    if d.kind == "integer":
        if raw != int(raw):
            raise VsmeValueRefused(code="vsme.check.not_whole")
        raw = int(raw)
    elif isinstance(raw, float) and raw.is_integer() and abs(raw) < 2**53:
        raw = int(raw)  # 12.0 is stored as 12
    if d.min is not None and raw < d.min:
        raise VsmeValueRefused(code="vsme.check.below_min", params={"min": d.min})
    upper = d.upper
    if upper is not None and raw > upper:
        raise VsmeValueRefused(code="vsme.check.above_max", params={"max": upper})
    return raw


def normalise(d: Datapoint, raw: object) -> JsonValue:
    """The value to store for what was typed or chosen; raises VsmeValueRefused (an error check)."""
    if d.kind in ("number", "integer", "percent"):
        return _number(d, raw)
    if d.kind == "boolean":
        if not isinstance(raw, bool):
            raise VsmeValueRefused(code="vsme.check.not_boolean")
        return raw
    if d.kind == "date":
        if isinstance(raw, date):
            return raw.isoformat()
        try:
            return date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise VsmeValueRefused(code="vsme.check.not_a_date") from None
    if d.kind == "choice":
        if d.option(raw) is None:
            raise VsmeValueRefused(code="vsme.check.unknown_option")
        return str(raw)
    if not isinstance(raw, str):
        raise VsmeValueRefused(code="vsme.check.not_text")
    text = raw.strip()
    if d.max_length is not None and len(text) > d.max_length:
        raise VsmeValueRefused(code="vsme.check.too_long", params={"max": d.max_length})
    if d.pattern is not None and text and not re.fullmatch(d.pattern, text):
        raise VsmeValueRefused(code="vsme.check.bad_format")
    return text


def _present(value: object) -> bool:
    return value is not None and value != ""


def effective(definitions: VsmeDefinitions, values: Mapping[str, object]) -> dict[str, JsonValue]:
    """The valid stored values, with each datapoint's default where nothing valid is stored."""
    out: dict[str, JsonValue] = {}
    for d in definitions.datapoints:
        raw = values.get(d.id)
        if _present(raw):
            try:
                value = normalise(d, raw)
            except VsmeValueRefused:
                value = ""
            if value != "":
                out[d.id] = value
                continue
        if d.default is not None:
            out[d.id] = normalise(d, d.default)
    return out


def _num(values: Mapping[str, JsonValue], key: str) -> float | None:
    v = values.get(key)
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _sum(values: Mapping[str, JsonValue], keys: Iterable[str]) -> float | None:
    """The sum of the numbers given among keys, None when none is given."""
    parts = [n for n in (_num(values, k) for k in keys) if n is not None]
    return math.fsum(parts) if parts else None


# A sum is "equal" to a total within this tolerance (FTE counts and MWh carry decimals).
def _differs(a: float, b: float) -> bool:
    return not math.isclose(a, b, rel_tol=1e-6, abs_tol=0.01)


ELECTRICITY = ("b3.electricity_renewable_mwh", "b3.electricity_non_renewable_mwh")
SELF_GENERATED = ("b3.self_generated_renewable_mwh", "b3.self_generated_non_renewable_mwh")
FUELS = ("b3.fuels_renewable_mwh", "b3.fuels_non_renewable_mwh")
ENERGY_PARTS = ELECTRICITY + SELF_GENERATED + FUELS
CONTRACTS = ("b8.permanent_employees", "b8.temporary_employees")
GENDERS = ("b8.male_employees", "b8.female_employees", "b8.other_gender_employees", "b8.not_reported_gender_employees")
WASTE_STREAMS = 5
SITES = 5


def _value_checks(definitions: VsmeDefinitions, values: Mapping[str, object]) -> list[Check]:
    out: list[Check] = []
    for d in definitions.datapoints:
        raw = values.get(d.id)
        if not _present(raw):
            continue
        try:
            value = normalise(d, raw)
        except VsmeValueRefused as exc:
            out.append(Check(d.id, exc.code, ERROR, exc.params))
            continue
        if d.max_plausible is not None and isinstance(value, int | float) and value > d.max_plausible:
            out.append(Check(d.id, "vsme.check.implausible", WARNING, {"max": d.max_plausible, "unit": d.unit or ""}))
    return out


def _cross_checks(v: Mapping[str, JsonValue]) -> list[Check]:
    out: list[Check] = []
    start, end = v.get("b1.period_start"), v.get("b1.period_end")
    if isinstance(start, str) and isinstance(end, str) and end <= start:
        out.append(Check("b1.period_end", "vsme.check.period_order", ERROR, {"start": start, "end": end}))
    if v.get("b7.circular_economy") is True and not v.get("b7.circular_economy_description"):
        out.append(Check("b7.circular_economy_description", "vsme.check.description_missing", WARNING))
    if _num(v, "b6.water_withdrawal_m3") is not None and _num(v, "b6.water_withdrawal_high_stress_m3") is None:
        out.append(Check("b6.water_withdrawal_high_stress_m3", "vsme.check.high_stress_missing", WARNING))
    if v.get("b1.legal_form") == "other" and not v.get("b1.legal_form_other"):
        out.append(Check("b1.legal_form_other", "vsme.check.legal_form_other_missing", WARNING))
    if not v.get("b1.entity_identifier"):
        out.append(Check("b1.entity_identifier", "vsme.check.identifier_missing", WARNING))
    for i in range(1, SITES + 1):
        fields = [v.get(f"b1.site_{i}_{part}") for part in ("address", "postal_code", "city", "country")]
        if any(fields) and not all(fields):
            out.append(Check(f"b1.site_{i}_address", "vsme.check.site_incomplete", WARNING, {"site": i}))

    total, parts = _num(v, "b3.energy_total_mwh"), _sum(v, ENERGY_PARTS)
    if total is not None and parts is not None and parts > total and _differs(parts, total):
        out.append(
            Check(
                "b3.energy_total_mwh", "vsme.check.energy_parts_exceed_total", WARNING, {"parts": parts, "total": total}
            )
        )

    employees = _num(v, "b1.employees")
    contracts = [_num(v, k) for k in CONTRACTS]
    if employees is not None and all(c is not None for c in contracts):
        s = math.fsum(c for c in contracts if c is not None)
        if _differs(s, employees):
            out.append(
                Check("b8.temporary_employees", "vsme.check.contracts_sum", WARNING, {"sum": s, "total": employees})
            )
    genders = _sum(v, GENDERS)
    if employees is not None and genders is not None and _differs(genders, employees):
        out.append(Check("b8.male_employees", "vsme.check.genders_sum", WARNING, {"sum": genders, "total": employees}))
    covered = _num(v, "b10.collective_bargaining_employees")
    if employees is not None and covered is not None and covered > employees and _differs(covered, employees):
        out.append(
            Check(
                "b10.collective_bargaining_employees",
                "vsme.check.covered_exceeds_employees",
                WARNING,
                {"covered": covered, "total": employees},
            )
        )
    if (_num(v, "b9.days_lost") or 0) > 0 and _num(v, "b9.recordable_accidents") == 0:
        out.append(Check("b9.days_lost", "vsme.check.days_lost_without_accident", WARNING))

    withdrawal = _num(v, "b6.water_withdrawal_m3")
    for key, code in (
        ("b6.water_withdrawal_high_stress_m3", "vsme.check.high_stress_exceeds_withdrawal"),
        ("b6.water_discharge_m3", "vsme.check.discharge_exceeds_withdrawal"),
    ):
        part = _num(v, key)
        if part is not None and withdrawal is not None and part > withdrawal and _differs(part, withdrawal):
            out.append(Check(key, code, WARNING, {"part": part, "total": withdrawal}))

    for i in range(1, WASTE_STREAMS + 1):
        amounts = _sum(v, (f"b7.waste_{i}_recycled_t", f"b7.waste_{i}_disposal_t"))
        if amounts is not None and not v.get(f"b7.waste_{i}_type"):
            out.append(Check(f"b7.waste_{i}_type", "vsme.check.waste_type_missing", WARNING, {"stream": i}))
        if v.get(f"b7.waste_{i}_type") and amounts is None:
            out.append(Check(f"b7.waste_{i}_recycled_t", "vsme.check.waste_amount_missing", WARNING, {"stream": i}))
    return out


def checks(definitions: VsmeDefinitions, values: Mapping[str, object]) -> list[Check]:
    """Every check of the stored values (datapoint id -> value): errors first, in the file's order.

    Values of unknown datapoints (a datapoint removed from the file) are ignored. Cross checks use
    the valid values and the defaults (the figures the export would write).
    """
    found = _value_checks(definitions, values) + _cross_checks(effective(definitions, values))
    order = {d.id: i for i, d in enumerate(definitions.datapoints)}
    return sorted(found, key=lambda c: (c.severity != ERROR, order.get(c.datapoint, len(order))))


# --- emissions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmissionLine:
    datapoint: str
    quantity: float
    factor: Factor
    tco2e: float
    mwh: float | None  # the energy of a fuel (net calorific value); None for electricity


@dataclass(frozen=True)
class Emissions:
    """Scope 1 and scope 2 (location-based) proposed from quantities; None where nothing was given."""

    scope1_tco2e: float | None
    scope2_location_tco2e: float | None
    fuels_renewable_mwh: float | None
    fuels_non_renewable_mwh: float | None
    lines: tuple[EmissionLine, ...]


def computed_emissions(values: Mapping[str, object], factors: EmissionFactors) -> Emissions:
    """tCO2e = quantity × kg CO2e per unit ÷ 1000 for each quantity given, summed by scope; the
    energy of fuels = quantity × MWh per unit, summed as renewable or not."""
    lines: list[EmissionLine] = []
    for f in factors.factors:
        q = values.get(f.datapoint)
        if isinstance(q, bool) or not isinstance(q, int | float) or not math.isfinite(q) or q < 0:
            continue
        mwh = q * f.mwh_per_unit if f.mwh_per_unit is not None else None
        lines.append(EmissionLine(f.datapoint, float(q), f, q * f.kgco2e_per_unit / 1000, mwh))

    def total(selected: list[float]) -> float | None:
        return math.fsum(selected) if selected else None

    return Emissions(
        scope1_tco2e=total([ln.tco2e for ln in lines if ln.factor.scope == "scope1"]),
        scope2_location_tco2e=total([ln.tco2e for ln in lines if ln.factor.scope == "scope2_location"]),
        fuels_renewable_mwh=total([ln.mwh for ln in lines if ln.mwh is not None and ln.factor.renewable]),
        fuels_non_renewable_mwh=total([ln.mwh for ln in lines if ln.mwh is not None and ln.factor.renewable is False]),
        lines=tuple(lines),
    )


# --- the template -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormulaResult:
    """What a template formula computes from our inputs: the exporter keeps the formula and writes
    this as its cached result, so a reader that does not recalculate (EFRAG's converter reads the
    cached values) sees the right figure. Excel and LibreOffice recalculate on open anyway."""

    value: str | float | bool


@dataclass(frozen=True)
class General:
    """What the export knows about the company besides the VSME datapoints."""

    entity_name: str
    nace_code: str | None = None  # the company's NAF/NACE code (e.g. "25.62A"): used when b1.nace_code is empty
    lang: str = "fr"


CellValue = str | int | float | bool | FormulaResult


def nace_class(code: str | None) -> str | None:
    """ "25.62A" or "2562A" -> "25.62" (the NACE class is the NAF code without its French letter)."""
    if not code:
        return None
    m = re.fullmatch(r"\s*(\d{2})\.?(\d{1,2})?[A-Z]?\s*", code.upper())
    if not m:
        return None
    return f"{m.group(1)}.{m.group(2)}" if m.group(2) else m.group(1)


def _written(d: Datapoint, value: JsonValue) -> str | int | float | bool:
    if d.kind == "choice":
        option = d.option(value)
        assert option is not None  # normalised values are known options
        return option.template_value
    if d.kind == "boolean" and d.yes_no:
        return "YES" if value else "NO"
    return value


def _fmt(number: float, lang: str) -> str:
    # A plain, locale-light rendering for the sentences (no Babel in the core).
    text = f"{number:,.1f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u202f").replace(".", ",") if lang == "fr" else text


def template_values(
    definitions: VsmeDefinitions,
    values: Mapping[str, object],
    general: General,
    nace_labels: Mapping[str, str] | None = None,
) -> dict[str, CellValue]:
    """The cells to write into the template: named range (or "'Sheet'!A1") -> value.

    Input cells get the entered values (or the datapoints' defaults); the template's formula cells
    that depend on them get a FormulaResult. `nace_labels` maps a NACE code ("25.62") to the
    template's drop-down text (diagnostic.vsme_files.nace_labels()); an unknown code is left out.
    """
    v = effective(definitions, values)
    lang = general.lang if general.lang in LANGUAGES else "en"
    out: dict[str, CellValue] = {
        cell_key("Language Selection", "G7"): LANGUAGES[lang],
        cell_key(GENERAL, "D3"): general.entity_name,
        "BasisForPreparation": BASIC_MODULE_ONLY,
    }
    for d in definitions.datapoints:
        value = v.get(d.id)
        if value is None or value == "" or d.target is None:
            continue
        if isinstance(d.target, DateTarget):
            day = date.fromisoformat(str(value))
            t = d.target
            out[cell_key(t.sheet, t.year_cell)] = day.year
            out[cell_key(t.sheet, t.month_cell)] = day.month
            out[cell_key(t.sheet, t.day_cell)] = day.day
            out[cell_key(t.sheet, t.result_cell)] = FormulaResult(day.isoformat())
        elif d.id == "b1.nace_code":
            continue  # below, with the company's code as a fallback
        else:
            out[d.target.key()] = _written(d, value)

    code = nace_class(str(v.get("b1.nace_code") or "")) or nace_class(general.nace_code)
    if code and nace_labels and code in nace_labels:
        out[cell_key(GENERAL, "E182")] = nace_labels[code]

    _energy(v, out, definitions, lang)
    _emissions(v, out)
    _social(v, out, definitions, lang)
    _water_waste(v, out, definitions)
    _governance(v, out)
    return out


def _result(number: float | None) -> FormulaResult | None:
    return FormulaResult(number) if number is not None else None


def _put(out: dict[str, CellValue], key: str, value: CellValue | None) -> None:
    if value is not None:
        out[key] = value


def _energy(v: Mapping[str, JsonValue], out: dict[str, CellValue], definitions: VsmeDefinitions, lang: str) -> None:
    total = _num(v, "b3.energy_total_mwh")
    parts = _sum(v, ENERGY_PARTS)
    if total is None and parts is not None:
        out["TotalEnergyConsumption"] = parts  # the template asks the total as an input
    if _sum(v, ELECTRICITY + SELF_GENERATED) is not None:
        out[cell_key(ENVIRONMENT, "G10")] = True  # "has the information for the breakdown": shows the table
    _put(
        out, "EnergyConsumptionFromElectricity_TotalRenewableAndNonRenewableEnergyMember", _result(_sum(v, ELECTRICITY))
    )
    _put(
        out,
        "EnergyConsumptionFromSelfGeneratedElectricity_TotalRenewableAndNonRenewableEnergyMember",
        _result(_sum(v, SELF_GENERATED)),
    )
    # The fuels row of the breakdown is computed by the template's own fuel converter, which asks
    # volumes and uses its own factors: our fuel energy goes into the total and this sentence.
    renewable, fossil = _num(v, FUELS[0]), _num(v, FUELS[1])
    if renewable is not None or fossil is not None:
        sentence = definitions.phrases.fuels.get(lang).format(
            renewable=_fmt(renewable or 0, lang), fossil=_fmt(fossil or 0, lang)
        )
        out["DisclosureOfAnyOtherEnvironmentalAndOrEntitySpecificEnvironmentalDisclosures"] = sentence


def _emissions(v: Mapping[str, JsonValue], out: dict[str, CellValue]) -> None:
    scope1, market = _num(v, "b3.scope1_tco2e"), _num(v, "b3.scope2_market_tco2e")
    location_total = _sum(v, ("b3.scope1_tco2e", "b3.scope2_location_tco2e"))
    _put(out, "TotalGrossLocationBasedScope1AndScope2GHGEmissions", _result(location_total))
    if scope1 is not None and market is not None:
        out["TotalGrossMarketBasedScope1AndScope2GHGEmissions"] = FormulaResult(scope1 + market)
    turnover = _num(v, "b1.turnover_eur")
    if turnover and location_total is not None:
        out["Scope1AndScope2GreenhouseGasEmissionsIntensityValueLocationBased"] = FormulaResult(
            location_total / turnover
        )
    if turnover and scope1 is not None and market is not None:
        out["Scope1AndScope2GreenhouseGasEmissionsIntensityValueMarketBased"] = FormulaResult(
            (scope1 + market) / turnover
        )


def _social(v: Mapping[str, JsonValue], out: dict[str, CellValue], definitions: VsmeDefinitions, lang: str) -> None:
    employees = _num(v, "b1.employees")
    if employees is not None:
        for cell in ("D12", "D22", "E129"):  # the template repeats the total number of employees
            out[cell_key(SOCIAL, cell)] = FormulaResult(employees)
    permanent = _num(v, "b8.permanent_employees")
    if employees is not None and permanent is not None:
        out["NumberOfTemporaryContractEmployees"] = FormulaResult(employees - permanent)
    hours = _num(v, "b9.hours_per_fte")
    accidents = _num(v, "b9.recordable_accidents")
    if employees is not None and hours is not None:
        worked = hours * employees
        out[cell_key(SOCIAL, "D142")] = FormulaResult(worked)
        if accidents is not None and worked > 0:
            out["RateOfRecordableWorkRelatedAccidentsInTheReportingPeriod"] = FormulaResult(
                accidents / worked * 200_000
            )
    male, female = _num(v, "b10.avg_hourly_pay_male_eur"), _num(v, "b10.avg_hourly_pay_female_eur")
    if male and female is not None:
        out["PercentageGapInPayBetweenFemaleAndMaleEmployees"] = FormulaResult((male - female) / male)
    covered = _num(v, "b10.collective_bargaining_employees")
    if covered is not None and employees:
        out["PercentageOfEmployeesCoveredByCollectiveBargainingAgreements"] = FormulaResult(covered / employees)
    days = _num(v, "b9.days_lost")
    if days is not None:
        out["DisclosureOfAnyOtherSocialAndOrEntitySpecificSocialDisclosures"] = definitions.phrases.days_lost.get(
            lang
        ).format(days=_fmt(days, lang))


def _water_waste(v: Mapping[str, JsonValue], out: dict[str, CellValue], definitions: VsmeDefinitions) -> None:
    withdrawal, discharge = _num(v, "b6.water_withdrawal_m3"), _num(v, "b6.water_discharge_m3")
    if discharge is not None:
        out[cell_key(ENVIRONMENT, "D309")] = True  # "production processes consume significant water"
        if withdrawal is not None:
            out["TotalWaterConsumption"] = FormulaResult(withdrawal - discharge)
    hazardous: list[float] = []
    other: list[float] = []
    for i in range(1, WASTE_STREAMS + 1):
        row = 322 + i
        kind = v.get(f"b7.waste_{i}_type")
        amounts = _sum(v, (f"b7.waste_{i}_recycled_t", f"b7.waste_{i}_disposal_t"))
        if kind is None and amounts is None:
            continue
        out[cell_key(ENVIRONMENT, f"G{row}")] = METRIC_TONNES
        if amounts is not None:
            # the template asks both amounts of a stream: the one not given is none of it
            for key, column in ((f"b7.waste_{i}_recycled_t", "J"), (f"b7.waste_{i}_disposal_t", "K")):
                if _num(v, key) is None:
                    out[cell_key(ENVIRONMENT, f"{column}{row}")] = 0
            out[cell_key(ENVIRONMENT, f"L{row}")] = FormulaResult(amounts)
            d = definitions.get(f"b7.waste_{i}_type")
            option = d.option(kind) if d is not None and kind is not None else None
            if option is not None:  # the template sorts rows by the words "Hazardous" of their type
                (hazardous if option.hazardous else other).append(amounts)
    if hazardous or other:
        out["TotalHazardousWasteGeneratedMass_unit"] = METRIC_TONNES
        out["TotalHazardousWasteGeneratedMass"] = FormulaResult(math.fsum(hazardous))
        out["TotalNonHazardousWasteGeneratedMass"] = FormulaResult(math.fsum(other))
        out["TotalWasteGeneratedMass"] = FormulaResult(math.fsum(hazardous) + math.fsum(other))
        out[cell_key(ENVIRONMENT, "G424")] = FormulaResult(METRIC_TONNES)
        out[cell_key(ENVIRONMENT, "G425")] = FormulaResult(METRIC_TONNES)


def _governance(v: Mapping[str, JsonValue], out: dict[str, CellValue]) -> None:
    convictions, fines = _num(v, "b11.corruption_convictions"), _num(v, "b11.corruption_fines_eur")
    if convictions is not None or fines is not None:
        out[cell_key(GOVERNANCE, "H5")] = bool((convictions or 0) > 0 or (fines or 0) > 0)
