"""Idempotency keys for every creating POST and GraphQL mutation, not only the bulk sync: scoped per
principal as well as per centre, with an expiry, the stored status and headers, and an in-progress
state (no answer yet) that a concurrent retry waits on.

Revision ID: 0008_idem
Revises: 0007_enrolment_site
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0008_idem"
down_revision = "0007_enrolment_site"
branch_labels = None
depends_on = None


def upgrade(app_role: str = "verity_app") -> None:
    # Keys stored before this revision belonged to the centre's MIS integration; they expire a day
    # after they were made, like the new ones, and cannot be claimed by a principal meanwhile.
    op.add_column("idempotency_keys", sa.Column("subject", sa.String(255), nullable=False, server_default=""))
    op.alter_column("idempotency_keys", "subject", server_default=None)
    op.add_column(
        "idempotency_keys",
        sa.Column(
            "expires_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now() + interval '24 hours'"),
        ),
    )
    op.execute("UPDATE idempotency_keys SET expires_at = created_at + interval '24 hours'")
    op.alter_column("idempotency_keys", "expires_at", server_default=None)
    op.add_column(
        "idempotency_keys",
        sa.Column("headers", pg.JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
    )
    op.alter_column("idempotency_keys", "status_code", nullable=True)
    op.alter_column("idempotency_keys", "response", nullable=True)
    op.drop_constraint("pk_idempotency_keys", "idempotency_keys", type_="primary")
    op.create_primary_key("pk_idempotency_keys", "idempotency_keys", ["centre_id", "subject", "key"])
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.create_index("ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"])
    # UPDATE: the answer is stored on the row claimed at the start; DELETE: expired keys are purged.
    op.execute(f'GRANT UPDATE, DELETE ON idempotency_keys TO "{app_role}"')


def downgrade(app_role: str = "verity_app") -> None:
    op.execute(f'REVOKE UPDATE, DELETE ON idempotency_keys FROM "{app_role}"')
    op.execute("DELETE FROM idempotency_keys WHERE response IS NULL OR subject <> ''")
    op.drop_index("ix_idempotency_keys_expires_at", table_name="idempotency_keys")
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])
    op.drop_constraint("pk_idempotency_keys", "idempotency_keys", type_="primary")
    op.create_primary_key("pk_idempotency_keys", "idempotency_keys", ["centre_id", "key"])
    op.alter_column("idempotency_keys", "response", nullable=False)
    op.alter_column("idempotency_keys", "status_code", nullable=False)
    op.drop_column("idempotency_keys", "headers")
    op.drop_column("idempotency_keys", "expires_at")
    op.drop_column("idempotency_keys", "subject")
