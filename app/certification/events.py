"""The events of certification (R-90..R-94): webhook payloads app.certification's services record."""

from __future__ import annotations

from typing import ClassVar

from app.certification import schemas
from app.events.event import Changed, Event


class QmrVisitRecorded(schemas.QmrVisit, Event):
    """A QMR visit was recorded with each quality objective's judgement (R-90); `data` is the visit."""

    type: ClassVar[str] = "qmr_visit.created"


class QmrVisitUpdated(Changed[schemas.QmrVisit]):
    """A QMR visit's progress report was accepted, releasing its certification block (R-90); `data` has
    `before` and `after`."""

    type: ClassVar[str] = "qmr_visit.updated"


class ClaimCreated(schemas.Claim, Event):
    """A certification claim was opened for a set of learners (R-91); `data` is the claim."""

    type: ClassVar[str] = "certification_claim.created"


class ClaimUpdated(Changed[schemas.Claim]):
    """A claim moved through an R-91 check, or learners were added or removed (with the reason); `data`
    has `before` and `after`."""

    type: ClassVar[str] = "certification_claim.updated"


class ClaimSubmitted(schemas.Claim, Event):
    """A claim was submitted to the awarding body after its R-91 checks; `data` is the claim as submitted
    (its entries are what the export holds)."""

    type: ClassVar[str] = "certification_claim.submitted"


class CertificateReceived(schemas.Certificate, Event):
    """A certificate was received against a submitted claim (R-92); `data` is it."""

    type: ClassVar[str] = "certificate.created"


class CertificateUpdated(Changed[schemas.Certificate]):
    """A certificate was checked against the records and cleared, or its anomalies resolved (R-92);
    `data` has `before` and `after`."""

    type: ClassVar[str] = "certificate.updated"


class CertificateAnomaly(schemas.Certificate, Event):
    """A certificate's check against the records found anomalies (grade, unit or name); it is withheld
    until resolved (R-92). `data` is the certificate with its anomalies."""

    type: ClassVar[str] = "certificate.anomaly"
