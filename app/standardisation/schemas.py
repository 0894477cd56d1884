"""Pydantic shapes of standardisation (R-45) and staff competence and CPD (R-46): REST bodies and GraphQL
types share them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import Field, StringConstraints

from app.core.schemas import Input, IsoDate, LongText, Name, Output, UnitNumber
from app.programmes.schemas import TeamRole

# As app.core.schemas.filled_text: something said, one line (an activity) or several (a note).
_BLANK = r"\x00-\x20\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_ONE_LINE = r"[^\x00-\x1f\x7f]"
_MULTILINE = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
Activity = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=500, pattern=rf"^{_ONE_LINE}*[^{_BLANK}]{_ONE_LINE}*$"
    ),
]
Note = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=1000,
        pattern=rf"^{_MULTILINE}*[^{_BLANK}]{_MULTILINE}*$",
    ),
]
# A JSON number (never a string); stored to the hundredth of an hour.
Hours = Annotated[
    float, Field(ge=0.01, le=1000, strict=True, allow_inf_nan=False, description="Hours spent, e.g. 1.5.")
]


# ---- standardisation (R-45) ---------------------------------------------------------------------------


class StandardisationCreate(Input):
    programme_id: uuid.UUID
    unit_number: UnitNumber
    academic_year_id: uuid.UUID | None = Field(None, description="Defaults to the programme's year.")
    held_on: IsoDate
    attendee_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=100, description="The assessors and IVs who standardised (staff ids)."
    )
    sampled_decision_ids: list[uuid.UUID] = Field(
        [], max_length=200, description="The assessment decisions whose work was sampled."
    )
    outcomes: LongText
    arbitrations: LongText | None = Field(None, description="Disagreements and how the LIV arbitrated them.")


class StandardisationRecord(Output):
    id: uuid.UUID
    programme_id: uuid.UUID
    qualification_id: uuid.UUID
    unit_number: int
    academic_year_id: uuid.UUID
    held_on: dt.date
    attendee_ids: list[uuid.UUID]
    sampled_decision_ids: list[uuid.UUID]
    outcomes: str
    arbitrations: str | None
    liv_staff_id: uuid.UUID
    recorded_by: str
    created_at: dt.datetime


class UnitStandardisation(Output):
    unit_number: int
    title: str
    standardised: bool
    record_ids: list[uuid.UUID]
    last_held_on: dt.date | None


class StandardisationGaps(Output):
    """R-45: each internally assessed unit of the programme's qualification and whether it has a
    standardisation record for the year; `missing_unit_numbers` are those that have none."""

    programme_id: uuid.UUID
    qualification_id: uuid.UUID
    academic_year_id: uuid.UUID
    units: list[UnitStandardisation]
    missing_unit_numbers: list[int]


# ---- CPD and competence (R-46) ------------------------------------------------------------------------


class CpdCreate(Input):
    staff_id: uuid.UUID
    undertaken_on: IsoDate
    activity: Activity
    hours: Hours
    evidence_note: Note | None = None


class CpdRecord(Output):
    id: uuid.UUID
    staff_id: uuid.UUID
    undertaken_on: dt.date
    activity: str
    hours: float
    evidence_note: str | None
    recorded_by: str
    created_at: dt.datetime


class CompetentUnit(Input):
    qualification_id: uuid.UUID
    unit_number: UnitNumber


class CompetentUnitOut(Output):
    qualification_id: uuid.UUID
    unit_number: int


class CompetenceWrite(Input):
    subject_areas: list[Name] = Field([], max_length=50)
    units: list[CompetentUnit] = Field([], max_length=500)
    note: Note | None = None


class StaffCompetence(Output):
    id: uuid.UUID
    staff_id: uuid.UUID
    subject_areas: list[str]
    units: list[CompetentUnitOut]
    note: str | None
    updated_by: str
    version: int


class StaffCompetenceGap(Output):
    """R-46 for one member of a programme's team: the units they lack expertise for and their CPD in the
    year."""

    staff_id: uuid.UUID
    roles: list[TeamRole]
    units_without_expertise: list[int]
    cpd_hours: float
    has_cpd: bool


class CompetenceReport(Output):
    programme_id: uuid.UUID
    academic_year_id: uuid.UUID
    staff: list[StaffCompetenceGap]
