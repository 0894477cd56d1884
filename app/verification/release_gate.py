"""Verification's answer to assessment's R-25 release gate (app/assessment/iv_gate.py).

Assessment sits below verification, so it cannot ask for the IV records itself: `create_app`
calls `register()` and release then asks `iv_reasons` through the gate registry.
"""

from __future__ import annotations

from app.assessment import iv_gate
from app.verification.records import iv_reasons


def register() -> None:
    iv_gate.register(iv_reasons)
