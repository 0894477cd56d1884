"""The declared authorization table: who may call each REST operation and GraphQL root field.

It is written out by hand, on purpose, from DOMAIN.md's roles — not derived from app/auth/scopes.py —
so that a change to the role → scope map that alters who can do what shows up as a failing test.
Every operation the app serves must appear here (test_role_table.py fails on a missing one).
"""

from __future__ import annotations

PUBLIC = "public"
ALL = frozenset(
    {
        "hoc",
        "qn",
        "liv",
        "iv",
        "assessor",
        "exams_officer",
        "programme_leader",
        "learner",
        "standards_verifier",
    }
)
STAFF = frozenset({"hoc", "qn", "liv", "iv", "assessor", "exams_officer", "programme_leader"})
# The standards verifier reads nothing yet: its sample API comes later, not the centre's sites,
# calendar or working days.
CENTRE_READERS = STAFF
HOC = frozenset({"hoc"})
LEARNER_WRITERS = frozenset({"hoc", "exams_officer", "programme_leader"})
LEARNER_READERS = STAFF | {"learner"}
AUDITORS = frozenset({"hoc", "qn"})
CATALOGUE_MANAGERS = frozenset({"hoc", "qn", "exams_officer"})
MIS_INTEGRATORS = frozenset({"hoc", "exams_officer"})
STAFF_AND_LEARNER = STAFF | {"learner"}
BRIEF_WRITERS = frozenset({"liv", "assessor", "programme_leader"})
BRIEF_VERIFIERS = frozenset({"liv", "iv"})
EXTENSION_APPROVERS = frozenset({"hoc", "liv", "assessor", "programme_leader"})
SUBMITTERS = frozenset({"assessor", "learner"})
ASSESSORS = frozenset({"assessor"})
RESUBMISSION_AUTHORISERS = frozenset({"liv", "assessor"})  # the service applies the qualification's policy
EXAMS = frozenset({"exams_officer"})
CALENDAR_MANAGERS = frozenset({"hoc", "exams_officer"})
PROGRAMME_WRITERS = frozenset({"hoc", "exams_officer", "programme_leader"})
# Creating a programme names its leader and LIV; updating it is open to each role for the fields the
# service's per-field policy gives it (tests/programmes/test_access.py walks that policy).
PROGRAMME_CREATORS = frozenset({"hoc", "qn"})
PROGRAMME_EDITORS = frozenset({"hoc", "qn", "liv", "exams_officer", "programme_leader"})
# adjustments are read by those who arrange them and those who apply them (and the learner).
ADJUSTMENT_READERS = frozenset(
    {"hoc", "exams_officer", "programme_leader", "liv", "iv", "assessor", "learner"}
)
# special consideration by those who apply for it and the HoC who decides it (and the learner).
SPECIAL_CONSIDERATION_READERS = frozenset({"hoc", "exams_officer", "programme_leader", "learner"})
REGISTRARS = frozenset({"hoc", "exams_officer"})
MONITORS = frozenset({"hoc", "qn"})
OWN_RECORDS = STAFF | {"learner"}
IV_READERS = frozenset({"hoc", "qn", "liv", "iv", "assessor", "programme_leader"})
IV_WRITERS = frozenset({"liv", "iv"})
IV_PLANNERS = frozenset({"liv"})
LIV_MANAGERS = frozenset({"hoc", "qn"})
RELEASERS = frozenset({"liv", "assessor"})
QN = frozenset({"qn"})
# standardisation is read like IV and recorded by the programme's LIV; every member of staff
# keeps their own CPD (the HoC, QN and LIV everyone's); the HoC, QN and LIV record expertise.
STANDARDISATION_READERS = IV_READERS
STANDARDISERS = frozenset({"liv"})
COMPETENCE_MANAGERS = frozenset({"hoc", "qn", "liv"})
# R-70..R-74: every role asks for cases (the service answers 404 but for the HoC, QN, investigators and
# the person concerned); the HoC and QN run cases, the HoC alone reports and sanctions.
MALPRACTICE_MANAGERS = frozenset({"hoc", "qn"})
# R-50..R-52: the QN answers the verifier; the HoC oversees; the LIV and PL follow their programmes'
# visits; the LIV (and the QN) adjust the sample, the LIV declares authenticity; the verifier reads only
# its granted sample, through its own API, and nothing else.
SV_READERS = frozenset({"hoc", "qn", "liv", "programme_leader"})
SV_MANAGERS = frozenset({"qn"})
SV_PREPARERS = frozenset({"qn", "liv"})
VERIFIER = frozenset({"standards_verifier"})
# R-90..R-94: certification is read by those who take part in a claim's checks and the HoC/QN; the exams
# officer opens, prepares and submits claims and records certificates; the LIV confirms the records, the
# PL checks, a second person (HoC, QN or another exams officer; never the preparer) checks again.
CERTIFICATION_READERS = frozenset({"hoc", "qn", "liv", "exams_officer", "programme_leader"})
CLAIM_WRITERS = frozenset({"exams_officer"})
RECORD_CONFIRMERS = frozenset({"liv"})
LEADER_CHECKERS = frozenset({"programme_leader"})
SECOND_CHECKERS = frozenset({"hoc", "qn", "exams_officer"})
QMR_MANAGERS = frozenset({"hoc", "qn"})
# every member of staff reads employer involvement; the HoC and programme leaders record it.
INVOLVEMENT_WRITERS = frozenset({"hoc", "programme_leader"})
# R-60..R-63: appeals are read and judged by staff the service admits on each appeal (not the exams
# officer), lodged by the learner or the HoC, QN or LIV on their behalf; stage 4 and the policy the HoC's.
APPEAL_READERS = frozenset({"hoc", "qn", "liv", "iv", "assessor", "programme_leader", "learner"})
APPEAL_JUDGES = APPEAL_READERS - {"learner"}
APPEAL_LODGERS = frozenset({"hoc", "qn", "liv", "learner"})
APPEAL_MONITORS = frozenset({"hoc", "qn", "liv"})

