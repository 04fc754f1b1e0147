"""The VSME module of an assessment: whether it is switched on, and its datapoints as entered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from diagnostic.core.roles import Scope
from diagnostic.storage.models import Assessment, Company, VsmeValue, utcnow
from diagnostic.storage.repositories import _Repository, _within, aware


class VsmeRepository(_Repository):
    """Every query takes the actor's scope: an assessment outside it has no VSME data and gets none."""

    def _assessment(self, scope: Scope, assessment_id: int, lock: bool = False) -> Assessment | None:
        query = select(Assessment).join(Company).where(Assessment.id == assessment_id, _within(scope))
        return self.s.scalar(query.with_for_update(of=Assessment) if lock else query)

    def enabled(self, scope: Scope, assessment_id: int) -> bool | None:
        """Is the module on? None when the assessment is out of scope."""
        assessment = self._assessment(scope, assessment_id)
        return None if assessment is None else bool(assessment.vsme_enabled)

    def set_enabled(self, scope: Scope, assessment_id: int, enabled: bool) -> bool:
        """False when the assessment is out of scope. The values stay when the module is switched off."""
        assessment = self._assessment(scope, assessment_id, lock=True)
        if assessment is None:
            return False
        assessment.vsme_enabled = enabled
        self.s.flush()
        return True

    def values(self, scope: Scope, assessment_id: int) -> dict[str, tuple[Any, str, datetime]]:
        """datapoint -> (value, who, when); {} out of scope."""
        query = (
            select(VsmeValue).join(Assessment, Assessment.id == VsmeValue.assessment_id).join(Company)
            .where(VsmeValue.assessment_id == assessment_id, _within(scope))
        )  # fmt: skip
        return {
            r.datapoint: (r.value, r.updated_by or "", aware(r.updated_at) or utcnow()) for r in self.s.scalars(query)
        }

    def put(self, scope: Scope, assessment_id: int, datapoint: str, value: Any, by: str) -> bool:
        """Set one datapoint (None clears it). False when the assessment is out of scope."""
        if self._assessment(scope, assessment_id, lock=True) is None:
            return False
        row = self.s.get(VsmeValue, (assessment_id, datapoint), with_for_update=True)
        if value is None:
            if row is not None:
                self.s.execute(
                    delete(VsmeValue).where(VsmeValue.assessment_id == assessment_id, VsmeValue.datapoint == datapoint)
                )
        elif row is None:
            self.s.add(VsmeValue(assessment_id=assessment_id, datapoint=datapoint, value=value, updated_by=by))
        else:
            row.value, row.updated_by = value, by
        self.s.flush()
        return True
