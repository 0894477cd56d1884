"""The events of programmes, enrolments (R-10..R-12; also from the MIS bulk sync) and learner support
(R-13, R-80, R-81): webhook payloads that app.programmes.service, .enrolments, .support record."""

from __future__ import annotations

from typing import ClassVar

from app.events.event import Changed, Event
from app.programmes import schemas


class ProgrammeCreated(schemas.Programme, Event):
    """A programme was created; `data` is the new record, with its sites and staff."""

    type: ClassVar[str] = "programme.created"


class ProgrammeUpdated(Changed[schemas.Programme]):
    """A programme changed (its fields, sites or staff); `data` has `before` and `after`."""

    type: ClassVar[str] = "programme.updated"


class EnrolmentCreated(schemas.Enrolment, Event):
    """A learner was enrolled on a programme (in Verity or by the MIS bulk sync); `data` is the new
    enrolment. Not sent for the enrolment a transfer starts: see `enrolment.transferred`."""

    type: ClassVar[str] = "enrolment.created"


class EnrolmentUpdated(Changed[schemas.Enrolment]):
    """The MIS bulk sync changed an enrolment (its enrolment date, or adopted the MIS's id for it); `data`
    has `before` and `after`."""

    type: ClassVar[str] = "enrolment.updated"


class EnrolmentRegistered(Changed[schemas.Enrolment]):
    """The learner was registered with the awarding body (R-12; a late or early registration is flagged in
    `registration_issue`, R-11); `data` has the record `before` and `after`."""

    type: ClassVar[str] = "enrolment.registered"


class EnrolmentTransferred(schemas.EnrolmentTransfer, Event):
    """The learner moved to another programme (R-12): one enrolment ended as `transferred` and another
    started, carrying the registration; `data` has both as they are now (`transferred_from`,
    `transferred_to`)."""

    type: ClassVar[str] = "enrolment.transferred"


class EnrolmentWithdrawn(Changed[schemas.Enrolment]):
    """The learner was withdrawn, with the reason (R-12); `data` has the record `before` and `after`."""

    type: ClassVar[str] = "enrolment.withdrawn"


class EnrolmentCompleted(Changed[schemas.Enrolment]):
    """The learner completed the programme; `data` has the record `before` and `after`."""

    type: ClassVar[str] = "enrolment.completed"


class PriorLearningRecorded(schemas.PriorLearning, Event):
    """Recognition of prior learning was recorded against a unit, as evidence still to be assessed (R-13);
    `data` is the record."""

    type: ClassVar[str] = "prior_learning.recorded"


class PriorLearningCarried(schemas.PriorLearning, Event):
    """RPL travelled with an in-year transfer to another qualification (R-13): a new record, still to be
    assessed, naming the one it was carried from; `data` is the record."""

    type: ClassVar[str] = "prior_learning.carried"


class PriorLearningAssessed(Changed[schemas.PriorLearning]):
    """RPL was assessed against the unit's criteria and used by an assessment decision (R-13); `data`
    has the record `before` and `after`."""

    type: ClassVar[str] = "prior_learning.assessed"


class PriorLearningRejected(Changed[schemas.PriorLearning]):
    """RPL was rejected as not current or not relevant, with the reason (R-13); `data` has the record
    `before` and `after`."""

    type: ClassVar[str] = "prior_learning.rejected"


class RegistrationEscalated(schemas.RegistrationEscalation, Event):
    """The QN escalated a late, early, overdue or inaccurate registration to the HoC (R-11); `data` is
    the escalation."""

    type: ClassVar[str] = "registration_escalation.created"


class RegistrationEscalationResolved(Changed[schemas.RegistrationEscalation]):
    """The HoC recorded the outcome of a registration escalation (R-11); `data` has the record `before`
    and `after`."""

    type: ClassVar[str] = "registration_escalation.resolved"


class ReasonableAdjustmentRecorded(schemas.ReasonableAdjustment, Event):
    """A reasonable adjustment was agreed for a learner (R-80); `data` is the record."""

    type: ClassVar[str] = "reasonable_adjustment.recorded"


class SpecialConsiderationApplied(schemas.SpecialConsideration, Event):
    """Special consideration was applied for after an assessment (R-81); `data` is the record."""

    type: ClassVar[str] = "special_consideration.applied"


class SpecialConsiderationAuthorised(Changed[schemas.SpecialConsideration]):
    """The Head of Centre authorised an application for special consideration (R-81); `data` has the
    record `before` and `after`."""

    type: ClassVar[str] = "special_consideration.authorised"


class SpecialConsiderationRefused(Changed[schemas.SpecialConsideration]):
    """The Head of Centre refused an application for special consideration (R-81); `data` has the record
    `before` and `after`."""

    type: ClassVar[str] = "special_consideration.refused"


# the HoC's outcome (SpecialConsiderationOutcome) names its event.
SPECIAL_CONSIDERATION_DECIDED: dict[str, type[Changed]] = {
    "authorised": SpecialConsiderationAuthorised,
    "refused": SpecialConsiderationRefused,
}
