"""The webhook slice's problems (RFC 9457): each names the field at fault."""

from __future__ import annotations

from app.core.errors import ProblemError


class WebhookUrlRefused(ProblemError):
    """The URL is not one Verity will send to (scheme, credentials, or a non-public address)."""

    status, slug, title = 422, "webhook-url-refused", "Webhook URL refused"


class UnknownEventType(ProblemError):
    """A subscription names an event type that is not in the catalogue."""

    status, slug, title = 422, "unknown-event-type", "Unknown event type"
