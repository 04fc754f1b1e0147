"""The documented maximum of every input a user or a file can give (docs/formats.md lists them).

One place for the widgets (max_chars), the services and the import models, so that the screen,
the command line and an imported file accept and refuse exactly the same things.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

COMPANY_NAME = 200
COMPANY_NOTES = 20_000
ASSESSMENT_LABEL = 200
RESPONDENT = 200
COMMENT = 10_000  # a consultant's note on one answer
TEXT_ANSWER = 10_000
ACTION_TITLE = 1_000
ACTION_OWNER = 200
ACTION_NOTES = 10_000
ACTIONS_PER_ASSESSMENT = 500
SITES = 100_000
IDENTIFIER = 100  # question, option, recommendation ids in a file
QUESTIONNAIRE_VERSION = 40

# Dates a person can mean: anything else is a typing error (and year 0001 or 9999 breaks
# time-zone arithmetic on some databases).
FIRST_DATE = date(1970, 1, 1)
LAST_DATE = date(2100, 12, 31)
FIRST_MOMENT = datetime(1970, 1, 1, tzinfo=UTC)
LAST_MOMENT = datetime(2100, 12, 31, 23, 59, 59, tzinfo=UTC)

IMPORT_BYTES = 5 * 1024 * 1024
JSON_DEPTH = 20  # an exported file nests 4 levels deep

# Added for the JSON import and the command line (docs/formats.md, "Limits").
QUESTIONNAIRE_ID = 80  # the questionnaire_id columns
QUESTION_ID = 80  # the answers.question_id and actions.question_id columns
NUMBER_ANSWER = 1e15  # the largest magnitude of a number answer (still exact in a float)
NUMBER_DIGITS = 30  # digits of an integer in a file: more is a typing error (Python refuses 4,300)
