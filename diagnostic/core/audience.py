"""Respondent groups and which questions each is asked (the questionnaire's `audience`)."""

from __future__ import annotations

# The kinds of respondent group an assessment can be opened to; each assessment may relabel them.
GROUPS = ("direction", "managers", "staff", "consultant", "stakeholders")
