"""Relation fields are served by per-request DataLoaders (app/api/gql_relations.py): a nested query over
a cohort runs a fixed number of SQL statements whatever its size, and each batch applies the caller's
visibility (R-98): a learner reaches only themselves, staff only the programmes they work on."""

from __future__ import annotations

import datetime as dt

import pytest

from app.assessment import decisions, iv_gate, records, submissions
from app.assessment import repository as assessment_repo
from app.assessment import schemas as aschemas
from app.learners import repository as learners_repo
from app.programmes import repository as programmes_repo
from app.verification import draws
from app.verification import repository as verification_repo
from app.verification import schemas as vschemas
from tests.api.object_world import OTHER_ASSESSOR, two_programmes
from tests.assessment.fixtures import ASSESSOR, IV, as_staff, content, issued_brief, registered_learner
from tests.programmes.fixtures import gql, make_world, principal
from tests.statement_counting import own, statements_of

NESTED = """
query($brief: UUID!, $programme: UUID!) {
  assignmentBrief(id: $brief) {
    title
    decisions { nodes {
      id learnerId
      brief { id title }
      versions { number feedback unitGrades { unitNumber grade } }
      learner {
        id givenName familyName
        enrolments { id learnerId programmeId status }
        record(programmeId: $programme) { learnerId qualificationGrade units { unitNumber grade } }
      }
    } }
    ivRecords { nodes { id subjectKind outcome } }
  }
  latestIvSample(briefId: $brief) {
    items { decisionId learnerId decision { id learnerId learner { id givenName familyName } } }
  }
}"""

# Per level of the query, one batch: the brief, the sample (brief, latest sample, its items), then
# decisions, IV records (two: the brief's own verifications and its decisions'), the decisions' briefs,
# versions and learners (one each, the sample items' decisions sharing nothing with the brief's), the
# learners' enrolments and records (records: learners, their enrolments with programmes (R-14: the
# whole registration), briefs and decisions in one, submissions, resubmissions; no specification read
# once parsed, no exam read where no unit is externally assessed).
EXPECTED_STATEMENTS = 18


def lp(learner):
    return principal("learner", subject=learner.idp_subject)


async def _decided(session, world, brief, n: int, *, submit: bool = True):
    learners = []
    for i in range(n):
        learner = await registered_learner(session, world, n=i, family_name=f"Family{i:02d}")
        s = await submissions.create_submission(
            session, lp(learner), aschemas.SubmissionCreate(brief_id=brief.id)
        )
        await submissions.add_evidence_reference(
            session,
            lp(learner),
            s.id,
            aschemas.EvidenceReferenceCreate(kind="reference", description="Report", reference="p.1-12"),
        )
        await submissions.hand_in(
            session,
            lp(learner),
            s.id,
            aschemas.HandIn(
                declaration_signed=True, declaration_signed_on=dt.date(2025, 11, 10), ai_used=False
            ),
        )
        d = await decisions.record_decision(
            session, as_staff(*ASSESSOR), aschemas.DecisionCreate(submission_id=s.id, **content(brief))
        )
        if submit:
            await decisions.submit_for_iv(session, as_staff(*ASSESSOR), d.id)
        learners.append((learner, d))
    return learners


async def _count(session, client, headers, query: str, **variables):
    # Warm what a process reads once (the token's centre, app/auth/centres.py; the parsed
    # specifications): the pin is the query's own.
    assert "errors" not in await gql(client, headers, query, **variables)
    async with statements_of(session) as statements:
        body = await gql(client, headers, query, **variables)
    return body, own(statements)


@pytest.mark.parametrize("n", [3, 30])
async def test_a_nested_cohort_query_runs_a_fixed_number_of_statements(session, client, auth, centres, n):
    world = await make_world(session)
    brief = await issued_brief(session, world)
    cohort = await _decided(session, world, brief, n)
    await draws.draw_sample(session, as_staff(*IV), brief.id, vschemas.SampleCreate(), seed_source=lambda: 1)
    await session.commit()

    body, statements = await _count(
        session, client, auth("qn"), NESTED, brief=str(brief.id), programme=str(world.programme_id)
    )

    assert "errors" not in body, body
    assert len(statements) == EXPECTED_STATEMENTS, "\n".join(statements)
    names = {str(learner.id): (learner.given_name, learner.family_name) for learner, _ in cohort}
    by_decision = {str(d.id): str(learner.id) for learner, d in cohort}
    got = body["data"]["assignmentBrief"]
    assert len(got["decisions"]["nodes"]) == n
    for d in got["decisions"]["nodes"]:
        learner = d["learner"]
        assert learner["id"] == d["learnerId"] == by_decision[d["id"]]
        assert (learner["givenName"], learner["familyName"]) == names[learner["id"]]
        assert [(e["learnerId"], e["programmeId"], e["status"]) for e in learner["enrolments"]] == [
            (learner["id"], str(world.programme_id), "registered")
        ]
        assert learner["record"]["learnerId"] == learner["id"]
        assert d["brief"] == {"id": str(brief.id), "title": got["title"]}
        assert [v["number"] for v in d["versions"]] == [1]
    assert [r["subjectKind"] for r in got["ivRecords"]["nodes"]] == ["assignment_brief"]
    items = body["data"]["latestIvSample"]["items"]
    assert items
    for item in items:
        assert item["decision"]["id"] == item["decisionId"]
        assert item["decision"]["learner"]["id"] == item["learnerId"] == by_decision[item["decisionId"]]
        learner = item["decision"]["learner"]
        assert (learner["givenName"], learner["familyName"]) == names[learner["id"]]


