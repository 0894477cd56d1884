"""Verification's answer to assessment's R-25 release gate (app/assessment/iv_gate.py).

Assessment sits below verification, so it cannot ask for the IV records itself: `create_app`
calls `register()` and release then asks `iv_reasons` through the gate registry.
"""

from __future__ import annotations

from app.assessment import iv_gate
from app.verification.actions import action_holds
from app.verification.records import brief_reasons


def register() -> None:
    """The brief-wide reasons hold the batch; an open remedial action only the decisions it concerns."""
    iv_gate.register(brief_reasons, action_holds)
