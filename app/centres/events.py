"""The events of centres, their sites and staff (webhook payloads; app.centres.service records them)."""

from __future__ import annotations

from typing import ClassVar

from app.centres import schemas
from app.events.event import Changed, Event


class CentreCreated(schemas.Centre, Event):
    """A centre was created; `data` is the new record."""

    type: ClassVar[str] = "centre.created"


class CentreUpdated(Changed[schemas.Centre]):
    """A centre changed; `data` has `before` and `after`."""

    type: ClassVar[str] = "centre.updated"


class SiteCreated(schemas.Site, Event):
    """A site was created; `data` is the new record."""

    type: ClassVar[str] = "site.created"


class SiteUpdated(Changed[schemas.Site]):
    """A site changed; `data` has `before` and `after`."""

    type: ClassVar[str] = "site.updated"


class StaffMemberCreated(schemas.StaffMember, Event):
    """A staff member was created; `data` is the new record."""

    type: ClassVar[str] = "staff_member.created"


class StaffMemberUpdated(Changed[schemas.StaffMember]):
    """A staff member changed; `data` has `before` and `after`."""

    type: ClassVar[str] = "staff_member.updated"
