"""Schemathesis over every REST operation, with a valid token, against a real database: zero failures
of its default checks. Runs through TestClient(app) so the app's lifespan (its own engine) starts.

The operations are fuzzed in groups by path, one test file each (tests/api/test_schemathesis*.py), so
`--dist loadfile` spreads them over the workers; the last group, in test_schemathesis.py, is everything
no other group names, so a new endpoint is always fuzzed (test_every_operation_is_in_exactly_one_group)."""

from __future__ import annotations

import re
import typing
import uuid

import schemathesis
from hypothesis import HealthCheck, settings
from pydantic_core.core_schema import ErrorType
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import select

from app.auth.tokens import mint_development_token
from app.centres import service as centres
from app.centres.models import Centre
from app.centres.schemas import CentreCreate, Nation
from app.core.db import make_engine, make_sessionmaker
from tests.conftest import APP_ROLE, examples, system_actor

FUZZ_CENTRE = uuid.UUID("0190a1b2-0000-7000-8000-0000000000ff")


async def ensure_fuzz_centre(database_url: str) -> None:
    engine = make_engine(database_url, role=APP_ROLE, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            if await session.scalar(select(Centre.id).where(Centre.id == FUZZ_CENTRE)):
                return
            await centres.create_centre(
                session,
                system_actor(FUZZ_CENTRE),
                CentreCreate(centre_number="99999", name="Schemathesis centre", nation=Nation.scotland),
            )
    finally:
        await engine.dispose()


# Schemathesis waits 10 s for an answer by default; a loaded two-core CI machine was seen past it (a
# timeout, not a wrong answer). Correctness is what this checks; speed is measured in bench/.
SLOW_MACHINE_TIMEOUT = 120


def fuzzing_schema(api_client, roles: list[str]):
    """The app's published contract, with a token of `roles` in the fuzz centre."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", api_client.app)
    token = mint_development_token(
        api_client.app.state.settings, subject="fuzzer", centre_id=FUZZ_CENTRE, roles=roles
    )

    class Bearer:
        """Through schemathesis's auth mechanism, not extra headers: cases that deliberately drop the
        Authorization header (negative testing, ignored_auth) then really go without it."""

        def get(self, case, context):
            return token

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    schema.auth()(Bearer)
    return schema


# Each group: the first path segments after /v1/ it fuzzes. Balanced by measured time (one run at load
# 10: verification 241 s and everything else 222 s against 120 s each for the other two, before briefs
# moved to assessment and qualifications to programmes).
GROUPS: dict[str, tuple[str, ...]] = {
    "assessment": (
        "submissions",
        "assessment-decisions",
        "deadline-extensions",
        "exam-results",
        "assignment-briefs",
        "assessment-plan-entries",
        "brief-checklist",
    ),
    "verification": (
        "iv-dashboard",
        "iv-records",
        "iv-remedial-actions",
        "iv-samples",
        "liv-appointments",
        "standardisation-records",
        "cpd-records",
    ),
    "programmes": (
        "programmes",
        "enrolments",
        "learners",
        "prior-learning",
        "reasonable-adjustments",
        "special-considerations",
        "registration-escalations",
        "registration-issues",
        "sync",
        "class-list-imports",
        "qualifications",
    ),
    "standards": (
        "sv-samples",
        "sv-sample-items",
        "sv-allocations",
        "sv-policy",
        "sv-outcomes",
        "sv-grants",
        "sv-actions",
        "verifier",
        "ocr-moderations",
    ),
    "outcomes": (
        "appeals",
        "appeal-policy",
        "appeal-stages",
        "appeal-report",
        "malpractice-cases",
        "certification-claims",
        "certification-claim-deadlines",
        "certificates",
        "qmr-visits",
        "employers",
        "employer-involvement-plans",
        "employer-activities",
        "legal-holds",
        "subject-access-requests",
    ),
}


def group_regex(segments: tuple[str, ...]) -> str:
    return r"^/v1/(" + "|".join(re.escape(s) for s in segments) + r")(/|$)"


def fuzzed(group: str | None):
    """The lazily loaded schema of one group; None: every operation no group names."""
    lazy = schemathesis.pytest.from_fixture("api_schema")
    if group is not None:
        return lazy.include(path_regex=group_regex(GROUPS[group]))
    return lazy.exclude(path_regex=group_regex(tuple(s for g in GROUPS.values() for s in g)))


def conforms(case, api_client) -> None:
    case.call_and_validate(
        session=api_client,
        excluded_checks=[positive_data_acceptance],
        additional_checks=[valid_data_refused_only_by_a_domain_rule],
        timeout=SLOW_MACHINE_TIMEOUT,
    )


# The same for every group, no deadline (a loaded machine is not a bug). Examples per operation: 10 in
# every run of the suite (each run draws fresh ones), 50 under HYPOTHESIS_PROFILE=thorough (before a
# release, after a change to a contract). 25 in every run cost the suite some 200 s of its 10 minutes.
fuzz_settings = settings(
    max_examples=examples(ci=10, thorough=50), deadline=None, suppress_health_check=list(HealthCheck)
)


# Error codes that mean "the request does not fit the shape": Pydantic's, and the specification
# checker's JSON Schema codes. A schema-valid request refused with one of them is a contract bug.
SHAPE_CODES = frozenset(typing.get_args(ErrorType)) | {"value_error", "json_invalid"}


@schemathesis.check
def valid_data_refused_only_by_a_domain_rule(ctx, response, case):
    """Schemathesis's positive_data_acceptance, refined for a system of rules.

    A contract states shapes, not every rule: a date of birth in the future, a term overlapping another,
    a learner id that names nobody in the centre, an R-30 condition that fails — all fit the schema and
    must still be refused. So schema-valid data may be refused (422, or 412 for a stale If-Match) when,
    and only when, every listed error names a domain rule; a refusal for a shape reason (a Pydantic code,
    a JSON Schema code) means the published contract is wrong, and fails as the built-in check would.
    Everything else of the built-in check is kept: valid data must never get 400 or 428."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    status = response.status_code
    if 200 <= status < 400 or status in (401, 403, 404, 409, 429) or status >= 500:
        return None  # the built-in check's own allowances (5xx is not_a_server_error's to judge)
    if status == 412:
        return None
    codes = []
    if status == 422:
        codes = [e.get("code", "") for e in response.json().get("errors", [])]
        if codes and not any(c in SHAPE_CODES or c.startswith("schema_") for c in codes):
            return None
    raise AssertionError(
        f"Schema-valid request refused with {status} for a shape reason {codes}: "
        "the published contract does not say what the API accepts"
    )
