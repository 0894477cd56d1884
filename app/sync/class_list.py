"""CSV class lists for centres without an MIS integration: the same records, checks and all-or-nothing
answer as the MIS sync. One learner per row; a header names the columns (any order)."""

from __future__ import annotations

import csv
import io

from pydantic import ValidationError

from app.core.errors import FieldProblem, field_problem
from app.sync.schemas import MAX_RECORDS, SyncLearner

REQUIRED = ("mis_id", "given_name", "family_name", "date_of_birth")
OPTIONAL = ("candidate_number", "uln", "email")
MAX_BYTES = 5 * 1024 * 1024


def parse(raw: bytes, base: str = "body.learners") -> tuple[list[SyncLearner], list[FieldProblem]]:
    """Rows become SyncLearner records. A column left out of the header leaves that field alone; an empty
    cell in an optional column clears it (as null does in the JSON sync)."""
    if len(raw) > MAX_BYTES:
        return [], [field_problem("body", "too_large", f"at most {MAX_BYTES} bytes")]
    try:
        text = raw.decode("utf-8-sig")  # spreadsheets often write a byte-order mark
    except UnicodeDecodeError:
        return [], [field_problem("body", "not_utf8", "the CSV must be UTF-8")]
    try:
        lines = [
            row for row in csv.reader(io.StringIO(text, newline="")) if any(cell.strip() for cell in row)
        ]
    except csv.Error as exc:
        return [], [field_problem("body", "malformed_csv", str(exc))]
    if not lines:
        return [], [field_problem("body", "empty", "a header row and at least one learner are needed")]
    header = [name.strip().lower() for name in lines[0]]
    known = REQUIRED + OPTIONAL
    problems = [
        field_problem("body", "unknown_column", f"unknown column {name!r}; known: {', '.join(known)}")
        for name in header
        if name not in known
    ]
    problems += [
        field_problem("body", "missing_column", f"the column {name!r} is required")
        for name in REQUIRED
        if name not in header
    ]
    problems += [
        field_problem("body", "duplicate_column", f"the column {name!r} appears twice")
        for name in sorted({n for n in header if header.count(n) > 1})
    ]
    if len(lines) - 1 > MAX_RECORDS:
        problems.append(field_problem("body", "too_many_rows", f"at most {MAX_RECORDS} learners per import"))
    if problems:
        return [], problems
    records = []
    for i, cells in enumerate(lines[1:]):
        if len(cells) != len(header):
            problems.append(
                field_problem(
                    f"{base}.{i}",
                    "wrong_number_of_fields",
                    f"data row {i + 1} has {len(cells)} fields, the header {len(header)}",
                )
            )
            continue
        data = {
            name: (cell.strip() or None) if name in OPTIONAL else cell.strip()
            for name, cell in zip(header, cells)
        }
        try:
            records.append(SyncLearner.model_validate(data))
        except ValidationError as exc:
            problems += [
                field_problem(".".join([base, str(i), *map(str, e["loc"])]), e["type"], e["msg"])
                for e in exc.errors()
            ]
    return records, problems
