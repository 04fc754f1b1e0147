"""The company profile that applicability conditions are tested on."""

from __future__ import annotations

import re
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from diagnostic.core import limits
from diagnostic.core.schema import HEADCOUNT_BAND_MIN

HeadcountBand = Literal["0", "1-10", "11-19", "20-49", "50-249", "250+"]
# The regions by INSEE code (code officiel géographique): the 13 of metropolitan France, then the 5
# overseas regions. Their names are in the catalogues (company.region_<code>).
RegionCode = Literal["11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94", "01", "02", "03", "04", "06"]
REGION_CODES: tuple[str, ...] = get_args(RegionCode)

# The divisions (first two digits) of NAF rév. 2 / NACE Rev. 2, by section letter (INSEE, Eurostat).
# The numbers missing here (04, 34, 40, 44, 48, 54, 57, 67, 76, 83, 89) are not divisions.
NAF_DIVISIONS: dict[str, tuple[int, ...]] = {
    "A": (1, 2, 3),
    "B": (5, 6, 7, 8, 9),
    "C": tuple(range(10, 34)),
    "D": (35,),
    "E": (36, 37, 38, 39),
    "F": (41, 42, 43),
    "G": (45, 46, 47),
    "H": (49, 50, 51, 52, 53),
    "I": (55, 56),
    "J": (58, 59, 60, 61, 62, 63),
    "K": (64, 65, 66),
    "L": (68,),
    "M": (69, 70, 71, 72, 73, 74, 75),
    "N": (77, 78, 79, 80, 81, 82),
    "O": (84,),
    "P": (85,),
    "Q": (86, 87, 88),
    "R": (90, 91, 92, 93),
    "S": (94, 95, 96),
    "T": (97, 98),
    "U": (99,),
}
_SECTION_OF_DIVISION = {division: letter for letter, divisions in NAF_DIVISIONS.items() for division in divisions}

NAF_PATTERN = re.compile(r"^(\d{2})(\.\d{1,2}[A-Z]?)?$|^[A-U]$")
# A code in a questionnaire's sector condition: a section (C), a division (10), a group (10.7),
# a class (10.71) or a sub-class (10.71C).
NAF_CONDITION_PATTERN = re.compile(r"^[A-U]$|^\d{2}(\.\d(\d[A-Z]?)?)?$")


def naf_section(code: str) -> str | None:
    """The section letter of a NAF code ("25.62A" -> "C"), or the letter itself."""
    code = code.strip().upper()
    if len(code) == 1 and code in NAF_DIVISIONS:
        return code
    if len(code) >= 2 and code[:2].isdigit():
        return _SECTION_OF_DIVISION.get(int(code[:2]))
    return None


def naf_condition_problem(code: str) -> str | None:
    """Why `code` cannot be used in a sector condition, or None when it is a NAF code."""
    if not NAF_CONDITION_PATTERN.match(code):
        return (
            f"'{code}' is not a NAF code: write a section letter A–U, a division '10', a group '10.7',"
            " a class '10.71' or a sub-class '10.71C'"
        )
    if naf_section(code) is None:
        return f"'{code}': NAF has no division {code[:2]}"
    return None


class Profile(BaseModel):
    """What is known of a company; None means not given (conditions on it are then met)."""

    model_config = ConfigDict(extra="forbid")

    headcount_band: HeadcountBand | None = None
    sector: str | None = Field(default=None, description="NAF code (e.g. 25.62A) or section letter")
    sites: int | None = Field(default=None, ge=1, le=limits.SITES)
    production_site: bool | None = None
    tertiary_area_1000m2: bool | None = None
    region: RegionCode | None = Field(default=None, description="INSEE region code (e.g. 28 for Normandie)")

    @field_validator("sector")
    @classmethod
    def _naf(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().upper()
        if not NAF_PATTERN.match(value) or naf_section(value) is None:
            shown = value if len(value) <= 20 else value[:19] + "…"  # a file may hold anything here
            raise ValueError(f"{shown!r} is not a NAF code such as 25.62A (or a section letter A–U)")
        return value

    def headcount_min(self) -> int | None:
        return None if self.headcount_band is None else HEADCOUNT_BAND_MIN[self.headcount_band]

    def sector_matches(self, patterns: list[str]) -> bool | None:
        if self.sector is None:
            return None
        section = naf_section(self.sector)
        code = self.sector.replace(".", "")
        for pattern in patterns:
            pattern = pattern.strip().upper()
            if len(pattern) == 1 and pattern.isalpha():
                if pattern == section:
                    return True
            elif code.startswith(pattern.replace(".", "")):
                return True
        return False
