"""Webhook events of centres, their sites and staff, and learners (app.audit.changes; learners also from
the MIS bulk sync, app.sync.bulk, with the same payloads)."""

from __future__ import annotations

from app.centres import schemas as centres
from app.learners import schemas as learners
from app.webhooks.event_type import EventType, created, updated

EVENTS: tuple[EventType, ...] = (
    created("centre", centres.Centre),
    updated("centre", centres.Centre),
    created("site", centres.Site),
    updated("site", centres.Site),
    created("staff_member", centres.StaffMember),
    updated("staff_member", centres.StaffMember),
    created(
        "learner",
        learners.Learner,
        "A learner was created (in Verity or by the MIS bulk sync); `data` is the new record.",
    ),
    updated(
        "learner",
        learners.Learner,
        "A learner changed (in Verity or by the MIS bulk sync); `data` has `before` and `after`.",
    ),
)
