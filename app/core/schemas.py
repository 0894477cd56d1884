"""Field types shared by the domains' Pydantic schemas, so one rule reads the same everywhere."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

# Patterns are written with explicit ranges, not \s or \S, because the three regex dialects that read
# them (JSON Schema/ECMA for clients, Rust in pydantic-core, Python) disagree on what is whitespace.
# Control characters are refused everywhere: PostgreSQL cannot store NUL, and none belongs in a name.
# "Blank" is what Python's str.strip() removes, so a value the schema calls filled stays filled once
# Pydantic has stripped it.
_BLANK = r"\x00-\x20\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_ONE_LINE = r"[^\x00-\x1f\x7f]"
_MULTILINE = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # also tab, newline, carriage return
_TOKEN = r"[^@\x00-\x20\x7f-\x9f]+"


def _filled(char: str) -> str:
    return rf"^{char}*[^{_BLANK}]{char}*$"


def filled(max_length: int, *, multiline: bool = False) -> StringConstraints:
    """Text that must say something: not empty, not only spaces (`Annotated[str, filled(100)]`)."""
    return StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=max_length,
        pattern=_filled(_MULTILINE if multiline else _ONE_LINE),
    )


Name = Annotated[str, filled(100)]
LongName = Annotated[str, filled(200)]
Reason = Annotated[str, filled(500)]  # why a change was made: every transition that asks for one
LongText = Annotated[str, filled(4000, multiline=True)]  # feedback, scenarios, comments
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500, pattern=rf"^{_ONE_LINE}*$")]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=320, pattern=rf"^{_TOKEN}@{_TOKEN}\.{_TOKEN}$")
]
Subject = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x20\x7f]+$")]
# For free-text query filters: anything printable (PostgreSQL refuses NUL even in a WHERE clause).
FILTER_PATTERN = r"^[^\x00-\x1f\x7f]*$"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: object) -> object:
    # Pydantic's lax mode would read 0 or 1700000000 as a date; the contract says YYYY-MM-DD.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


def _json_integer(value: object) -> object:
    # JSON Schema's integer: 3 and 3.0, never "3", 3.5 or true (which Pydantic's lax mode would take).
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be an integer")
        return int(value)
    return value


JsonInteger = BeforeValidator(_json_integer)
JsonInt = Annotated[int, JsonInteger]


# A bounded JSON integer: the bounds come before the validator in Annotated, or Pydantic cannot fold
# them into the schema and publishes raw `ge`/`le` keys (tests/api/test_contracts.py).
UnitNumber = Annotated[int, Field(ge=1, le=999), JsonInteger]


T = TypeVar("T")

if TYPE_CHECKING:
    Patch: TypeAlias = T | None
else:

    class Patch:
        """A field of an update (PATCH) body: `name: Patch[LongName] = None`.

        Absent means "leave it alone" and reads as None; null itself is refused unless the field's own
        type allows it (`Patch[Text | None]`). Pydantic sees only the field's type (the default is not
        validated), so the published schema stays `{"type": "string", ...}` without a null; the type
        checker sees `T | None`, which is what the attribute holds.
        """

        def __class_getitem__(cls, item: Any) -> Any:
            return item


class Input(BaseModel):
    """Request bodies refuse unknown fields: a typo must not be silently ignored.

    Booleans and integers in bodies are declared StrictBool/JsonInt: Pydantic's lax mode would take
    0, "true" or "5", which the contract (JSON Schema) does not allow.
    """

    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)
