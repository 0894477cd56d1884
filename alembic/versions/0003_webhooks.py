"""Webhooks for the MIS: endpoints, messages, deliveries and attempts; the worker consumes the outbox.

Revision ID: 0003_webhooks
Revises: 0001_foundation
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0003_webhooks"
down_revision = "0002_qualifications"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TS = sa.DateTime(timezone=True)


def upgrade(app_role: str = "verity_app") -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("centre_id", UUID, sa.ForeignKey("centres.id"), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("event_types", pg.ARRAY(sa.String(100)), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("previous_secret", sa.String(100), nullable=True),
        sa.Column("previous_secret_expires_at", TS, nullable=True),
        sa.Column("disabled_reason", sa.String(500), nullable=True),
        sa.Column("disabled_at", TS, nullable=True),
        sa.Column("failing_since", TS, nullable=True),
        sa.Column("created_at", TS, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", TS, server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_webhook_endpoints_centre_id", "webhook_endpoints", ["centre_id"])

    op.create_table(
        "webhook_messages",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("centre_id", UUID, nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TS, server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_webhook_messages_centre_id", "webhook_messages", ["centre_id"])

    op.create_table(
        "webhook_deliveries",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("centre_id", UUID, nullable=False),
        sa.Column("endpoint_id", UUID, sa.ForeignKey("webhook_endpoints.id"), nullable=False),
        sa.Column("message_id", UUID, sa.ForeignKey("webhook_messages.id"), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("retry_count", sa.Integer(), nullable=False),
        sa.Column("window_started_at", TS, nullable=False),
        sa.Column("next_attempt_at", TS, nullable=True),
        sa.Column("locked_until", TS, nullable=True),
        sa.Column("lease_token", UUID, nullable=True),
        sa.Column("last_attempt_at", TS, nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("succeeded_at", TS, nullable=True),
        sa.Column("created_at", TS, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", TS, server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("endpoint_id", "message_id"),
        sa.CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="status"),
    )
    op.create_index("ix_webhook_deliveries_endpoint_id_id", "webhook_deliveries", ["endpoint_id", "id"])
    op.create_index("ix_webhook_deliveries_message_id", "webhook_deliveries", ["message_id"])
    op.create_index(
        "ix_webhook_deliveries_due",
        "webhook_deliveries",
        ["next_attempt_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )

    op.create_table(
        "webhook_attempts",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("delivery_id", UUID, sa.ForeignKey("webhook_deliveries.id"), nullable=False),
        sa.Column("centre_id", UUID, nullable=False),
        sa.Column("attempted_at", TS, nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("response_excerpt", sa.Text(), nullable=True),
        sa.Column("error", sa.String(500), nullable=True),
    )
    op.create_index("ix_webhook_attempts_delivery_id_id", "webhook_attempts", ["delivery_id", "id"])

    # The API creates and changes endpoints; the worker fans out, claims, records and purges.
    op.execute(f'GRANT SELECT, INSERT, UPDATE ON webhook_endpoints TO "{app_role}"')
    op.execute(f'GRANT SELECT, INSERT, DELETE ON webhook_messages TO "{app_role}"')
    op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_deliveries TO "{app_role}"')
    op.execute(f'GRANT SELECT, INSERT, DELETE ON webhook_attempts TO "{app_role}"')
    # The worker consumes the outbox: it locks a batch (FOR UPDATE SKIP LOCKED, which PostgreSQL allows
    # only with UPDATE on at least one column: one column is granted, and never updated) and deletes it
    # in the transaction that writes the messages and deliveries.
    op.execute(f'GRANT DELETE, UPDATE (request_id) ON outbox TO "{app_role}"')


def downgrade(app_role: str = "verity_app") -> None:
    op.execute(f'REVOKE DELETE, UPDATE (request_id) ON outbox FROM "{app_role}"')
    for table in ("webhook_attempts", "webhook_deliveries", "webhook_messages", "webhook_endpoints"):
        op.drop_table(table)
