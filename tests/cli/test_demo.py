"""`verity demo` (issue 19): the demo centre is built through the services over one academic year, every
screen the guide prints returns data for its role, the audit chain verifies, and a second run does
nothing. The demo commits, so it gets a database of its own (never the worker's shared one)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from app.audit.models import AuditEvent
from app.auth.scopes import Role
from app.auth.tokens import mint_development_token
from app.cli import cli
from app.core.config import Settings, get_settings
from app.core.db import make_engine, make_sessionmaker
from app.demo import DEMO_CENTRE_ID, load_demo
from app.demo.guide import demo_ids, screens, subject_of
from tests.conftest import APP_ROLE, migrate, recreate_database, system_actor


@pytest.fixture(scope="module")
async def demo_settings(server_url, worker_id_name, tmp_path_factory) -> Settings:
    url = await recreate_database(server_url, f"verity_demo_{worker_id_name}")
    await asyncio.to_thread(migrate, url)
    from app.qualifications.models import PLATFORM_CENTRE
    from app.qualifications.service import ensure_shipped

    engine = make_engine(url, role=APP_ROLE, pool_size=1)
    try:
        async with engine.begin() as conn, AsyncSession(bind=conn) as session:
            await ensure_shipped(session, system_actor(PLATFORM_CENTRE))
    finally:
        await engine.dispose()
    settings = Settings(
        database_url=url,
        auth_mode="development",
        dev_jwt_secret="demo-secret-" + "x" * 32,
        data_dir=tmp_path_factory.mktemp("demo-data"),
        database_role=APP_ROLE,
    )
    assert await load_demo(settings) is True
    return settings


@pytest.fixture(scope="module")
async def demo_client(demo_settings):
    from app.main import create_app

    engine = make_engine(demo_settings.database_url, role=APP_ROLE, pool_size=2)
    app = create_app(demo_settings, sessionmaker=make_sessionmaker(engine))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://verity.test") as c:
            yield c
    finally:
        await engine.dispose()


def headers(settings: Settings, role: Role) -> dict[str, str]:
    token = mint_development_token(
        settings, subject=subject_of(role), centre_id=DEMO_CENTRE_ID, roles=[role.value]
    )
    return {"Authorization": f"Bearer {token}"}


def has_data(body) -> bool:
    if isinstance(body, list):
        return bool(body)
    if isinstance(body, dict):
        if "items" in body:
            return bool(body["items"])
        return bool(body) and any(v not in (None, [], {}, "") for v in body.values())
    return False


async def get(client, settings, role: Role, path: str):
    r = await client.get(path, headers=headers(settings, role))
    assert r.status_code == 200, f"{role.value} {path}: {r.status_code} {r.text[:300]}"
    return r.json()


async def test_every_printed_screen_returns_data_for_its_role(demo_settings, demo_client):
    ids = await demo_ids(demo_settings)
    empty = []
    for role, items in screens(ids).items():
        for what, path in items:
            body = await get(demo_client, demo_settings, role, path)
            if not has_data(body):
                empty.append(f"{role.value} {what} {path}: {body}")
    assert not empty, "\n".join(empty)


async def test_the_screens_the_issue_names_have_the_story(demo_settings, demo_client):
    ids = await demo_ids(demo_settings)
    hoc = Role.hoc

    async def read(path: str, role: Role = hoc):
        return await get(demo_client, demo_settings, role, path)

    programmes = await read("/v1/programmes")
    assert len(programmes["items"]) == 2
    # Cohort grid: learners across U/P/M/D on the award (Isaac, late on assignment 1, is U).
    grid = await read(f"/v1/programmes/{ids['award']}/tracking-grid")
    assert {"U", "P", "M", "D"} <= {r["unit_grades"]["1"] for r in grid["rows"]}
    # Decisions on assignment 1: released after IV, except Ben's resubmission, which awaits IV.
    decisions = (await read(f"/v1/assessment-decisions?brief_id={ids['a1']}"))["items"]
    assert Counter(d["status"] for d in decisions) == {"released": 8, "submitted_for_iv": 1}
    assert {d["attempt_kind"] for d in decisions} == {"first", "resubmission"}
    # The IV disagreement, resolved by a new decision version and an amended IV record.
    records = await read(f"/v1/assignment-briefs/{ids['a1']}/iv-records")
    records = records["items"] if isinstance(records, dict) else records
    decision_records = [r for r in records if r["subject_kind"] == "assessment_decision"]
    assert any(r["current_version"] == 2 and r["outcome"] == "agree" for r in decision_records)
    sample = await read(f"/v1/iv-samples/{ids['sample']}")
    assert sample["items"] and all(i["iv_outcome"] for i in sample["items"])
    # Remedial actions: the award's closed, the diploma's open.
    actions = await read("/v1/iv-remedial-actions")
    actions = actions["items"] if isinstance(actions, dict) else actions
    assert sorted(a["status"] for a in actions) == ["closed", "open"]
    status = await read(f"/v1/assignment-briefs/{ids['d1']}/iv-status")
    assert status["complete"] is False and any("disagrees" in r for r in status["reasons"])
    # The resubmission, authorised by the LIV within R-31's window.
    (resubmission,) = await read(f"/v1/assessment-decisions/{ids['ben_decision']}/resubmissions")
    assert resubmission["authorised_by"] == "demo-liv" and resubmission["within_term_time"]
    # The audit log and its chain.
    assert (await read("/v1/audit-events"))["items"]
    chain = await read("/v1/audit/verification")
    assert chain["ok"] is True and chain["events"] > 100
    assert await read("/v1/webhook-event-types")
    # the diploma's plan, drawn up late, leaves one learner uncovered; one planned learner missed.
    involvement = await read(f"/v1/employer-involvement-plans/{ids['diploma_plan']}/report")
    assert involvement["plan_late"] is True and len(involvement["learners_uncovered"]) == 1
    assert set(involvement["learners_uncovered"]) < set(involvement["learners_without_activity"])


async def test_the_printed_graphql_example_answers(demo_settings, demo_client):
    r = await demo_client.post(
        "/graphql",
        json={"query": "{ programmes { nodes { name code } } }"},
        headers=headers(demo_settings, Role.hoc),
    )
    assert r.status_code == 200 and "errors" not in r.json(), r.text
    assert {p["code"] for p in r.json()["data"]["programmes"]["nodes"]} == {"CCY12", "CSL2"}


async def test_learner_support_and_a_late_registration(demo_settings, demo_client):
    async def items(path: str, role: Role = Role.exams_officer) -> list:
        return (await get(demo_client, demo_settings, role, path))["items"]

    (issue,) = await items("/v1/registration-issues", Role.qn)
    assert issue["issue"] == "late"
    assert len(await items("/v1/prior-learning")) == 1
    assert len(await items("/v1/reasonable-adjustments")) == 1
    (consideration,) = await items("/v1/special-considerations")
    assert consideration["status"] == "authorised"


async def test_the_learner_sees_only_their_own_released_results(demo_settings, demo_client):
    ids = await demo_ids(demo_settings)
    mine = (await get(demo_client, demo_settings, Role.learner, "/v1/assessment-decisions"))["items"]
    assert mine and {d["learner_id"] for d in mine} == {str(ids["amara"])}
    assert {d["status"] for d in mine} == {"released"}
    record = await get(
        demo_client,
        demo_settings,
        Role.learner,
        f"/v1/learners/{ids['amara']}/assessment-record?programme_id={ids['award']}",
    )
    assert record["released_only"] and record["units"]
    submissions = (await get(demo_client, demo_settings, Role.learner, "/v1/submissions"))["items"]
    evidence = await get(
        demo_client, demo_settings, Role.learner, f"/v1/submissions/{submissions[0]['id']}/evidence"
    )
    evidence = evidence["items"] if isinstance(evidence, dict) else evidence
    assert evidence


async def test_the_story_is_dated_through_one_academic_year(demo_settings, demo_client):
    """The clock was moved through the year: the award's first batch was verified and then released,
    in the autumn term of the year the demo tells (the audit log keeps the real time of recording,
    which is when the demo ran; its acts are all by the demo's people)."""
    from app.core import clock
    from app.demo.world import start_year

    ids = await demo_ids(demo_settings)
    year = start_year(clock.today())
    autumn = (dt.date(year, 9, 1), dt.date(year, 12, 31))
    decisions = await get(
        demo_client, demo_settings, Role.hoc, f"/v1/assessment-decisions?brief_id={ids['a1']}"
    )
    released = {d["released_at"][:10] for d in decisions["items"] if d["status"] == "released"}
    (day,) = released
    records = await get(demo_client, demo_settings, Role.hoc, f"/v1/assignment-briefs/{ids['a1']}/iv-records")
    verified = [
        r["current"]["recorded_at"][:10] for r in records if r["subject_kind"] == "assessment_decision"
    ]
    assert autumn[0].isoformat() <= max(verified) < day <= autumn[1].isoformat()
    engine = make_engine(demo_settings.database_url, role=APP_ROLE, pool_size=1)
    try:
        async with AsyncSession(engine) as s:
            actors = set(
                (
                    await s.scalars(select(AuditEvent.actor).where(AuditEvent.centre_id == DEMO_CENTRE_ID))
                ).all()
            )
    finally:
        await engine.dispose()
    assert actors and all(a == "system:demo" or a.startswith("demo-") for a in actors)


async def test_a_second_run_does_nothing(demo_settings):
    engine = make_engine(demo_settings.database_url, role=APP_ROLE, pool_size=1)

    async def events() -> int:
        async with AsyncSession(engine) as s:
            return await s.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.centre_id == DEMO_CENTRE_ID)
            )

    try:
        before = await events()
        assert await load_demo(demo_settings) is False
        assert await events() == before
    finally:
        await engine.dispose()


def test_the_command_says_so_and_prints_each_roles_token_and_screens(demo_settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_settings.database_url)
    monkeypatch.setenv("VERITY_DATA_DIR", str(demo_settings.data_dir))
    monkeypatch.setenv("VERITY_DATABASE_ROLE", APP_ROLE)
    monkeypatch.delenv("VERITY_AUTH_MODE", raising=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["demo", "--no-serve"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "demo centre already present" in result.output
    for role in Role:
        assert f"export {role.value.upper()}=" in result.output
    assert "/tracking-grid" in result.output and "/iv-remedial-actions" in result.output