REST = {
    "getHealth": PUBLIC,
    "getReadiness": PUBLIC,
    "listProblemTypes": PUBLIC,
    "getProblemType": PUBLIC,
    "getMe": ALL,
    "listCentres": CENTRE_READERS,
    "getCentre": CENTRE_READERS,
    "updateCentre": HOC,
    "listSites": CENTRE_READERS,
    "getSite": CENTRE_READERS,
    "createSite": HOC,
    "updateSite": HOC,
    "listStaff": STAFF,
    "getStaffMember": STAFF,
    "createStaffMember": HOC,
    "updateStaffMember": HOC,
    "listLearners": LEARNER_READERS,
    "getLearner": LEARNER_READERS,
    "createLearner": LEARNER_WRITERS,
    "updateLearner": LEARNER_WRITERS,
    "listAuditEvents": AUDITORS,
    "verifyAuditChain": AUDITORS,
    "listQualifications": STAFF,
    "getQualification": STAFF,
    "predictQualificationGrade": STAFF,
    "importQualification": CATALOGUE_MANAGERS,
    "listWebhookEventTypes": MIS_INTEGRATORS,
    "listWebhookEndpoints": MIS_INTEGRATORS,
    "createWebhookEndpoint": MIS_INTEGRATORS,
    "getWebhookEndpoint": MIS_INTEGRATORS,
    "updateWebhookEndpoint": MIS_INTEGRATORS,
    "rotateWebhookEndpointSecret": MIS_INTEGRATORS,
    "pingWebhookEndpoint": MIS_INTEGRATORS,
    "listWebhookDeliveries": MIS_INTEGRATORS,
    "getWebhookDelivery": MIS_INTEGRATORS,
    "redeliverWebhookDelivery": MIS_INTEGRATORS,
    # assignments and assessment (issue 5)
    "getAssessmentPlan": STAFF,
    "getBriefChecklist": STAFF,
    "listAssignmentBriefVerifications": STAFF,
    "listAssessmentDecisionVersions": STAFF,
    "getCohortTrackingGrid": STAFF,
    "listAssignmentBriefs": STAFF_AND_LEARNER,
    "getAssignmentBrief": STAFF_AND_LEARNER,
    "listSubmissions": STAFF_AND_LEARNER,
    "getSubmission": STAFF_AND_LEARNER,
    "listEvidence": STAFF_AND_LEARNER,
    "downloadEvidenceFile": STAFF_AND_LEARNER,
    "listDeadlineExtensions": STAFF_AND_LEARNER,
    "listExamResults": STAFF_AND_LEARNER,
    "getAssessmentPlanEntry": STAFF,
    "listAssessmentDecisions": STAFF_AND_LEARNER,
    "getAssessmentDecision": STAFF_AND_LEARNER,
    "listResubmissions": STAFF_AND_LEARNER,
    "getLearnerAssessmentRecord": STAFF_AND_LEARNER,
    "getLearnerRegistrationRecord": STAFF_AND_LEARNER,
    "createAssessmentPlanEntry": BRIEF_WRITERS,
    "updateAssessmentPlanEntry": BRIEF_WRITERS,
    "createAssignmentBrief": BRIEF_WRITERS,
    "updateAssignmentBrief": BRIEF_WRITERS,
    "submitAssignmentBriefForIv": BRIEF_WRITERS,
    "issueAssignmentBrief": BRIEF_WRITERS,
    "reuseAssignmentBrief": BRIEF_WRITERS,
    "signOffAssessmentPlan": IV_PLANNERS,
    "closeAssignmentBrief": BRIEF_WRITERS,
    "verifyAssignmentBrief": BRIEF_VERIFIERS,
    "returnAssignmentBrief": BRIEF_VERIFIERS,
    "createDeadlineExtension": EXTENSION_APPROVERS,
    "createSubmission": SUBMITTERS,
    "addEvidenceReference": SUBMITTERS,
    "uploadEvidenceFile": SUBMITTERS,
    "removeEvidence": SUBMITTERS,
    "handInSubmission": SUBMITTERS,
    "recordAssessmentDecision": ASSESSORS,
    "amendAssessmentDecision": ASSESSORS,
    "submitAssessmentDecisionForIv": ASSESSORS,
    "releaseAssessmentDecision": ASSESSORS,
    "authoriseResubmission": RESUBMISSION_AUTHORISERS,
    "recordExamResult": EXAMS,
    # calendar, programmes, registration, sync (issue 4)
    "listAcademicYears": CENTRE_READERS,
    "getAcademicYear": CENTRE_READERS,
    "listClosures": CENTRE_READERS,
    "addWorkingDays": CENTRE_READERS,
    "createAcademicYear": CALENDAR_MANAGERS,
    "updateAcademicYear": CALENDAR_MANAGERS,
    "createClosure": CALENDAR_MANAGERS,
    "deleteClosure": CALENDAR_MANAGERS,
    "listProgrammes": STAFF,
    "getProgramme": STAFF,
    "createProgramme": PROGRAMME_CREATORS,
    "updateProgramme": PROGRAMME_EDITORS,
    "listEnrolments": OWN_RECORDS,
    "getEnrolment": OWN_RECORDS,
    "createEnrolment": PROGRAMME_WRITERS,
    "registerEnrolment": REGISTRARS,
    "transferEnrolment": REGISTRARS,
    "withdrawEnrolment": REGISTRARS,
    "completeEnrolment": REGISTRARS,
    "listRegistrationIssues": MONITORS,
    "listRegistrationEscalations": MONITORS,
    "getRegistrationEscalation": MONITORS,
    "escalateRegistration": QN,
    "recordRegistrationEscalationOutcome": HOC,
    "assessPriorLearning": ASSESSORS,
    "rejectPriorLearning": ASSESSORS,
    "listPriorLearning": OWN_RECORDS,
    "getPriorLearning": OWN_RECORDS,
    "recordPriorLearning": PROGRAMME_WRITERS,
    "listReasonableAdjustments": ADJUSTMENT_READERS,
    "getReasonableAdjustment": ADJUSTMENT_READERS,
    "recordReasonableAdjustment": PROGRAMME_WRITERS,
    "listSpecialConsiderations": SPECIAL_CONSIDERATION_READERS,
    "getSpecialConsideration": SPECIAL_CONSIDERATION_READERS,
    "applyForSpecialConsideration": PROGRAMME_WRITERS,
    "decideSpecialConsideration": HOC,
    "syncMis": REGISTRARS,
    "importLearnersCsv": PROGRAMME_WRITERS,
    # internal verification (issue 6)
    "getLatestIvSample": IV_READERS,
    "listBriefIvSamples": IV_READERS,
    "getIvSample": IV_READERS,
    "getBriefIvStatus": IV_READERS,
    "listBriefIvRecords": IV_READERS,
    "getIvRecord": IV_READERS,
    "listIvRecordVersions": IV_READERS,
    "listIvRemedialActions": IV_READERS,
    "getIvCoverage": IV_READERS,
    "getLivDashboard": IV_READERS,
    "listLivAppointments": IV_READERS,
    "listLivAnnualRecords": IV_READERS,
    "getIvSchedule": IV_READERS,
    "getIvPlan": IV_READERS,
    "drawIvSample": IV_WRITERS,
    "createIvRecord": IV_WRITERS,
    "amendIvRecord": IV_WRITERS,
    "closeIvRemedialAction": IV_WRITERS,
    # issue 12: the LIV's arbitration (the service admits only the programme's LIV), the LIV-gaps report
    "arbitrateIvDisagreement": IV_WRITERS,
    "listIvArbitrations": IV_READERS,
    "listLivGaps": IV_READERS,
    "releaseBriefDecisions": RELEASERS,
    "appointLiv": LIV_MANAGERS,
    "createLivAnnualRecord": LIV_MANAGERS,
    "putIvPlan": IV_PLANNERS,
    "assignIvScheduleEntry": IV_PLANNERS,
    "signOffIvPlan": IV_PLANNERS,
    # the record over time (issue 17): the QN answers for subject access and holds
    "produceSubjectAccess": QN,
    "listSubjectAccessRequests": QN,
    "correctLearnerIdentity": QN,
    "setLegalHold": QN,
    "releaseLegalHold": QN,
    "listLegalHolds": QN,
    "getOwnRecord": frozenset({"learner"}),
    # standardisation and staff competence (issue 12)
    "recordStandardisation": STANDARDISERS,
    "listStandardisationRecords": STANDARDISATION_READERS,
    "getStandardisationRecord": STANDARDISATION_READERS,
    "getStandardisationGaps": STANDARDISATION_READERS,
    "getProgrammeStaffCompetence": STANDARDISATION_READERS,
    "recordCpd": STAFF,
    "listCpdRecords": STAFF,
    "getCpdRecord": STAFF,
    "getStaffCompetence": STAFF,
    "putStaffCompetence": COMPETENCE_MANAGERS,
    "raiseAuthenticityConcern": ASSESSORS,
    "createMalpracticeCase": MALPRACTICE_MANAGERS,
    "listMalpracticeCases": STAFF_AND_LEARNER,
    "getMalpracticeCase": STAFF_AND_LEARNER,
    "openMalpracticeCase": MALPRACTICE_MANAGERS,
    "linkMalpracticeCase": STAFF,
    "recordMalpracticeStage": STAFF,
    "recordMalpracticeReport": HOC,
    "renderMalpracticeReport": HOC,
    "recordMalpracticeSanction": HOC,
    "closeMalpracticeCase": MALPRACTICE_MANAGERS,
    "getMalpracticePolicy": MALPRACTICE_MANAGERS,
    "putMalpracticePolicy": HOC,
    # standards verification (issue 13)
    "getSvPolicy": SV_READERS,
    "putSvPolicy": SV_MANAGERS,
    "createSvAllocation": SV_MANAGERS,
    "listSvAllocations": SV_READERS,
    "getSvAllocation": SV_READERS,
    "requestSvSample": SV_MANAGERS,
    "listSvSamples": SV_READERS,
    "getSvSample": SV_READERS,
    "requestMoreSvSample": SV_MANAGERS,
    "listSvSampleItems": SV_READERS,
    "addSvSampleItem": SV_PREPARERS,
    "getSvSampleItem": SV_READERS,
    "removeSvSampleItem": SV_PREPARERS,
    "declareSvSampleItemAuthentic": SV_PREPARERS,
    "submitSvSample": SV_MANAGERS,
    "downloadSvSamplePack": SV_MANAGERS,
    "grantSvAccess": SV_MANAGERS,
    "listSvGrants": SV_MANAGERS,
    "revokeSvGrant": SV_MANAGERS,
    "listSvAccessLog": SV_MANAGERS,
    "recordSvOutcome": SV_MANAGERS,
    "listSvOutcomes": SV_READERS,
    "getSvOutcome": SV_READERS,
    "closeSvAction": SV_MANAGERS,
    "getSvCertificationStatus": SV_READERS,
    "recordOcrModeration": SV_MANAGERS,
    "listOcrModerations": SV_READERS,
    "getOcrModeration": SV_READERS,
    "verifierListSamples": VERIFIER,
    "verifierGetSample": VERIFIER,
    "verifierListSampleItems": VERIFIER,
    "verifierGetSampleItem": VERIFIER,
    "verifierDownloadEvidence": VERIFIER,
    # certification (issue 16)
    "getCertificationEligibility": CERTIFICATION_READERS,
    "createCertificationClaim": CLAIM_WRITERS,
    "listCertificationClaims": CERTIFICATION_READERS,
    "listCertificationClaimDeadlines": CERTIFICATION_READERS,
    "getCertificationClaim": CERTIFICATION_READERS,
    "addCertificationClaimLearners": CLAIM_WRITERS,
    "confirmCertificationClaimRecords": RECORD_CONFIRMERS,
    "checkCertificationClaimAsLeader": LEADER_CHECKERS,
    "prepareCertificationClaim": CLAIM_WRITERS,
    "secondCheckCertificationClaim": SECOND_CHECKERS,
    "submitCertificationClaim": CLAIM_WRITERS,
    "exportCertificationClaim": CERTIFICATION_READERS,
    "exportCertificationClaimCsv": CERTIFICATION_READERS,
    "recordCertificate": CLAIM_WRITERS,
    "listCertificates": CERTIFICATION_READERS,
    "getCertificate": CERTIFICATION_READERS,
    "checkCertificate": CLAIM_WRITERS,
    "resolveCertificate": CLAIM_WRITERS,
    "recordQmrVisit": QMR_MANAGERS,
    "listQmrVisits": CERTIFICATION_READERS,
    "getQmrVisit": CERTIFICATION_READERS,
    "acceptQmrProgressReport": QMR_MANAGERS,
    # employer involvement (issue 16)
    "createEmployer": INVOLVEMENT_WRITERS,
    "listEmployers": STAFF,
    "getEmployer": STAFF,
    "createEmployerInvolvementPlan": INVOLVEMENT_WRITERS,
    "listEmployerInvolvementPlans": STAFF,
    "getEmployerInvolvementPlan": STAFF,
    "getEmployerInvolvementReport": STAFF,
    "declareEmployerInvolvementPlan": INVOLVEMENT_WRITERS,
    "createEmployerActivity": INVOLVEMENT_WRITERS,
    "listEmployerActivities": STAFF,
    "getEmployerActivity": STAFF,
    "confirmEmployerActivity": INVOLVEMENT_WRITERS,
    "addEmployerActivityParticipants": INVOLVEMENT_WRITERS,
    "planEmployerActivityLearners": INVOLVEMENT_WRITERS,
    # appeals (issue 14)
    "lodgeAppeal": APPEAL_LODGERS,
    "listAppeals": APPEAL_READERS,
    "getAppeal": APPEAL_READERS,
    "decideAppealStage": APPEAL_JUDGES,
    "escalateAppeal": APPEAL_LODGERS,
    "submitAppealToAwardingBody": HOC,
    "withdrawAppeal": APPEAL_LODGERS,
    "amendAppealedDecision": ASSESSORS,
    "listOverdueAppealStages": APPEAL_MONITORS,
    "getAppealReport": APPEAL_MONITORS,
    "getAppealPolicy": STAFF,
    "putAppealPolicy": HOC,
}

