"""Field types shared by the domains' Pydantic schemas, so one rule reads the same everywhere."""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"\S")]
LongName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"\S")]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=320,
                                         pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Subject = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^\S+$")]


class Input(BaseModel):
    """Request bodies refuse unknown fields: a typo must not be silently ignored."""
    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)
