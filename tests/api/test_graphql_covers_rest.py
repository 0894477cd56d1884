"""Issue 11: every resource readable over REST is readable over GraphQL, with the same filters.

The app's GET routes (from `app.routes`, included routers walked) are each mapped by hand to the Query
field that serves them. A new GET route without a mapping, a mapping to a field the schema lacks, or a
REST query filter the field does not take, fails here. Object visibility of each field is walked in
tests/api/test_object_table.py (GRAPHQL_OBJECT_READS), its role table in tests/api/test_role_table.py.
"""

from __future__ import annotations

from fastapi.routing import iter_route_contexts

# REST path -> the Query field that reads the same resource.
REST_GET_TO_QUERY = {
    "/v1/learners/{learner_id}/registrations/{qualification_id}/certification-eligibility": (
        "certificationEligibility"
    ),
    "/v1/certification-claims": "certificationClaims",
    "/v1/certification-claims/{claim_id}": "certificationClaim",
    "/v1/certification-claim-deadlines": "certificationClaimDeadlines",
    "/v1/certification-claims/{claim_id}/export": "certificationClaimExport",
    "/v1/certification-claims/{claim_id}/export.csv": "certificationClaimCsv",
    "/v1/certificates": "certificates",
    "/v1/certificates/{certificate_id}": "certificate",
    "/v1/qmr-visits": "qmrVisits",
    "/v1/qmr-visits/{visit_id}": "qmrVisit",
    "/v1/employers": "employers",
    "/v1/employers/{employer_id}": "employer",
    "/v1/employer-involvement-plans": "employerInvolvementPlans",
    "/v1/employer-involvement-plans/{plan_id}": "employerInvolvementPlan",
    "/v1/employer-involvement-plans/{plan_id}/report": "employerInvolvementReport",
    "/v1/employer-activities": "employerActivities",
    "/v1/employer-activities/{activity_id}": "employerActivity",
    "/v1/me": "me",
    "/v1/centres": "centres",
    "/v1/centres/{centre_id}": "centre",
    "/v1/sites": "sites",
    "/v1/sites/{site_id}": "site",
    "/v1/staff": "staff",
    "/v1/staff/{staff_id}": "staffMember",
    "/v1/academic-years": "academicYears",
    "/v1/academic-years/{academic_year_id}": "academicYear",
    "/v1/closures": "closures",
    "/v1/working-days": "workingDays",
    "/v1/learners": "learners",
    "/v1/learners/{learner_id}": "learner",
    "/v1/qualifications": "qualifications",
    "/v1/qualifications/{qualification_id}": "qualification",
    "/v1/programmes": "programmes",
    "/v1/programmes/{programme_id}": "programme",
    "/v1/enrolments": "enrolments",
    "/v1/enrolments/{enrolment_id}": "enrolment",
    "/v1/registration-issues": "registrationIssues",
    "/v1/registration-escalations": "registrationEscalations",
    "/v1/registration-escalations/{escalation_id}": "registrationEscalation",
    "/v1/prior-learning": "priorLearning",
    "/v1/prior-learning/{prior_learning_id}": "priorLearningRecord",
    "/v1/reasonable-adjustments": "reasonableAdjustments",
    "/v1/reasonable-adjustments/{reasonable_adjustment_id}": "reasonableAdjustment",
    "/v1/special-considerations": "specialConsiderations",
    "/v1/special-considerations/{special_consideration_id}": "specialConsideration",
    "/v1/programmes/{programme_id}/assessment-plan": "assessmentPlan",
    "/v1/brief-checklist": "briefChecklist",
    "/v1/assignment-briefs": "assignmentBriefs",
    "/v1/assignment-briefs/{brief_id}": "assignmentBrief",
    "/v1/assignment-briefs/{brief_id}/verifications": "assignmentBriefVerifications",
    "/v1/submissions": "submissions",
    "/v1/submissions/{submission_id}": "submission",
    "/v1/submissions/{submission_id}/evidence": "submissionEvidence",
    "/v1/assessment-decisions": "assessmentDecisions",
    "/v1/assessment-decisions/{decision_id}": "assessmentDecision",
    "/v1/assessment-decisions/{decision_id}/versions": "assessmentDecisionVersions",
    "/v1/assessment-decisions/{decision_id}/resubmissions": "resubmissions",
    "/v1/learners/{learner_id}/assessment-record": "learnerAssessmentRecord",
    "/v1/learners/{learner_id}/registrations/{qualification_id}/record": "learnerRegistrationRecord",
    "/v1/programmes/{programme_id}/tracking-grid": "cohortTrackingGrid",
    "/v1/assignment-briefs/{brief_id}/iv-samples/latest": "latestIvSample",
    "/v1/assignment-briefs/{brief_id}/iv-samples": "ivSamples",
    "/v1/iv-samples/{sample_id}": "ivSample",
    "/v1/assignment-briefs/{brief_id}/iv-status": "briefIvStatus",
    "/v1/assignment-briefs/{brief_id}/iv-records": "briefIvRecords",
    "/v1/iv-records/{record_id}": "ivRecord",
    "/v1/iv-records/{record_id}/versions": "ivRecordVersions",
    "/v1/iv-records/{record_id}/arbitrations": "ivArbitrations",
    "/v1/academic-years/{academic_year_id}/liv-gaps": "livGaps",
    "/v1/iv-remedial-actions": "ivRemedialActions",
    "/v1/programmes/{programme_id}/iv-coverage": "ivCoverage",
    "/v1/iv-dashboard": "livDashboard",
    "/v1/liv-appointments": "livAppointments",
    "/v1/liv-appointments/{appointment_id}/annual-records": "livAnnualRecords",
    "/v1/standardisation-records": "standardisationRecords",
    "/v1/standardisation-records/{record_id}": "standardisationRecord",
    "/v1/programmes/{programme_id}/standardisation-gaps": "standardisationGaps",
    "/v1/programmes/{programme_id}/staff-competence": "programmeStaffCompetence",
    "/v1/cpd-records": "cpdRecords",
    "/v1/cpd-records/{record_id}": "cpdRecord",
    "/v1/staff/{staff_id}/competence": "staffCompetence",
    "/v1/programmes/{programme_id}/iv-schedule": "ivSchedule",
    "/v1/webhook-event-types": "webhookEventTypes",
    "/v1/webhook-endpoints": "webhookEndpoints",
    "/v1/webhook-endpoints/{endpoint_id}": "webhookEndpoint",
    "/v1/webhook-endpoints/{endpoint_id}/deliveries": "webhookDeliveries",
    "/v1/webhook-deliveries/{delivery_id}": "webhookDelivery",
    "/v1/audit-events": "auditEvents",
    "/v1/audit/verification": "auditVerification",
    "/v1/assessment-plan-entries/{entry_id}": "planEntry",
    "/v1/deadline-extensions": "deadlineExtensions",
    "/v1/exam-results": "examResults",
    "/v1/programmes/{programme_id}/iv-plan": "ivPlan",
    "/v1/malpractice-cases": "malpracticeCases",
    "/v1/malpractice-cases/{case_id}": "malpracticeCase",
    "/v1/centres/{centre_id}/malpractice-policy": "malpracticePolicy",
    "/v1/sv-policy": "svPolicy",
    "/v1/sv-allocations": "svAllocations",
    "/v1/sv-allocations/{allocation_id}": "svAllocation",
    "/v1/sv-samples": "svSamples",
    "/v1/sv-samples/{sample_id}": "svSample",
    "/v1/sv-samples/{sample_id}/items": "svSampleItems",
    "/v1/sv-sample-items/{item_id}": "svSampleItem",
    "/v1/sv-samples/{sample_id}/grants": "svGrants",
    "/v1/sv-samples/{sample_id}/access-log": "svAccessLog",
    "/v1/sv-outcomes": "svOutcomes",
    "/v1/sv-outcomes/{outcome_id}": "svOutcome",
    "/v1/programmes/{programme_id}/sv-status": "svCertificationStatus",
    "/v1/ocr-moderations": "ocrModerations",
    "/v1/ocr-moderations/{visit_id}": "ocrModeration",
    "/v1/verifier/samples": "verifierSamples",
    "/v1/verifier/samples/{sample_id}": "verifierSample",
    "/v1/verifier/samples/{sample_id}/items": "verifierSampleItems",
    "/v1/verifier/items/{item_id}": "verifierSampleItem",
    "/v1/subject-access-requests": "subjectAccessRequests",
    "/v1/legal-holds": "legalHolds",
    "/v1/me/record": "ownRecord",
    "/v1/appeals": "appeals",
    "/v1/appeals/{appeal_id}": "appeal",
    "/v1/appeal-stages/overdue": "overdueAppealStages",
    "/v1/appeal-report": "appealReport",
    "/v1/appeal-policy": "appealPolicy",
}