GRAPHQL = {
    "Query.me": ALL,
    "Query.subjectAccessRequests": QN,
    "Query.legalHolds": QN,
    "Query.ownRecord": frozenset({"learner"}),
    "Mutation.setLegalHold": QN,
    "Mutation.releaseLegalHold": QN,
    "Mutation.correctLearnerIdentity": QN,
    "Query.centres": CENTRE_READERS,
    "Query.centre": CENTRE_READERS,
    "Query.sites": CENTRE_READERS,
    "Query.site": CENTRE_READERS,
    "Query.staff": STAFF,
    "Query.staffMember": STAFF,
    "Query.learners": LEARNER_READERS,
    "Query.learner": LEARNER_READERS,
    "Query.auditEvents": AUDITORS,
    "Query.auditVerification": AUDITORS,
    "Query.qualifications": STAFF,
    "Query.qualification": STAFF,
    "Query.predictQualificationGrade": STAFF,
    "Query.webhookEventTypes": MIS_INTEGRATORS,
    "Query.webhookEndpoints": MIS_INTEGRATORS,
    "Query.webhookEndpoint": MIS_INTEGRATORS,
    "Query.webhookDeliveries": MIS_INTEGRATORS,
    "Query.webhookDelivery": MIS_INTEGRATORS,
    "Mutation.createWebhookEndpoint": MIS_INTEGRATORS,
    "Mutation.updateWebhookEndpoint": MIS_INTEGRATORS,
    "Mutation.rotateWebhookEndpointSecret": MIS_INTEGRATORS,
    "Mutation.pingWebhookEndpoint": MIS_INTEGRATORS,
    "Mutation.redeliverWebhookDelivery": MIS_INTEGRATORS,
    "Query.assessmentPlan": STAFF,
    "Query.assessmentPlanStatus": STAFF,
    "Mutation.signOffAssessmentPlan": IV_PLANNERS,
    "Mutation.reuseAssignmentBrief": BRIEF_WRITERS,
    "Query.cohortTrackingGrid": STAFF,
    "Query.assignmentBriefs": STAFF_AND_LEARNER,
    "Query.assignmentBrief": STAFF_AND_LEARNER,
    "Query.assessmentDecisions": STAFF_AND_LEARNER,
    "Query.assessmentDecision": STAFF_AND_LEARNER,
    "Query.learnerAssessmentRecord": STAFF_AND_LEARNER,
    "Query.learnerRegistrationRecord": STAFF_AND_LEARNER,
    "Query.briefChecklist": STAFF,
    "Query.assignmentBriefVerifications": STAFF,
    "Query.submissions": STAFF_AND_LEARNER,
    "Query.submission": STAFF_AND_LEARNER,
    "Query.submissionEvidence": STAFF_AND_LEARNER,
    "Query.assessmentDecisionVersions": STAFF,
    "Query.resubmissions": STAFF_AND_LEARNER,
    "Mutation.createAssessmentPlanEntry": BRIEF_WRITERS,
    "Mutation.createAssignmentBrief": BRIEF_WRITERS,
    "Mutation.submitAssignmentBriefForIv": BRIEF_WRITERS,
    "Mutation.issueAssignmentBrief": BRIEF_WRITERS,
    "Mutation.closeAssignmentBrief": BRIEF_WRITERS,
    "Mutation.verifyAssignmentBrief": BRIEF_VERIFIERS,
    "Mutation.returnAssignmentBrief": BRIEF_VERIFIERS,
    "Mutation.submitAssessmentDecisionForIv": ASSESSORS,
    "Mutation.releaseAssessmentDecision": ASSESSORS,
    "Mutation.updateAssessmentPlanEntry": BRIEF_WRITERS,
    "Mutation.updateAssignmentBrief": BRIEF_WRITERS,
    "Mutation.createDeadlineExtension": EXTENSION_APPROVERS,
    "Mutation.createSubmission": SUBMITTERS,
    "Mutation.addEvidenceReference": SUBMITTERS,
    "Mutation.removeEvidence": SUBMITTERS,
    "Mutation.handInSubmission": SUBMITTERS,
    "Mutation.recordAssessmentDecision": ASSESSORS,
    "Mutation.amendAssessmentDecision": ASSESSORS,
    "Mutation.authoriseResubmission": RESUBMISSION_AUTHORISERS,
    "Mutation.recordExamResult": EXAMS,
    "Query.academicYears": CENTRE_READERS,
    "Query.academicYear": CENTRE_READERS,
    "Query.closures": CENTRE_READERS,
    "Query.workingDays": CENTRE_READERS,
    "Mutation.createAcademicYear": CALENDAR_MANAGERS,
    "Mutation.updateAcademicYear": CALENDAR_MANAGERS,
    "Mutation.createClosure": CALENDAR_MANAGERS,
    "Mutation.deleteClosure": CALENDAR_MANAGERS,
    "Query.programmes": STAFF,
    "Query.programme": STAFF,
    "Query.enrolments": OWN_RECORDS,
    "Query.enrolment": OWN_RECORDS,
    "Query.registrationIssues": MONITORS,
    "Query.registrationEscalations": MONITORS,
    "Query.registrationEscalation": MONITORS,
    "Mutation.escalateRegistration": QN,
    "Mutation.recordRegistrationEscalationOutcome": HOC,
    "Mutation.assessPriorLearning": ASSESSORS,
    "Mutation.rejectPriorLearning": ASSESSORS,
    "Query.priorLearning": OWN_RECORDS,
    "Query.priorLearningRecord": OWN_RECORDS,
    "Query.reasonableAdjustments": ADJUSTMENT_READERS,
    "Query.reasonableAdjustment": ADJUSTMENT_READERS,
    "Query.specialConsiderations": SPECIAL_CONSIDERATION_READERS,
    "Query.specialConsideration": SPECIAL_CONSIDERATION_READERS,
    "Mutation.createProgramme": PROGRAMME_CREATORS,
    "Mutation.updateProgramme": PROGRAMME_EDITORS,
    "Mutation.createEnrolment": PROGRAMME_WRITERS,
    "Mutation.registerEnrolment": REGISTRARS,
    "Mutation.transferEnrolment": REGISTRARS,
    "Mutation.withdrawEnrolment": REGISTRARS,
    "Mutation.completeEnrolment": REGISTRARS,
    "Mutation.recordPriorLearning": PROGRAMME_WRITERS,
    "Mutation.recordReasonableAdjustment": PROGRAMME_WRITERS,
    "Mutation.applyForSpecialConsideration": PROGRAMME_WRITERS,
    "Mutation.decideSpecialConsideration": HOC,
    "Mutation.syncMis": REGISTRARS,
    "Mutation.updateCentre": HOC,
    "Mutation.createSite": HOC,
    "Mutation.updateSite": HOC,
    "Mutation.createStaffMember": HOC,
    "Mutation.updateStaffMember": HOC,
    "Mutation.createLearner": LEARNER_WRITERS,
    "Mutation.updateLearner": LEARNER_WRITERS,
    "Query.briefIvStatus": IV_READERS,
    "Query.briefIvRecords": IV_READERS,
    "Query.ivRecord": IV_READERS,
    "Query.ivRecordVersions": IV_READERS,
    "Query.ivRemedialActions": IV_READERS,
    "Query.latestIvSample": IV_READERS,
    "Query.ivCoverage": IV_READERS,
    "Query.livDashboard": IV_READERS,
    "Query.ivSchedule": IV_READERS,
    "Query.ivPlan": IV_READERS,
    "Query.planEntry": STAFF,
    "Query.deadlineExtensions": STAFF_AND_LEARNER,
    "Query.examResults": STAFF_AND_LEARNER,
    "Query.livAppointments": IV_READERS,
    "Query.ivSample": IV_READERS,
    "Query.ivSamples": IV_READERS,
    "Query.livAnnualRecords": IV_READERS,
    "Mutation.drawIvSample": IV_WRITERS,
    "Mutation.createIvRecord": IV_WRITERS,
    "Mutation.amendIvRecord": IV_WRITERS,
    "Mutation.closeIvRemedialAction": IV_WRITERS,
    "Mutation.arbitrateIvDisagreement": IV_WRITERS,
    "Query.ivArbitrations": IV_READERS,
    "Query.livGaps": IV_READERS,
    "Mutation.releaseBriefDecisions": RELEASERS,
    "Mutation.putIvPlan": IV_PLANNERS,
    "Mutation.assignIvScheduleEntry": IV_PLANNERS,
    "Mutation.signOffIvPlan": IV_PLANNERS,
    "Mutation.appointLiv": LIV_MANAGERS,
    "Mutation.createLivAnnualRecord": LIV_MANAGERS,
    "Query.standardisationRecords": STANDARDISATION_READERS,
    "Query.standardisationRecord": STANDARDISATION_READERS,
    "Query.standardisationGaps": STANDARDISATION_READERS,
    "Query.programmeStaffCompetence": STANDARDISATION_READERS,
    "Query.cpdRecords": STAFF,
    "Query.cpdRecord": STAFF,
    "Query.staffCompetence": STAFF,
    "Mutation.recordStandardisation": STANDARDISERS,
    "Mutation.recordCpd": STAFF,
    "Mutation.putStaffCompetence": COMPETENCE_MANAGERS,
    "Mutation.raiseAuthenticityConcern": ASSESSORS,
    "Query.malpracticeCases": STAFF_AND_LEARNER,
    "Query.malpracticeCase": STAFF_AND_LEARNER,
    "Query.malpracticePolicy": MALPRACTICE_MANAGERS,
    "Mutation.createMalpracticeCase": MALPRACTICE_MANAGERS,
    "Mutation.openMalpracticeCase": MALPRACTICE_MANAGERS,
    "Mutation.linkMalpracticeCase": STAFF,
    "Mutation.recordMalpracticeStage": STAFF,
    "Mutation.recordMalpracticeReport": HOC,
    "Mutation.recordMalpracticeSanction": HOC,
    "Mutation.closeMalpracticeCase": MALPRACTICE_MANAGERS,
    "Mutation.putMalpracticePolicy": HOC,
    "Query.svPolicy": SV_READERS,
    "Query.svAllocations": SV_READERS,
    "Query.svAllocation": SV_READERS,
    "Query.svSamples": SV_READERS,
    "Query.svSample": SV_READERS,
    "Query.svSampleItems": SV_READERS,
    "Query.svSampleItem": SV_READERS,
    "Query.svGrants": SV_MANAGERS,
    "Query.svAccessLog": SV_MANAGERS,
    "Query.svOutcomes": SV_READERS,
    "Query.svOutcome": SV_READERS,
    "Query.svCertificationStatus": SV_READERS,
    "Query.ocrModerations": SV_READERS,
    "Query.ocrModeration": SV_READERS,
    "Query.verifierSamples": VERIFIER,
    "Query.verifierSample": VERIFIER,
    "Query.verifierSampleItems": VERIFIER,
    "Query.verifierSampleItem": VERIFIER,
    "Mutation.putSvPolicy": SV_MANAGERS,
    "Mutation.createSvAllocation": SV_MANAGERS,
    "Mutation.requestSvSample": SV_MANAGERS,
    "Mutation.requestMoreSvSample": SV_MANAGERS,
    "Mutation.addSvSampleItem": SV_PREPARERS,
    "Mutation.removeSvSampleItem": SV_PREPARERS,
    "Mutation.declareSvSampleItemAuthentic": SV_PREPARERS,
    "Mutation.submitSvSample": SV_MANAGERS,
    "Mutation.grantSvAccess": SV_MANAGERS,
    "Mutation.revokeSvGrant": SV_MANAGERS,
    "Mutation.recordSvOutcome": SV_MANAGERS,
    "Mutation.closeSvAction": SV_MANAGERS,
    "Mutation.recordOcrModeration": SV_MANAGERS,
    "Query.certificationEligibility": CERTIFICATION_READERS,
    "Query.certificationClaims": CERTIFICATION_READERS,
    "Query.certificationClaim": CERTIFICATION_READERS,
    "Query.certificationClaimDeadlines": CERTIFICATION_READERS,
    "Query.certificationClaimExport": CERTIFICATION_READERS,
    "Query.certificationClaimCsv": CERTIFICATION_READERS,
    "Query.certificates": CERTIFICATION_READERS,
    "Query.certificate": CERTIFICATION_READERS,
    "Query.qmrVisits": CERTIFICATION_READERS,
    "Query.qmrVisit": CERTIFICATION_READERS,
    "Mutation.createCertificationClaim": CLAIM_WRITERS,
    "Mutation.addCertificationClaimLearners": CLAIM_WRITERS,
    "Mutation.confirmCertificationClaimRecords": RECORD_CONFIRMERS,
    "Mutation.checkCertificationClaimAsLeader": LEADER_CHECKERS,
    "Mutation.prepareCertificationClaim": CLAIM_WRITERS,
    "Mutation.secondCheckCertificationClaim": SECOND_CHECKERS,
    "Mutation.submitCertificationClaim": CLAIM_WRITERS,
    "Mutation.recordCertificate": CLAIM_WRITERS,
    "Mutation.checkCertificate": CLAIM_WRITERS,
    "Mutation.resolveCertificate": CLAIM_WRITERS,
    "Mutation.recordQmrVisit": QMR_MANAGERS,
    "Mutation.acceptQmrProgressReport": QMR_MANAGERS,
    "Query.employers": STAFF,
    "Query.employer": STAFF,
    "Query.employerInvolvementPlans": STAFF,
    "Query.employerInvolvementPlan": STAFF,
    "Query.employerInvolvementReport": STAFF,
    "Query.employerActivities": STAFF,
    "Query.employerActivity": STAFF,
    "Mutation.createEmployer": INVOLVEMENT_WRITERS,
    "Mutation.createEmployerInvolvementPlan": INVOLVEMENT_WRITERS,
    "Mutation.declareEmployerInvolvementPlan": INVOLVEMENT_WRITERS,
    "Mutation.createEmployerActivity": INVOLVEMENT_WRITERS,
    "Mutation.confirmEmployerActivity": INVOLVEMENT_WRITERS,
    "Mutation.addEmployerActivityParticipants": INVOLVEMENT_WRITERS,
    "Mutation.planEmployerActivityLearners": INVOLVEMENT_WRITERS,
    "Query.appeals": APPEAL_READERS,
    "Query.appeal": APPEAL_READERS,
    "Query.overdueAppealStages": APPEAL_MONITORS,
    "Query.appealReport": APPEAL_MONITORS,
    "Query.appealPolicy": STAFF,
    "Mutation.lodgeAppeal": APPEAL_LODGERS,
    "Mutation.decideAppealStage": APPEAL_JUDGES,
    "Mutation.escalateAppeal": APPEAL_LODGERS,
    "Mutation.submitAppealToAwardingBody": HOC,
    "Mutation.withdrawAppeal": APPEAL_LODGERS,
    "Mutation.amendAppealedDecision": ASSESSORS,
    "Mutation.putAppealPolicy": HOC,
}

