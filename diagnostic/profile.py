"""The company profile that applicability conditions are tested on."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from diagnostic.schema import HEADCOUNT_BAND_MIN

HeadcountBand = Literal["0", "1-10", "11-19", "20-49", "50-249", "250+"]

# NAF rev. 2 / NACE divisions (first two digits) grouped by section letter.
_SECTIONS: dict[str, tuple[int, int]] = {
    "A": (1, 3), "B": (5, 9), "C": (10, 33), "D": (35, 35), "E": (36, 39), "F": (41, 43),
    "G": (45, 47), "H": (49, 53), "I": (55, 56), "J": (58, 63), "K": (64, 66), "L": (68, 68),
    "M": (69, 75), "N": (77, 82), "O": (84, 84), "P": (85, 85), "Q": (86, 88), "R": (90, 93),
    "S": (94, 96), "T": (97, 98), "U": (99, 99),
}  # fmt: skip

NAF_PATTERN = re.compile(r"^(\d{2})(\.\d{1,2}[A-Z]?)?$|^[A-U]$")


def naf_section(code: str) -> str | None:
    """The section letter of a NAF code ("25.62A" -> "C"), or the letter itself."""
    code = code.strip().upper()
    if len(code) == 1 and code in _SECTIONS:
        return code
    if len(code) >= 2 and code[:2].isdigit():
        division = int(code[:2])
        for letter, (low, high) in _SECTIONS.items():
            if low <= division <= high:
                return letter
    return None


class Profile(BaseModel):
    """What is known of a company; None means not given (conditions on it are then met)."""

    model_config = ConfigDict(extra="forbid")

    headcount_band: HeadcountBand | None = None
    sector: str | None = Field(default=None, description="NAF code (e.g. 25.62A) or section letter")
    sites: int | None = Field(default=None, ge=1)
    production_site: bool | None = None
    tertiary_area_1000m2: bool | None = None

    @field_validator("sector")
    @classmethod
    def _naf(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().upper()
        if not NAF_PATTERN.match(value) or naf_section(value) is None:
            raise ValueError(f"'{value}' is not a NAF code such as 25.62A (or a section letter A–U)")
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