async def test_r98_a_learner_reaches_no_other_learner_through_relations(
    session, client, auth, centres, monkeypatch
):
    async def complete(session, brief, decision_ids=None):
        return iv_gate.IvGate(True)

    monkeypatch.setattr(iv_gate, "iv_complete_for_brief", complete)
    world = await make_world(session)
    brief = await issued_brief(session, world)
    (me, mine), (them, theirs) = await _decided(session, world, brief, 2)
    for d in (mine, theirs):
        await decisions.release(session, as_staff(*ASSESSOR), d.id)
    await session.commit()

    body = await gql(
        client,
        auth("learner", subject=me.idp_subject),
        """query($brief: UUID!, $programme: UUID!, $me: UUID!) {
          assignmentBrief(id: $brief) {
            decisions { nodes { id learner { id enrolments { learnerId } record(programmeId: $programme) { learnerId } } } }
            ivRecords { nodes { id } }
          }
          learner(id: $me) { id enrolments { learnerId } }
        }""",
        brief=str(brief.id),
        programme=str(world.programme_id),
        me=str(me.id),
    )
    assert "errors" not in body, body
    got = body["data"]["assignmentBrief"]
    # Released decisions of the brief, both: the learner sees their own only.
    assert [d["id"] for d in got["decisions"]["nodes"]] == [str(mine.id)]
    (d,) = got["decisions"]["nodes"]
    assert d["learner"]["id"] == str(me.id)
    assert d["learner"]["enrolments"] == [{"learnerId": str(me.id)}]
    assert d["learner"]["record"] == {"learnerId": str(me.id)}
    assert got["ivRecords"]["nodes"] == []  # a learner reads no IV
    assert body["data"]["learner"]["enrolments"] == [{"learnerId": str(me.id)}]

    # The batch fetchers themselves, asked for the other learner's keys: nothing comes back.
    p = lp(me)
    assert [x and x.id for x in await learners_repo.learners_by_id(session, p, [me.id, them.id])] == [
        me.id,
        None,
    ]
    assert await programmes_repo.enrolments_by_learner(session, p, [them.id]) == [[]]
    assert await assessment_repo.decisions_by_id(session, p, [theirs.id]) == [None]
    assert await assessment_repo.versions_by_decision(session, p, [theirs.id, mine.id]) == [[], []]
    (own,) = await assessment_repo.decisions_by_brief(session, p, [brief.id])
    assert [row[0].id for row in own] == [mine.id]
    assert await records.learner_records(session, p, [(them.id, world.programme_id)]) == [None]
    assert (await records.learner_records(session, p, [(me.id, world.programme_id)]))[0].learner_id == me.id


async def test_r98_staff_reach_through_relations_only_the_programmes_they_work_on(
    session, centres, test_settings
):
    from app.assessment.storage import evidence_store

    mine, other = await two_programmes(
        session, await make_world(session), evidence_store(test_settings), test_settings
    )
    outsider = as_staff(*OTHER_ASSESSOR)  # assesses the other programme only
    hidden, seen = await assessment_repo.decisions_by_id(session, outsider, [mine.decision, other.decision])
    assert hidden is None and seen is not None and seen[0].id == other.decision
    assert await assessment_repo.decisions_by_brief(session, outsider, [mine.brief]) == [[]]
    assert await assessment_repo.versions_by_decision(session, outsider, [mine.decision]) == [[]]
    assert await records.learner_records(session, outsider, [(mine.learner, mine.programme)]) == [None]
    (ivs,) = await verification_repo.iv_records_by_brief(session, as_staff("iv2", "iv"), [mine.brief])
    assert ivs == ([], [])
    (own_ivs,) = await verification_repo.iv_records_by_brief(session, as_staff(*IV), [mine.brief])
    assert own_ivs[0] and own_ivs[1]


async def test_learner_records_batched_equal_each_learner_record(session, centres):
    world = await make_world(session)
    brief = await issued_brief(session, world)
    cohort = await _decided(session, world, brief, 3)
    other = await registered_learner(session, world, programme_id=world.other_programme_id, n=9)
    qn = principal("qn")
    keys = [(learner.id, world.programme_id) for learner, _ in cohort]
    keys += [(other.id, world.other_programme_id), (other.id, world.programme_id), keys[0]]
    batched = await records.learner_records(session, qn, keys)
    single = [
        await records.learner_record(session, qn, learner, programme) for learner, programme in keys[:4]
    ]
    assert batched[:4] == single
    assert batched[4] is None  # not enrolled there: learnerAssessmentRecord answers 404
    assert batched[5] == batched[0]


async def test_a_write_starts_the_loaders_afresh(session, client, auth, centres):
    """Loaders are per request and cache what they fetched: a mutation field after another's write
    must not be answered from the cache (Context.write clears the loaders)."""
    world = await make_world(session)
    brief = await issued_brief(session, world)
    ((_, d),) = await _decided(session, world, brief, 1, submit=False)
    await session.commit()
    criteria = [
        {"unitNumber": c["unit_number"], "code": c["code"], "achieved": False} for c in brief.criteria
    ]
    body = await gql(
        client,
        auth("assessor", subject="staff-assessor"),
        """mutation($id: UUID!, $version: Int!, $criteria: [CriterionJudgementInput!]!) {
          a: submitAssessmentDecisionForIv(id: $id) { version versions { number } }
          b: amendAssessmentDecision(id: $id, version: $version, input: {criteria: $criteria,
              feedback: "Not evidenced.", authenticityConfirmed: true, canImproveWithoutGuidance: true,
              assessedOn: "2025-11-21", reason: "Second look at the evidence."}) { versions { number } }
        }""",
        id=str(d.id),
        version=d.version + 1,
        criteria=criteria,
    )
    assert "errors" not in body, body
    assert body["data"]["a"]["versions"] == [{"number": 1}]
    assert body["data"]["b"]["versions"] == [{"number": 1}, {"number": 2}]