# ---- object level, walked by tests/api/test_object_table.py --------------------------------------
# The same records exist on two programmes: one the world's team works on, one another team's. Each read
# of one object (or of one programme's records) names the roles that read it on *any* programme of the
# centre, the roles that read it only on a programme they work on, and whether the learner reads their
# own. Every other role the role table lets in finds nothing: 404, never a 403 that confirms the object.
ASSESSMENT_WIDE = frozenset({"hoc", "qn", "exams_officer"})
IV_WIDE = frozenset({"hoc", "qn"})
SUPPORT_WIDE = frozenset({"hoc", "exams_officer"})
TEAM = frozenset({"assessor", "iv", "liv", "programme_leader"})
NOBODY: frozenset[str] = frozenset()
# CPD is read by its own member of staff (the world's records are its assessor's) and by these.
CPD_WIDE = frozenset({"hoc", "qn", "liv"})
OWN_CPD = frozenset({"assessor"})
LEARNER = frozenset({"learner"})
# the HoC, QN and LIV read every appeal; the assessor those on their decisions; the learner theirs.
APPEALS_WIDE = frozenset({"hoc", "qn", "liv"})

OBJECT_READS = {
    "getAssessmentPlan": ("/v1/programmes/{programme}/assessment-plan", ASSESSMENT_WIDE, TEAM, NOBODY),
    "getAssignmentBrief": ("/v1/assignment-briefs/{brief}", ASSESSMENT_WIDE, TEAM, LEARNER),
    "listAssignmentBriefVerifications": (
        "/v1/assignment-briefs/{brief}/verifications",
        ASSESSMENT_WIDE,
        TEAM,
        NOBODY,
    ),
    "getSubmission": ("/v1/submissions/{submission}", ASSESSMENT_WIDE, TEAM, LEARNER),
    "listEvidence": ("/v1/submissions/{submission}/evidence", ASSESSMENT_WIDE, TEAM, LEARNER),
    "downloadEvidenceFile": (
        "/v1/submissions/{submission}/evidence/{evidence_file}/content",
        ASSESSMENT_WIDE,
        TEAM,
        LEARNER,
    ),
    "getAssessmentPlanEntry": ("/v1/assessment-plan-entries/{plan_entry}", ASSESSMENT_WIDE, TEAM, NOBODY),
    # Submitted for IV, not released: the learner does not see it yet.
    "getAssessmentDecision": ("/v1/assessment-decisions/{decision}", ASSESSMENT_WIDE, TEAM, NOBODY),
    "listAssessmentDecisionVersions": (
        "/v1/assessment-decisions/{decision}/versions",
        ASSESSMENT_WIDE,
        TEAM,
        NOBODY,
    ),
    "listResubmissions": ("/v1/assessment-decisions/{decision}/resubmissions", ASSESSMENT_WIDE, TEAM, NOBODY),
    "getLearnerAssessmentRecord": (
        "/v1/learners/{learner}/assessment-record?programme_id={programme}",
        ASSESSMENT_WIDE,
        TEAM,
        LEARNER,
    ),
    # the registration's record answers to staff who reach one of its programmes.
    "getLearnerRegistrationRecord": (
        "/v1/learners/{learner}/registrations/{qualification}/record",
        ASSESSMENT_WIDE,
        TEAM,
        LEARNER,
    ),
    "getCohortTrackingGrid": ("/v1/programmes/{programme}/tracking-grid", ASSESSMENT_WIDE, TEAM, NOBODY),
    "getLatestIvSample": ("/v1/assignment-briefs/{brief}/iv-samples/latest", IV_WIDE, TEAM, NOBODY),
    "listBriefIvSamples": ("/v1/assignment-briefs/{brief}/iv-samples", IV_WIDE, TEAM, NOBODY),
    "getIvSample": ("/v1/iv-samples/{sample}", IV_WIDE, TEAM, NOBODY),
    "getBriefIvStatus": ("/v1/assignment-briefs/{brief}/iv-status", IV_WIDE, TEAM, NOBODY),
    "listBriefIvRecords": ("/v1/assignment-briefs/{brief}/iv-records", IV_WIDE, TEAM, NOBODY),
    "getIvRecord": ("/v1/iv-records/{iv_record}", IV_WIDE, TEAM, NOBODY),
    "listIvRecordVersions": ("/v1/iv-records/{iv_record}/versions", IV_WIDE, TEAM, NOBODY),
    "listIvArbitrations": ("/v1/iv-records/{iv_record}/arbitrations", IV_WIDE, TEAM, NOBODY),
    "getIvCoverage": ("/v1/programmes/{programme}/iv-coverage", IV_WIDE, TEAM, NOBODY),
    "getIvSchedule": ("/v1/programmes/{programme}/iv-schedule", IV_WIDE, TEAM, NOBODY),
    "getIvPlan": ("/v1/programmes/{programme}/iv-plan", IV_WIDE, TEAM, NOBODY),
    "getReasonableAdjustment": ("/v1/reasonable-adjustments/{ra}", SUPPORT_WIDE, TEAM, LEARNER),
    "getSpecialConsideration": (
        "/v1/special-considerations/{sc}",
        SUPPORT_WIDE,
        frozenset({"programme_leader"}),
        LEARNER,
    ),
    "getStandardisationRecord": ("/v1/standardisation-records/{standardisation}", IV_WIDE, TEAM, NOBODY),
    "getStandardisationGaps": ("/v1/programmes/{programme}/standardisation-gaps", IV_WIDE, TEAM, NOBODY),
    "getProgrammeStaffCompetence": ("/v1/programmes/{programme}/staff-competence", IV_WIDE, TEAM, NOBODY),
    "getCpdRecord": ("/v1/cpd-records/{cpd}", CPD_WIDE, OWN_CPD, NOBODY),
    "getAppeal": ("/v1/appeals/{appeal}", APPEALS_WIDE, ASSESSORS, LEARNER),
}

