from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, StrictBool, StringConstraints

from app.auth.scopes import Role
from app.core.schemas import Email, Input, LongName, Name, Output, Patch, Subject, Text

CentreNumber = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9]{3,20}$")]


class Nation(StrEnum):
    england_wales = "england_wales"
    scotland = "scotland"
    northern_ireland = "northern_ireland"


class Centre(Output):
    id: uuid.UUID
    centre_number: str
    name: str
    nation: Nation
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class CentreCreate(Input):
    centre_number: CentreNumber
    name: LongName
    nation: Nation = Field(description="Whose public holidays count against working-day deadlines (R-31).")


# In updates, an absent field is left alone; null is accepted only where the field may be empty.
class CentreUpdate(Input):
    name: Patch[LongName] = None
    nation: Patch[Nation] = None


class Site(Output):
    id: uuid.UUID
    centre_id: uuid.UUID
    name: str
    address: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class SiteCreate(Input):
    name: LongName
    address: Text | None = None


class SiteUpdate(Input):
    name: Patch[LongName] = None
    address: Text | None = None


# Learners get their access from learner records, not from staff grants.
if TYPE_CHECKING:  # mypy cannot see the members of a computed enum: to it, a staff role is a Role
    StaffRoleName = Role
else:
    StaffRoleName = StrEnum("StaffRoleName", {r.name: r.value for r in Role if r is not Role.learner})
StaffRole = Annotated[StaffRoleName, Field(description="A staff role granted centre-wide.")]


class StaffMember(Output):
    id: uuid.UUID
    centre_id: uuid.UUID
    idp_subject: str
    given_name: str
    family_name: str
    email: str | None
    roles: list[StaffRoleName]
    active: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class StaffCreate(Input):
    idp_subject: Subject = Field(description="The identity provider's `sub` for this person.")
    given_name: Name
    family_name: Name
    email: Email | None = None
    roles: list[StaffRole] = Field(min_length=1, max_length=9)


class StaffUpdate(Input):
    given_name: Patch[Name] = None
    family_name: Patch[Name] = None
    email: Email | None = None
    roles: Patch[list[StaffRole]] = Field(None, min_length=1, max_length=9)
    active: Patch[StrictBool] = None