# GET routes that are infrastructure, not a resource of a centre: nothing to read over GraphQL.
INFRA = {
    "/health": "liveness probe for the orchestrator, no data",
    "/ready": "readiness probe (database reachable, schema at head), no data",
    "/metrics": "Prometheus scrape endpoint, operational counters only",
    "/openapi.json": "the REST contract itself (GraphQL has its own schema)",
    "/docs": "Swagger UI page",
    "/docs/oauth2-redirect": "Swagger UI's OAuth2 redirect page",
    "/redoc": "ReDoc page",
    "/problems": "public documentation of the problem types (RFC 9457 `type` URIs)",
    "/problems/{slug}": "public documentation of one problem type",
    "/graphql": "GraphQL over GET (GraphiQL and queries): GraphQL itself",
    "/v1/submissions/{submission_id}/evidence/{item_id}/content": "an evidence file's bytes, streamed: "
    "GraphQL carries the item (submissionEvidence), the bytes stay REST as uploads do",
    "/v1/malpractice-cases/{case_id}/report.pdf": "the JCQ report's PDF bytes: GraphQL carries the case "
    "(malpracticeCase) it is rendered from",
    "/v1/verifier/items/{item_id}/evidence/{evidence_id}/content": "an evidence file's bytes for a verifier, "
    "streamed: GraphQL carries the item's evidence list (verifierSampleItem)",
    "/v1/sv-samples/{sample_id}/pack": "the sample pack, a zip of what svSample/svSampleItem carry",
}

