"""The callbacks higher domains give lower ones, registered in one place: create_app, the demo and the
test suite all call `wire_domains()`, so a service used without the app behaves as it does in it.

Each register() keeps one copy when called twice."""

from __future__ import annotations

from app.certification import external_holds as certification_holds
from app.malpractice import hooks as malpractice_hooks
from app.verification import liv_access, release_gate


def wire_domains() -> None:
    release_gate.register()  # release asks verification's IV check (app/assessment/iv_gate.py)
    liv_access.register()  # programme access follows the LIV appointment (app/programmes/access.py)
    malpractice_hooks.register()  # the authenticity chain opens cases; withheld results wait
    certification_holds.register()  # the SV status, open appeals, withholding and centre sanctions
