"""Roles and scopes: the one table that says which role may do what (DOMAIN.md "People and roles").

Object-level limits (another centre's object, a learner's own record, an assessor's own programmes) are
applied by repositories through app/programmes/access.py and app/core/visibility.py; this table only
says which kinds of operation a role may attempt at all. docs/access.md lists both.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    hoc = "hoc"
    qn = "qn"
    liv = "liv"
    iv = "iv"
    assessor = "assessor"
    exams_officer = "exams_officer"
    programme_leader = "programme_leader"
    learner = "learner"
    standards_verifier = "standards_verifier"


class Scope(StrEnum):
    centre_read = "centre:read"
    centre_write = "centre:write"
    staff_read = "staff:read"
    staff_write = "staff:write"
    learners_read = "learners:read"  # every learner of the centre
    learners_write = "learners:write"
    learner_self = "learner:self"  # only one's own learner record
    audit_read = "audit:read"
    # the QN answers for the record over time: subject access, identity corrections, holds.
    subject_access = "subject_access:manage"
    legal_holds = "legal_holds:manage"
    webhooks_manage = "webhooks:manage"  # the MIS integration: endpoints, secrets, deliveries
    qualifications_read = "qualifications:read"
    qualifications_manage = "qualifications:manage"  # import specification versions
    calendar_manage = "calendar:manage"  # academic years, term dates, closures (R-31 working days)
    programmes_read = "programmes:read"  # programmes, enrolments and registration status
    programmes_write = "programmes:write"  # class lists (enrolments); a programme's name, code and sites
    # Who leads and verifies a programme is the centre's QA management, not its delivery:
    programme_leads_assign = "programme_leads:assign"  # create a programme; its leader, LIV, subject area
    programme_team_assign = "programme_team:assign"  # its assessors and IVs (an LIV: on their programmes)
    registrations_write = "registrations:write"  # registration, transfer, withdrawal, completion
    registrations_monitor = "registrations:monitor"  # the late/early registration list
    registrations_escalate = "registrations:escalate"  # the QN escalates an issue to the HoC
    registration_escalations_resolve = "registration_escalations:resolve"  # the HoC's outcome
    learner_support_read = "learner_support:read"  # R-13 RPL: staff judge it as evidence
    adjustments_read = "adjustments:read"  # those who arrange adjustments and those who apply them
    special_consideration_read = "special_consideration:read"  # those who apply for and decide it
    learner_support_write = "learner_support:write"
    special_consideration_authorise = "special_consideration:authorise"  # the HoC only
    mis_sync = "mis:sync"  # bulk upsert of learners and enrolments from the MIS
    # Assignments and assessment (R-20..R-33). Object-level limits sit in app/assignments/access.py and
    # the repositories: an assessor sees and records decisions only on programmes they assess.
    assignments_read = "assignments:read"  # assessment plans and briefs
    assignments_write = "assignments:write"  # plan entries and briefs: the programme's assessors and PL
    briefs_verify = "briefs:verify"  # IV of a brief, by the programme's IV/LIV, never its author
    submissions_write = "submissions:write"  # staff recording work handed in (paper, observation, witness)
    submissions_self = "submissions:self"  # a learner hands in their own work with their declaration
    extensions_approve = "extensions:approve"  # an agreed deadline extension, with its reason
    assessments_read = "assessments:read"  # decisions, learner records, the cohort tracking grid
    assessments_write = "assessments:write"  # R-24..R-26: record/amend decisions, submit for IV, release
    resubmissions_authorise = "resubmissions:authorise"  # R-30 the LIV; R-33 the assessor (OCR policy)
    exam_results_write = "exam_results:write"  # externally assessed unit results and resits (003 §7)
    # Internal verification (R-40..R-44). Object-level limits sit in app/verification: only the
    # programme's IVs and LIV verify, only its LIV signs the IV plan off, nobody verifies their own.
    verification_read = "verification:read"  # IV plans and schedule, samples, IV records, actions, coverage
    verification_write = "verification:write"  # draw samples, record IV, close remedial actions
    iv_plans_manage = "iv_plans:manage"  # the IV plan (sampling rates), the schedule, sign-off
    livs_manage = "livs:manage"  # LIV appointments, annual registration and standardisation
    decisions_release = "decisions:release"  # release a brief's whole batch once IV is complete
    # Standardisation and staff competence. Object-level limits sit in app/standardisation:
    # only the programme's LIV records its standardisation; a member of staff reads their own CPD.
    standardisation_read = "standardisation:read"  # standardisation records and the R-45 gap report
    standardisation_write = "standardisation:write"  # the LIV records a unit's standardisation
    cpd_read = "cpd:read"  # CPD records (one's own; the HoC, QN and LIV everyone's)
    cpd_write = "cpd:write"  # CPD records (one's own; the HoC, QN and LIV anyone's)
    competence_manage = "competence:manage"  # staff expertise (subject areas, units)
    # Malpractice (R-70..R-74). Cases are confidential: object-level limits in app/malpractice/repository.py
    # (the HoC and QN, the case's named investigators, the person concerned once told; 404 for all others).
    malpractice_read = "malpractice:read"  # cases one may see (every role asks; the repository answers)
    malpractice_manage = "malpractice:manage"  # open, link, stage and close cases (HoC, QN)
    malpractice_investigate = "malpractice:investigate"  # a named investigator's notes and evidence
    malpractice_report = "malpractice:report"  # the HoC reports, records sanctions, sets policy
    # Standards verification (R-50..R-52) and OCR moderation. Object-level limits sit in
    # app/standards_verification: the LIV declares authenticity on their programmes only; a verifier
    # reads only the sample of a live grant (Principal.grants).
    sv_read = "standards_verification:read"  # allocations, samples, outcomes, moderation, R-51 status
    sv_manage = "standards_verification:manage"  # R-50..R-52: the QN, the awarding body's contact
    sv_prepare = "standards_verification:prepare"  # adjust the sample, declare work authentic
    sv_sample_read = "verifier_sample:read"  # the verifier's read-only API over its grant
    # Certification (R-90..R-94). Object-level limits sit in app/certification: only the programme's LIV
    # confirms a claim's records and only its leader checks it; the second checker is never the preparer.
    certification_read = "certification:read"  # eligibility preflight, claims, deadlines, certificates, QMR
    claims_write = "claims:write"  # open, prepare and submit claims; R-92: certificates received
    claims_confirm = "claims:confirm"  # the LIV confirms the records
    claims_leader_check = "claims:leader_check"  # the programme leader checks the claim
    claims_second_check = "claims:second_check"  # a second person checks it before submission
    qmr_manage = "qmr:manage"  # QMR visits, their judgements and the progress report
    # Employer involvement: the plan, activities, participation, declarations.
    employer_involvement_read = "employer_involvement:read"
    employer_involvement_write = "employer_involvement:write"  # the HoC, or the programme's leader
    # Appeals (R-60..R-63). Object-level limits sit in app/appeals: the learner their own, staff those on
    # their decisions or stages they judge, the HoC, QN and LIV all; only a stage's judge decides it.
    appeals_read = "appeals:read"
    appeals_lodge = "appeals:lodge"  # the learner, or the HoC, QN or LIV on their behalf; escalate
    appeals_judge = "appeals:judge"  # a stage's outcome, by its judge (stage 4: the HoC)
    appeals_submit = "appeals:submit"  # the HoC submits stage 4 to the awarding body
    appeals_monitor = "appeals:monitor"  # R-61 overdue worklist, R-63 report: the HoC, QN and LIV
    appeal_policy_manage = "appeal_policy:manage"  # the window and stage limits, the HoC


# Every member of staff reads assessment plans, briefs and decisions: the HoC, QN and exams officer the
# whole centre's; assessors, IVs, LIVs and PLs those of their programmes -- limited by the repository
# (app/programmes/access.py CENTRE_WIDE), not by this table.
_ASSESSMENT_READ = {Scope.assignments_read, Scope.assessments_read}

# IV is open within the programme's staff (004 §5: "a developmental process between staff"): assessors
# read the IV of their programmes' work and its feedback and actions, IVs and the LIV what they verify,
# the PL oversees their programmes' IV, the HoC/QN the centre's. Learners, and the standards verifier
# (who will see only its allocated sample), do not get it.
_VERIFICATION_READ = {Scope.verification_read}

# standardisation records are read like IV (the programme's team, the HoC/QN centre-wide);
# every member of staff keeps a record of their own CPD (app/standardisation/competence.py).
_STANDARDISATION_READ = {Scope.standardisation_read}
_OWN_CPD = {Scope.cpd_read, Scope.cpd_write}

# any member of staff may be named to investigate a case, and any person may be its subject;
# what each reads is limited by the case (app/malpractice/repository.py), never by this table.
_MALPRACTICE = {Scope.malpractice_read, Scope.malpractice_investigate}
# appeals are read and judged by those the service admits on each appeal (the learner's
# own, the assessor's decisions, a stage's judge; the HoC, QN and LIV every appeal); the learner, or the
# HoC, QN or LIV on their behalf, lodges, escalates and withdraws. A senior leader named by the HoC
# judges stage 3, hence the PL's judge scope. The exams officer takes no part.
_APPEAL_JUDGE = {Scope.appeals_read, Scope.appeals_judge}
_APPEAL_OVERSIGHT = _APPEAL_JUDGE | {Scope.appeals_lodge, Scope.appeals_monitor}

# Every member of staff reads the centre's programmes, class lists and registration status (PLs check
# registrations, assessors and IVs need their learners' RPL to assess fairly). Adjustments and special
# consideration are personal circumstances: granted below only to the roles that act on them.
_STAFF_READ = {
    Scope.centre_read,
    Scope.staff_read,
    Scope.learners_read,
    Scope.qualifications_read,
    Scope.programmes_read,
    Scope.learner_support_read,
    # every member of staff sees the employer involvement of the programmes.
    Scope.employer_involvement_read,
}

# R-90..R-94: who reads certification (preflight, claims, certificates, QMR): those who take part in a
# claim's checks and the HoC/QN who answer for it.
_CERTIFICATION_READ = {Scope.certification_read}

ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    # The HoC answers for everything the centre does.
    Role.hoc: frozenset(
        _STAFF_READ
        | {
            Scope.centre_write,
            Scope.staff_write,
            Scope.learners_write,
            Scope.audit_read,
            Scope.webhooks_manage,
            Scope.qualifications_manage,
            # only the HoC authorises special consideration; R-11:
            # late registrations are escalated to the HoC.
            Scope.calendar_manage,
            Scope.programmes_write,
            Scope.registrations_write,
            Scope.registrations_monitor,
            Scope.registration_escalations_resolve,
            Scope.learner_support_write,
            Scope.adjustments_read,
            Scope.special_consideration_read,
            Scope.special_consideration_authorise,
            Scope.mis_sync,
            Scope.programme_leads_assign,
            Scope.programme_team_assign,
        }
        # Oversight of assessment, and agreeing extensions (004 §4 "extenuating
        # circumstances"); the HoC records no decision unless also an assessor.
        | _ASSESSMENT_READ
        | {Scope.extensions_approve}
        # the HoC appoints an LIV per subject area and keeps their annual records.
        | _VERIFICATION_READ
        | {Scope.livs_manage}
        # the HoC answers for staff competence and reads and records everyone's CPD.
        | _STANDARDISATION_READ
        | _OWN_CPD
        | {Scope.competence_manage}
        # the HoC reports malpractice to the awarding body, applies the centre's penalties.
        | _MALPRACTICE
        | {Scope.malpractice_manage, Scope.malpractice_report}
        # the HoC follows the verifier's reports and the certification status.
        | {Scope.sv_read}
        # the HoC may be the second checker of a claim; R-90: records QMR visits; R-95: plans.
        | _CERTIFICATION_READ
        | {Scope.claims_second_check, Scope.qmr_manage, Scope.employer_involvement_write}
        # the HoC hears stage 3, submits stage 4 and sets the centre's appeal policy.
        | _APPEAL_OVERSIGHT
        | {Scope.appeals_submit, Scope.appeal_policy_manage}
    ),
    # The QN is the awarding body's contact and checks the records, including the audit trail.
    # the QN monitors registrations and escalates late/early ones to the HoC.
    Role.qn: frozenset(
        _STAFF_READ
        | {
            Scope.audit_read,
            Scope.subject_access,
            Scope.legal_holds,
            Scope.qualifications_manage,
            Scope.registrations_monitor,
            Scope.registrations_escalate,
        }
        # The QN answers to the awarding body for who leads, assesses and verifies each programme.
        | {Scope.programme_leads_assign, Scope.programme_team_assign}
        | _ASSESSMENT_READ
        # the QN is the awarding body's contact: LIV registration and standardisation.
        | _VERIFICATION_READ
        | {Scope.livs_manage}
        # the standardisation and competence records are kept for the verifier (002 QO.9.2).
        | _STANDARDISATION_READ
        | _OWN_CPD
        | {Scope.competence_manage}
        # The QN, the awarding body's contact, runs cases with the HoC; the HoC alone reports.
        | _MALPRACTICE
        | {Scope.malpractice_manage}
        # R-50..R-52: the QN answers the verifier: samples, grants, outcomes, moderation visits.
        | {Scope.sv_read, Scope.sv_manage, Scope.sv_prepare}
        # R-91 second checker; R-90: the QMR is the awarding body's review of the centre.
        | _CERTIFICATION_READ
        | {Scope.claims_second_check, Scope.qmr_manage}
        # the QN works the overdue appeal stages.
        | _APPEAL_OVERSIGHT
    ),
    # The LIV signs off assessment plans (R-20, through iv_plans:manage), verifies briefs, authorises resubmissions and may agree
    # an extension; an IV verifies briefs of programmes they verify.
    Role.liv: frozenset(
        _STAFF_READ
        | _ASSESSMENT_READ
        | {
            Scope.assignments_write,
            Scope.briefs_verify,
            Scope.resubmissions_authorise,
            Scope.extensions_approve,
        }
        # the LIV writes the IV plan and schedule and signs it off, samples and
        # verifies like an IV, and may release a batch once its IV is complete.
        | _VERIFICATION_READ
        | {Scope.verification_write, Scope.iv_plans_manage, Scope.decisions_release}
        # The LIV staffs the assessors and IVs of the programmes they lead IV on; reads the adjustments
        # of those programmes' learners, whose decisions they verify.
        | {Scope.programme_team_assign, Scope.adjustments_read}
        # the LIV standardises assessors and IVs and arbitrates; R-46: identifies development
        # needs (003 §8), so reads everyone's CPD and records expertise.
        | _STANDARDISATION_READ
        | {Scope.standardisation_write, Scope.competence_manage}
        | _OWN_CPD
        | _MALPRACTICE
        # the LIV adjusts the sample and declares each sampled learner's work authentic.
        | {Scope.sv_read, Scope.sv_prepare}
        # the LIV confirms the records a claim is made from.
        | _CERTIFICATION_READ
        | {Scope.claims_confirm}
        # the LIV hears stage 2 by default.
        | _APPEAL_OVERSIGHT
    ),
    # an IV samples and verifies decisions of programmes they verify, and closes the actions.
    Role.iv: frozenset(
        _STAFF_READ
        | _ASSESSMENT_READ
        | {Scope.briefs_verify}
        | _VERIFICATION_READ
        | {Scope.verification_write}
        # the decisions they verify were made under the learner's adjustments.
        | {Scope.adjustments_read}
        | _STANDARDISATION_READ
        | _OWN_CPD
        | _MALPRACTICE
        | _APPEAL_JUDGE
    ),
    # The assessor designs briefs, records work handed in and decisions, and authorises a
    # resubmission only where the qualification gives it to the assessor (R-33, OCR).
    Role.assessor: frozenset(
        _STAFF_READ
        | _ASSESSMENT_READ
        | {
            Scope.assignments_write,
            Scope.submissions_write,
            Scope.assessments_write,
            Scope.extensions_approve,
            Scope.resubmissions_authorise,
        }
        # the assessor releases the brief's batch once IV is complete; reads the IV of their work.
        | _VERIFICATION_READ
        | {Scope.decisions_release}
        # R-80: the assessor applies their learners' adjustments.
        | {Scope.adjustments_read}
        | _STANDARDISATION_READ
        | _OWN_CPD
        | _MALPRACTICE
        | _APPEAL_JUDGE
    ),
    # Exams officers and programme leaders keep class lists and registrations up to date.
    # The exams officer registers, transfers and withdraws (R-12, 004 §3), keeps the centre calendar the
    # deadlines count on, records adjustments/special consideration applications and runs the MIS sync.
    Role.exams_officer: frozenset(
        _STAFF_READ
        | {
            Scope.learners_write,
            Scope.webhooks_manage,
            Scope.qualifications_manage,
            Scope.calendar_manage,
            Scope.programmes_write,
            Scope.registrations_write,
            Scope.learner_support_write,
            Scope.adjustments_read,
            Scope.special_consideration_read,
            Scope.mis_sync,
        }
        # 003 §7: the exams officer records exam results and resits.
        | _ASSESSMENT_READ
        | {Scope.exam_results_write}
        | _OWN_CPD
        | _MALPRACTICE
        # R-91..R-94 (004 §3): the exams officer prepares and submits claims and receives certificates;
        # another exams officer may be the second checker (never the preparer).
        | _CERTIFICATION_READ
        | {Scope.claims_write, Scope.claims_second_check}
    ),
    # The PL runs programme delivery: the programme, its class list, RPL and adjustments of its learners.
    Role.programme_leader: frozenset(
        _STAFF_READ
        | {Scope.learners_write, Scope.programmes_write, Scope.learner_support_write}
        # Of the learners on the programmes they lead: adjustments to arrange, special consideration
        # to apply for.
        | {Scope.adjustments_read, Scope.special_consideration_read}
        # The PL keeps the assessment plan and agrees extensions.
        | _ASSESSMENT_READ
        | {Scope.assignments_write, Scope.extensions_approve}
        # Oversees IV of the programme (the schedule, coverage, actions) and its standardisation.
        | _VERIFICATION_READ
        | _STANDARDISATION_READ
        | _OWN_CPD
        | _MALPRACTICE
        # the PL follows the verifier's visit to their programme.
        | {Scope.sv_read}
        # checks the claim; R-95: the programme's employer involvement plan and activities.
        | _CERTIFICATION_READ
        | {Scope.claims_leader_check, Scope.employer_involvement_write}
        # a senior leader named by the HoC judges stage 3.
        | _APPEAL_JUDGE
    ),
    # A learner reads their own issued briefs and released decisions through learner:self.
    # a learner reads their own malpractice case once told of it; R-60: lodges their appeals.
    Role.learner: frozenset(
        {
            Scope.learner_self,
            Scope.submissions_self,
            Scope.malpractice_read,
            Scope.appeals_read,
            Scope.appeals_lodge,
        }
    ),
    # External and read-only: it reads only the sample of a live grant (the verifier API), and
    # nothing else -- not even the centre's sites or calendar; every write is refused.
    Role.standards_verifier: frozenset({Scope.sv_sample_read}),
}


def scopes_for(roles: frozenset[Role]) -> frozenset[Scope]:
    granted: set[Scope] = set()
    for role in roles:
        granted |= ROLE_SCOPES[role]
    return frozenset(granted)