# Lists answer 200 with what the caller may see: the same three sets say whose rows appear.
OBJECT_LISTS = {
    "listAssignmentBriefs": ("/v1/assignment-briefs", "brief", ASSESSMENT_WIDE, TEAM, LEARNER),
    "listSubmissions": ("/v1/submissions", "submission", ASSESSMENT_WIDE, TEAM, LEARNER),
    "listDeadlineExtensions": ("/v1/deadline-extensions", "extension", ASSESSMENT_WIDE, TEAM, LEARNER),
    "listExamResults": ("/v1/exam-results", "exam_result", ASSESSMENT_WIDE, TEAM, LEARNER),
    "listAssessmentDecisions": ("/v1/assessment-decisions", "decision", ASSESSMENT_WIDE, TEAM, NOBODY),
    "listIvRemedialActions": ("/v1/iv-remedial-actions", "action", IV_WIDE, TEAM, NOBODY),
    "listReasonableAdjustments": ("/v1/reasonable-adjustments", "ra", SUPPORT_WIDE, TEAM, LEARNER),
    "listSpecialConsiderations": (
        "/v1/special-considerations",
        "sc",
        SUPPORT_WIDE,
        frozenset({"programme_leader"}),
        LEARNER,
    ),
    "listStandardisationRecords": ("/v1/standardisation-records", "standardisation", IV_WIDE, TEAM, NOBODY),
    "listCpdRecords": ("/v1/cpd-records", "cpd", CPD_WIDE, OWN_CPD, NOBODY),
    "listAppeals": ("/v1/appeals", "appeal", APPEALS_WIDE, ASSESSORS, LEARNER),
}

