"""The VSME files: the datapoints and emission factors (vsme/*.yaml) and EFRAG's template.

A bad YAML file raises VsmeFileError naming the file, the YAML path and what is wrong (with the
line where it can), as a questionnaire or label file does. The template is found beside the
project (../shared/reference/vsme/) unless AUTODIAG_VSME_TEMPLATE names another file.
"""

from __future__ import annotations

import os
import re
import warnings
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from openpyxl import load_workbook
from pydantic import BaseModel

from diagnostic.core.errors import DomainError
from diagnostic.core.loading import Issue
from diagnostic.core.vsme import EmissionFactors, VsmeDefinitions, nace_class
from diagnostic.data_files import DataFileError, located, validated

VSME_DIR = Path(__file__).resolve().parent.parent / "vsme"
DATAPOINTS_FILE = VSME_DIR / "datapoints.yaml"
FACTORS_FILE = VSME_DIR / "emission-factors.yaml"
TEMPLATE_ENV = "AUTODIAG_VSME_TEMPLATE"
TEMPLATE_NAME = "VSME-Digital-Template-1.3.0.xlsx"
DEFAULT_TEMPLATE = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "vsme" / TEMPLATE_NAME

Model = TypeVar("Model", bound=BaseModel)


class VsmeFileError(DataFileError):
    """A VSME data file that cannot be used; `issues` lists every problem found."""


class VsmeTemplateMissing(DomainError):
    """EFRAG's template is not where the application looks for it (params: path)."""

    code = "vsme.template_missing"


def _parse(text: str, source: str, model: type[Model]) -> Model:
    return validated(
        text, source, model, VsmeFileError, keys="schema_version, …", doc="docs/vsme.md",
        clean=lambda loc: tuple(key for key in loc if key not in ("NamedTarget", "CellTarget", "DateTarget")),
    )  # fmt: skip


def parse_definitions(text: str, source: str) -> VsmeDefinitions:
    return _parse(text, source, VsmeDefinitions)


def parse_factors(text: str, source: str, definitions: VsmeDefinitions) -> EmissionFactors:
    """The factors, each checked against its datapoint (it must exist and have the factor's unit)."""
    factors = _parse(text, source, EmissionFactors)
    problems = []
    for i, factor in enumerate(factors.factors):
        datapoint = definitions.get(factor.datapoint)
        if datapoint is None:
            problems.append((f"factors[{i}].datapoint", f"no datapoint has the id '{factor.datapoint}'"))
        elif datapoint.unit != factor.unit:
            problems.append((f"factors[{i}].unit", f"'{factor.unit}' is not the unit of {factor.datapoint} ('{datapoint.unit}')"))
    if problems:
        raise located(text, source, problems, VsmeFileError)
    return factors


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise VsmeFileError(str(path), [Issue("", f"cannot read the file: {exc}")]) from None


@lru_cache(maxsize=4)
def _definitions(text: str, source: str) -> VsmeDefinitions:
    return parse_definitions(text, source)


@lru_cache(maxsize=4)
def _factors(text: str, source: str, definitions_text: str, definitions_source: str) -> EmissionFactors:
    return parse_factors(text, source, _definitions(definitions_text, definitions_source))


def load_definitions(path: str | Path = DATAPOINTS_FILE) -> VsmeDefinitions:
    """The datapoints file (parsed once per text: a page rerun reads it again for nothing)."""
    path = Path(path)
    return _definitions(_read(path), str(path))


def load_factors(path: str | Path = FACTORS_FILE, definitions_path: str | Path = DATAPOINTS_FILE) -> EmissionFactors:
    path, definitions_path = Path(path), Path(definitions_path)
    return _factors(_read(path), str(path), _read(definitions_path), str(definitions_path))


def template_path() -> Path:
    """EFRAG's VSME Digital Template; VsmeTemplateMissing when it is not there."""
    path = Path(os.environ.get(TEMPLATE_ENV) or DEFAULT_TEMPLATE)
    if not path.is_file():
        raise VsmeTemplateMissing(f"no VSME template at {path}", params={"path": str(path)})
    return path


@lru_cache(maxsize=2)
def _nace_labels(path: str, mtime: float) -> dict[str, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: "Data Validation extension is not supported"
        workbook = load_workbook(path, read_only=True)
    try:
        sheet = workbook["Enumeration Lists"]
        labels: dict[str, str] = {}
        for (text,) in sheet.iter_rows(min_row=3, max_row=1049, min_col=1, max_col=1, values_only=True):
            m = re.match(r"NACE [A-Z] - (\d{2}(?:\.\d{1,2})?) ", str(text or ""))
            code = nace_class(m.group(1)) if m else None
            if code:
                labels.setdefault(code, str(text))
        return labels
    finally:
        workbook.close()


def nace_labels() -> dict[str, str]:
    """NACE code ("25.62", "25.6", "25") -> the template's drop-down text ("NACE C - 25.62 Machining")."""
    path = template_path()
    return _nace_labels(str(path), path.stat().st_mtime)
