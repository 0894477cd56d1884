"""The model registry: every domain's models, for Alembic and the models-match-migrations test.

It sits above the domains (it imports all of them), beside app/main.py and app/cli.py, so that
app/core never has to know which domains exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import MetaData

if TYPE_CHECKING:
    from alembic.config import Config

import app.appeals.models
import app.assessment.models
import app.assignments.models
import app.audit.models
import app.calendars.models
import app.centres.models
import app.certification.models
import app.core.idempotency
import app.employers.models
import app.events.models
import app.learners.models
import app.malpractice.models
import app.programmes.models
import app.qualifications.models
import app.records.models
import app.standardisation.models
import app.standards_verification.models
import app.verification.models
import app.webhooks.models  # noqa: F401
from app.core.models import Base

ROOT = Path(__file__).resolve().parent.parent


def all_models() -> MetaData:
    """The metadata of every table the migrations build."""
    return Base.metadata


def alembic_config(owner_url: str | None = None) -> Config:
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    if owner_url:
        cfg.attributes["owner_url"] = owner_url
    return cfg