# Reads by id of what is centre-level, not a programme's: every role the role table lets in reads it.
CENTRE_LEVEL_READS = frozenset(
    {
        "getCentre",
        "getSite",
        "getStaffMember",
        "getAcademicYear",
        "getLearner",
        "getQualification",
        "getProgramme",
        "getEnrolment",
        "getPriorLearning",
        "getRegistrationEscalation",  # the QN's and HoC's, centre-wide
        "getWebhookEndpoint",
        "listWebhookDeliveries",
        "getWebhookDelivery",
        "listLivAnnualRecords",
        "listLivGaps",  # the centre's subject areas in a year, not a programme's records
        "getStaffCompetence",  # whom a programme can be staffed with, read by all staff
        # Certification is the exams office's, centre-wide: whoever the role table lets in reads it.
        "getCertificationEligibility",
        "getCertificationClaim",
        "exportCertificationClaim",
        "exportCertificationClaimCsv",
        "getCertificate",
        "getQmrVisit",  # a QMR is the centre's, not a programme's
        # employer involvement is read by all staff across the centre.
        "getEmployer",
        "getEmployerInvolvementPlan",
        "getEmployerInvolvementReport",
        "getEmployerActivity",
        "getProblemType",  # public documentation of an error type: no token, nothing of a centre
        # confidential per case, not per programme (the HoC, QN, investigators, the person told):
        # walked by tests/malpractice (test_cases.py, test_api.py).
        "getMalpracticeCase",
        "renderMalpracticeReport",
        "getMalpracticePolicy",  # the caller's own centre's policy (another centre's: 404)
        # Standards verification (issue 13): the HoC and QN read centre-wide, the LIV and PL on their
        # programmes (tests/standards_verification/test_outcomes.py walks a programme of another team);
        # the verifier's reads are scoped by its grant (tests/standards_verification/test_verifier_api.py).
        "getSvAllocation",
        "getSvSample",
        "listSvSampleItems",
        "getSvSampleItem",
        "listSvGrants",
        "listSvAccessLog",
        "getSvOutcome",
        "getSvCertificationStatus",
        "getOcrModeration",
        "verifierGetSample",
        "verifierListSampleItems",
        "verifierGetSampleItem",
        "verifierDownloadEvidence",
        "downloadSvSamplePack",  # the QN's, centre-wide
    }
)