# REST query parameters that are REST paging, answered by Relay `first`/`after` in GraphQL.
PAGING = {"limit", "cursor"}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def rest_get_routes(app) -> dict[str, object]:
    routes = {}
    for route in iter_route_contexts(app.routes):
        if "GET" in (getattr(route, "methods", None) or ()):
            routes[route.path] = route
    return routes


def test_every_rest_get_is_served_by_a_graphql_query_field(app):
    routes = rest_get_routes(app)
    fields = app.state.graphql_schema._schema.query_type.fields
    unmapped = sorted(set(routes) - REST_GET_TO_QUERY.keys() - INFRA.keys())
    assert unmapped == [], f"GET routes with no GraphQL Query field in the map: {unmapped}"
    stale = sorted((REST_GET_TO_QUERY.keys() | INFRA.keys()) - set(routes))
    assert stale == [], f"the map names routes the app does not serve: {stale}"
    missing = sorted(f"{path} -> {f}" for path, f in REST_GET_TO_QUERY.items() if f not in fields)
    assert missing == [], f"mapped Query fields the schema lacks: {missing}"
    assert all(reason.strip() for reason in INFRA.values())
    assert not REST_GET_TO_QUERY.keys() & INFRA.keys()


def test_every_rest_filter_is_an_argument_of_its_graphql_field(app):
    fields = app.state.graphql_schema._schema.query_type.fields
    paths = app.openapi()["paths"]
    gaps = []
    for path, name in REST_GET_TO_QUERY.items():
        params = [p for p in paths[path]["get"].get("parameters", []) if p["in"] == "query"]
        args = set(fields[name].args)
        for param in params:
            if param["name"] not in PAGING and _camel(param["name"]) not in args:
                gaps.append(f"{path}?{param['name']} -> {name}({_camel(param['name'])})")
        if {"limit", "cursor"} <= {p["name"] for p in params} and not {"first", "after"} <= args:
            gaps.append(f"{path} pages: {name} takes no first/after")
    assert gaps == [], f"REST filters the GraphQL field does not take: {gaps}"
