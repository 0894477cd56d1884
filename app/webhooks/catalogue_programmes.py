"""Webhook events of programmes, enrolments (R-10..R-12; also from the MIS bulk sync) and learner support
(R-13, R-80, R-81): app.programmes.service, .enrolments, .support and app.sync.bulk."""

from __future__ import annotations

from app.programmes import schemas as programmes
from app.webhooks.event_type import EventType, created, record, transition, updated

EVENTS: tuple[EventType, ...] = (
    created(
        "programme",
        programmes.Programme,
        "A programme was created; `data` is the new record, with its sites and staff.",
    ),
    updated(
        "programme",
        programmes.Programme,
        "A programme changed (its fields, sites or staff); `data` has `before` and `after`.",
    ),
    created(
        "enrolment",
        programmes.Enrolment,
        "A learner was enrolled on a programme (in Verity or by the MIS bulk "
        "sync); `data` is the new enrolment. Not sent for the enrolment a "
        "transfer starts: see `enrolment.transferred`.",
    ),
    updated(
        "enrolment",
        programmes.Enrolment,
        "The MIS bulk sync changed an enrolment (its enrolment date, or "
        "adopted the MIS's id for it); `data` has `before` and `after`.",
    ),
    transition(
        "enrolment.registered",
        "The learner was registered with the awarding body (R-12; a late or "
        "early registration is flagged in `registration_issue`, R-11)",
        programmes.Enrolment,
    ),
    EventType(
        "enrolment.transferred",
        "The learner moved to another programme (R-12): one enrolment ended as "
        "`transferred` and another started, carrying the registration; `data` has "
        "both as they are now (`transferred_from`, `transferred_to`).",
        programmes.EnrolmentTransfer,
    ),
    transition(
        "enrolment.withdrawn", "The learner was withdrawn, with the reason (R-12)", programmes.Enrolment
    ),
    transition("enrolment.completed", "The learner completed the programme", programmes.Enrolment),
    record(
        "prior_learning.recorded",
        "Recognition of prior learning was recorded against a unit, as evidence still to be assessed (R-13)",
        programmes.PriorLearning,
    ),
    record(
        "reasonable_adjustment.recorded",
        "A reasonable adjustment was agreed for a learner (R-80)",
        programmes.ReasonableAdjustment,
    ),
    record(
        "special_consideration.applied",
        "Special consideration was applied for after an assessment (R-81)",
        programmes.SpecialConsideration,
    ),
    transition(
        "special_consideration.authorised",
        "The Head of Centre authorised an application for special consideration (R-81)",
        programmes.SpecialConsideration,
    ),
    transition(
        "special_consideration.refused",
        "The Head of Centre refused an application for special consideration (R-81)",
        programmes.SpecialConsideration,
    ),
)