# The GraphQL root fields over the same services, walked the same way ($name: the object's id).
GRAPHQL_OBJECT_READS = {
    "Query.assessmentPlan": (
        'assessmentPlan(programmeId: "$programme") { nodes { id } }',
        "getAssessmentPlan",
    ),
    "Query.assessmentPlanStatus": (
        'assessmentPlanStatus(programmeId: "$programme") { programmeId }',
        "getAssessmentPlan",
    ),
    "Query.assignmentBrief": ('assignmentBrief(id: "$brief") { id }', "getAssignmentBrief"),
    "Query.assessmentDecision": ('assessmentDecision(id: "$decision") { id }', "getAssessmentDecision"),
    "Query.assignmentBriefVerifications": (
        'assignmentBriefVerifications(briefId: "$brief") { nodes { id } }',
        "listAssignmentBriefVerifications",
    ),
    "Query.submission": ('submission(id: "$submission") { id }', "getSubmission"),
    "Query.submissionEvidence": (
        'submissionEvidence(submissionId: "$submission") { nodes { id } }',
        "listEvidence",
    ),
    "Query.assessmentDecisionVersions": (
        'assessmentDecisionVersions(id: "$decision") { nodes { number } }',
        "listAssessmentDecisionVersions",
    ),
    "Query.resubmissions": ('resubmissions(decisionId: "$decision") { nodes { id } }', "listResubmissions"),
    "Query.ivSample": ('ivSample(id: "$sample") { id }', "getIvSample"),
    "Query.learnerAssessmentRecord": (
        'learnerAssessmentRecord(learnerId: "$learner", programmeId: "$programme") { learnerId }',
        "getLearnerAssessmentRecord",
    ),
    "Query.learnerRegistrationRecord": (
        'learnerRegistrationRecord(learnerId: "$learner", qualificationId: "$qualification") { learnerId }',
        "getLearnerRegistrationRecord",
    ),
    "Query.cohortTrackingGrid": (
        'cohortTrackingGrid(programmeId: "$programme") { __typename }',
        "getCohortTrackingGrid",
    ),
    "Query.briefIvStatus": ('briefIvStatus(briefId: "$brief") { __typename }', "getBriefIvStatus"),
    "Query.briefIvRecords": (
        'briefIvRecords(briefId: "$brief") { nodes { __typename } }',
        "listBriefIvRecords",
    ),
    "Query.ivRecord": ('ivRecord(id: "$iv_record") { __typename }', "getIvRecord"),
    "Query.ivRecordVersions": (
        'ivRecordVersions(id: "$iv_record") { nodes { __typename } }',
        "listIvRecordVersions",
    ),
    "Query.ivArbitrations": (
        'ivArbitrations(id: "$iv_record") { nodes { __typename } }',
        "listIvArbitrations",
    ),
    "Query.latestIvSample": ('latestIvSample(briefId: "$brief") { id }', "getLatestIvSample"),
    "Query.ivSamples": ('ivSamples(briefId: "$brief") { nodes { id } }', "listBriefIvSamples"),
    "Query.ivCoverage": ('ivCoverage(programmeId: "$programme") { programmeId }', "getIvCoverage"),
    "Query.ivSchedule": ('ivSchedule(programmeId: "$programme") { programmeId }', "getIvSchedule"),
    "Query.ivPlan": ('ivPlan(programmeId: "$programme") { id }', "getIvPlan"),
    "Query.planEntry": ('planEntry(id: "$plan_entry") { id }', "getAssessmentPlanEntry"),
    "Query.reasonableAdjustment": ('reasonableAdjustment(id: "$ra") { id }', "getReasonableAdjustment"),
    "Query.specialConsideration": ('specialConsideration(id: "$sc") { id }', "getSpecialConsideration"),
    "Query.standardisationRecord": (
        'standardisationRecord(id: "$standardisation") { id }',
        "getStandardisationRecord",
    ),
    "Query.standardisationGaps": (
        'standardisationGaps(programmeId: "$programme") { programmeId }',
        "getStandardisationGaps",
    ),
    "Query.programmeStaffCompetence": (
        'programmeStaffCompetence(programmeId: "$programme") { programmeId }',
        "getProgrammeStaffCompetence",
    ),
    "Query.cpdRecord": ('cpdRecord(id: "$cpd") { id }', "getCpdRecord"),
    "Query.appeal": ('appeal(id: "$appeal") { id }', "getAppeal"),
}

# The GraphQL lists over the same services: the same rows as the REST list (OBJECT_LISTS) for every role.
GRAPHQL_OBJECT_LISTS = {
    "Query.submissions": ("submissions(first: 200) { nodes { id } }", "listSubmissions"),
    "Query.assessmentDecisions": (
        "assessmentDecisions(first: 200) { nodes { id } }",
        "listAssessmentDecisions",
    ),
    "Query.assignmentBriefs": ("assignmentBriefs(first: 200) { nodes { id } }", "listAssignmentBriefs"),
}
