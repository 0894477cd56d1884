"""The declared authorization table: who may call each REST operation and GraphQL root field.

It is written out by hand, on purpose, from DOMAIN.md's roles — not derived from app/auth/scopes.py —
so that a change to the role → scope map that alters who can do what shows up as a failing test.
Every operation the app serves must appear here (test_role_table.py fails on a missing one).
"""
from __future__ import annotations

PUBLIC = "public"
ALL = frozenset({"hoc", "qn", "liv", "iv", "assessor", "exams_officer", "programme_leader", "learner",
                 "standards_verifier"})
STAFF = frozenset({"hoc", "qn", "liv", "iv", "assessor", "exams_officer", "programme_leader"})
CENTRE_READERS = STAFF | {"standards_verifier"}
HOC = frozenset({"hoc"})
LEARNER_WRITERS = frozenset({"hoc", "exams_officer", "programme_leader"})
LEARNER_READERS = STAFF | {"learner"}
AUDITORS = frozenset({"hoc", "qn"})
CATALOGUE_MANAGERS = frozenset({"hoc", "qn", "exams_officer"})
MIS_INTEGRATORS = frozenset({"hoc", "exams_officer"})

REST = {
    "getHealth": PUBLIC, "getReadiness": PUBLIC, "getMe": ALL,
    "listCentres": CENTRE_READERS, "getCentre": CENTRE_READERS, "updateCentre": HOC,
    "listSites": CENTRE_READERS, "getSite": CENTRE_READERS, "createSite": HOC, "updateSite": HOC,
    "listStaff": STAFF, "getStaffMember": STAFF, "createStaffMember": HOC, "updateStaffMember": HOC,
    "listLearners": LEARNER_READERS, "getLearner": LEARNER_READERS,
    "createLearner": LEARNER_WRITERS, "updateLearner": LEARNER_WRITERS,
    "listAuditEvents": AUDITORS, "verifyAuditChain": AUDITORS,
    "listQualifications": STAFF, "getQualification": STAFF, "predictQualificationGrade": STAFF,
    "importQualification": CATALOGUE_MANAGERS,
    "listWebhookEventTypes": MIS_INTEGRATORS, "listWebhookEndpoints": MIS_INTEGRATORS,
    "createWebhookEndpoint": MIS_INTEGRATORS, "getWebhookEndpoint": MIS_INTEGRATORS,
    "updateWebhookEndpoint": MIS_INTEGRATORS, "rotateWebhookEndpointSecret": MIS_INTEGRATORS,
    "pingWebhookEndpoint": MIS_INTEGRATORS, "listWebhookDeliveries": MIS_INTEGRATORS,
    "getWebhookDelivery": MIS_INTEGRATORS, "redeliverWebhookDelivery": MIS_INTEGRATORS,
}

GRAPHQL = {
    "Query.me": ALL,
    "Query.centre": CENTRE_READERS, "Query.sites": CENTRE_READERS, "Query.site": CENTRE_READERS,
    "Query.staff": STAFF, "Query.staffMember": STAFF,
    "Query.learners": LEARNER_READERS, "Query.learner": LEARNER_READERS,
    "Query.auditEvents": AUDITORS, "Query.auditVerification": AUDITORS,
    "Query.qualifications": STAFF, "Query.qualification": STAFF, "Query.predictQualificationGrade": STAFF,
    "Query.webhookEventTypes": MIS_INTEGRATORS, "Query.webhookEndpoints": MIS_INTEGRATORS,
    "Query.webhookEndpoint": MIS_INTEGRATORS, "Query.webhookDeliveries": MIS_INTEGRATORS,
    "Query.webhookDelivery": MIS_INTEGRATORS,
    "Mutation.createWebhookEndpoint": MIS_INTEGRATORS, "Mutation.updateWebhookEndpoint": MIS_INTEGRATORS,
    "Mutation.rotateWebhookEndpointSecret": MIS_INTEGRATORS, "Mutation.pingWebhookEndpoint": MIS_INTEGRATORS,
    "Mutation.redeliverWebhookDelivery": MIS_INTEGRATORS,
    "Mutation.updateCentre": HOC, "Mutation.createSite": HOC, "Mutation.updateSite": HOC,
    "Mutation.createStaffMember": HOC, "Mutation.updateStaffMember": HOC,
    "Mutation.createLearner": LEARNER_WRITERS, "Mutation.updateLearner": LEARNER_WRITERS,
}
