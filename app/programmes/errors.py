"""The problem a refused transition answers with: 409, `errors[]` naming the rule (`code: R-12`)."""

from __future__ import annotations

from app.core.errors import Conflict, field_problem


class InvalidTransition(Conflict):
    slug, title = "invalid-transition", "Invalid transition"

    def __init__(self, rule: str, detail: str, field: str = "status") -> None:
        super().__init__(detail, errors=[field_problem(field, rule, detail)])
