from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import Field, StringConstraints

from app.core.schemas import Email, Input, IsoDate, Name, Output, Patch, Subject

CandidateNumber = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9]{1,20}$")]
# The Unique Learner Number is ten digits.
Uln = Annotated[str, StringConstraints(pattern=r"^[0-9]{10}$")]
MisId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\x00-\x20\x7f]+$")]
DateOfBirth = Annotated[IsoDate, Field(description="Between 1900-01-01 and today.")]


class Learner(Output):
    id: uuid.UUID
    centre_id: uuid.UUID
    given_name: str
    family_name: str
    date_of_birth: dt.date
    candidate_number: str | None
    uln: str | None
    mis_id: str | None
    email: str | None
    idp_subject: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class LearnerCreate(Input):
    given_name: Name
    family_name: Name
    date_of_birth: DateOfBirth
    candidate_number: CandidateNumber | None = Field(
        None, description="The awarding body's candidate number."
    )
    uln: Uln | None = None
    mis_id: MisId | None = Field(None, description="The school MIS's own id for this learner.")
    email: Email | None = None
    idp_subject: Subject | None = Field(
        None, description="The identity provider's `sub` for the learner's logins."
    )


# An absent field is left alone; null clears only the optional identifiers and contact fields.
class LearnerUpdate(Input):
    given_name: Patch[Name] = None
    family_name: Patch[Name] = None
    date_of_birth: Patch[DateOfBirth] = None
    candidate_number: CandidateNumber | None = None
    uln: Uln | None = None
    mis_id: MisId | None = None
    email: Email | None = None
    idp_subject: Subject | None = None
