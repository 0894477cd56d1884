from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from app.core.schemas import Output


class AuditEvent(Output):
    seq: int
    centre_id: uuid.UUID
    occurred_at: dt.datetime
    actor: str
    actor_role: str
    action: str
    subject_type: str
    subject_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
    prev_hash: str
    hash: str


class ChainReport(Output):
    centre_id: uuid.UUID
    # The events in the centre's chain (its head's seq).
    events: int
    # Whether every link checked (checked_from..checked_to) is intact.
    ok: bool
    first_broken_seq: int | None = None
    reason: str | None = None
    checked_from: int
    checked_to: int
    # The next window's cursor; null once this window reached the chain's head.
    next_cursor: str | None = None
