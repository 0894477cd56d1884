"""Qualification catalogue: imported specification versions (R-01, R-06).

Revision ID: 0002_qualifications
Revises: 0001_foundation
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0002_qualifications"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade(app_role: str = "verity_app") -> None:
    op.create_table(
        "qualifications",
        sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("centre_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("awarding_body", sa.String(20), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("number", sa.String(30), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("specification", pg.JSONB(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("imported_by", sa.String(200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("centre_id", "key", "version"),
    )
    op.create_index("ix_qualifications_centre_id", "qualifications", ["centre_id"])
    # Versions are kept, never rewritten: the application may add one, not change or remove it.
    op.execute(f'GRANT SELECT, INSERT ON qualifications TO "{app_role}"')


def downgrade(app_role: str = "verity_app") -> None:
    op.drop_table("qualifications")
