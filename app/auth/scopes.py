"""Roles and scopes: the one table that says which role may do what (DOMAIN.md "People and roles").

Object-level limits (another centre's object, a learner's own record) are applied by repositories;
this table only says which kinds of operation a role may attempt at all.
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
    webhooks_manage = "webhooks:manage"  # the MIS integration: endpoints, secrets, deliveries
    qualifications_read = "qualifications:read"
    qualifications_manage = "qualifications:manage"  # import specification versions
    calendar_manage = "calendar:manage"  # academic years, term dates, closures (R-31 working days)
    programmes_read = "programmes:read"  # programmes, enrolments and registration status
    programmes_write = "programmes:write"  # programmes and their class lists (enrolments)
    registrations_write = "registrations:write"  # registration, transfer, withdrawal, completion
    registrations_monitor = "registrations:monitor"  # the late/early registration list
    learner_support_read = "learner_support:read"  # R-13 RPL, R-80 adjustments, R-81 special consideration
    learner_support_write = "learner_support:write"
    special_consideration_authorise = "special_consideration:authorise"  # the HoC only
    mis_sync = "mis:sync"  # bulk upsert of learners and enrolments from the MIS


# Every member of staff reads the centre's programmes, class lists and registration status (PLs check
# registrations, assessors and IVs need their learners' adjustments and RPL to assess fairly).
_STAFF_READ = {Scope.centre_read, Scope.staff_read, Scope.learners_read, Scope.qualifications_read,
               Scope.programmes_read, Scope.learner_support_read}

ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    # The HoC answers for everything the centre does.
    Role.hoc: frozenset(_STAFF_READ | {Scope.centre_write, Scope.staff_write, Scope.learners_write,
                                       Scope.audit_read, Scope.webhooks_manage, Scope.qualifications_manage,
                                       # only the HoC authorises special consideration; R-11:
                                       # late registrations are escalated to the HoC.
                                       Scope.calendar_manage, Scope.programmes_write, Scope.registrations_write,
                                       Scope.registrations_monitor, Scope.learner_support_write,
                                       Scope.special_consideration_authorise, Scope.mis_sync}),
    # The QN is the awarding body's contact and checks the records, including the audit trail.
    # the QN monitors registrations and escalates late/early ones to the HoC.
    Role.qn: frozenset(_STAFF_READ | {Scope.audit_read, Scope.qualifications_manage, Scope.registrations_monitor}),
    Role.liv: frozenset(_STAFF_READ),
    Role.iv: frozenset(_STAFF_READ),
    Role.assessor: frozenset(_STAFF_READ),
    # Exams officers and programme leaders keep class lists and registrations up to date.
    # The exams officer registers, transfers and withdraws (R-12, 004 §3), keeps the centre calendar the
    # deadlines count on, records adjustments/special consideration applications and runs the MIS sync.
    Role.exams_officer: frozenset(_STAFF_READ | {Scope.learners_write, Scope.webhooks_manage,
                                                 Scope.qualifications_manage, Scope.calendar_manage,
                                                 Scope.programmes_write, Scope.registrations_write,
                                                 Scope.learner_support_write, Scope.mis_sync}),
    # The PL runs programme delivery: the programme, its class list, RPL and adjustments of its learners.
    Role.programme_leader: frozenset(_STAFF_READ | {Scope.learners_write, Scope.programmes_write,
                                                    Scope.learner_support_write}),
    Role.learner: frozenset({Scope.learner_self}),
    # External and read-only: sees the centre it verifies, and (later) only the sample allocated to it.
    Role.standards_verifier: frozenset({Scope.centre_read}),
}


def scopes_for(roles: frozenset[Role]) -> frozenset[Scope]:
    granted: set[Scope] = set()
    for role in roles:
        granted |= ROLE_SCOPES[role]
    return frozenset(granted)
