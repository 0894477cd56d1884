"""`verity demo`: a realistic centre, built through the services over one academic year.

Two programmes on the shipped qualifications (000's BTEC award, 003's OCR diploma), staff in every
role, learners across grades, issued briefs, submissions with evidence, decisions released after IV,
an IV disagreement with its remedial action, a resubmission authorised by the LIV. The clock is moved
through the year as it goes, so every date is one a centre would have. Idempotent: the demo centre is
made once, in one transaction."""

from __future__ import annotations

from sqlalchemy import select

from app.centres.models import Centre
from app.core import clock
from app.core.config import Settings
from app.core.db import make_engine, make_sessionmaker, resolve_urls
from app.demo.appeals import load_appeals
from app.demo.assessment import load_assessment
from app.demo.certification import load_certification
from app.demo.guide import print_tokens
from app.demo.iv import load_award_iv, load_diploma_iv, load_exam_results
from app.demo.malpractice import load_malpractice
from app.demo.programmes import load_programmes
from app.demo.quality import load_quality
from app.demo.records import load_records
from app.demo.spring import load_spring
from app.demo.staff import load_centre
from app.demo.support import load_support
from app.demo.sv import load_sv
from app.demo.world import DEMO_CENTRE_ID, DEMO_LEARNER_SUBJECT, Demo, start_year
from app.wiring import wire_domains

__all__ = ["DEMO_CENTRE_ID", "DEMO_LEARNER_SUBJECT", "load_demo", "print_tokens"]


async def load_demo(settings: Settings) -> bool:
    """Load the demo centre; False (and nothing written) when it is already there."""
    wire_domains()  # as create_app does (app/wiring.py)
    urls = resolve_urls(settings)
    engine = make_engine(urls.app, role=urls.app_role, pool_size=1)
    year = start_year(clock.today())
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            if await session.scalar(select(Centre.id).where(Centre.id == DEMO_CENTRE_ID)):
                return False
            with clock.using(clock.FixedClock(clock.now())) as frozen:
                demo = Demo(session=session, year=year, frozen=frozen)  # type: ignore[arg-type]
                await load_centre(demo)
                await load_programmes(demo)
                await load_assessment(demo, settings)
                await load_award_iv(demo, settings)
                await load_diploma_iv(demo)
                await load_quality(demo)
                await load_spring(demo, settings)
                await load_exam_results(demo)
                await load_support(demo)
                await load_malpractice(demo)
                await load_sv(demo, settings.jwt_issuer)
                await load_certification(demo)
                await load_records(demo, settings)
                await load_appeals(demo)
        return True
    finally:
        await engine.dispose()
