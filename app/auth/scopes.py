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


_STAFF_READ = {Scope.centre_read, Scope.staff_read, Scope.learners_read}

ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    # The HoC answers for everything the centre does.
    Role.hoc: frozenset(_STAFF_READ | {Scope.centre_write, Scope.staff_write, Scope.learners_write,
                                       Scope.audit_read, Scope.webhooks_manage}),
    # The QN is the awarding body's contact and checks the records, including the audit trail.
    Role.qn: frozenset(_STAFF_READ | {Scope.audit_read}),
    Role.liv: frozenset(_STAFF_READ),
    Role.iv: frozenset(_STAFF_READ),
    Role.assessor: frozenset(_STAFF_READ),
    # Exams officers and programme leaders keep class lists and registrations up to date.
    Role.exams_officer: frozenset(_STAFF_READ | {Scope.learners_write, Scope.webhooks_manage}),
    Role.programme_leader: frozenset(_STAFF_READ | {Scope.learners_write}),
    Role.learner: frozenset({Scope.learner_self}),
    # External and read-only: sees the centre it verifies, and (later) only the sample allocated to it.
    Role.standards_verifier: frozenset({Scope.centre_read}),
}


def scopes_for(roles: frozenset[Role]) -> frozenset[Scope]:
    granted: set[Scope] = set()
    for role in roles:
        granted |= ROLE_SCOPES[role]
    return frozenset(granted)
