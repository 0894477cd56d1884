"""Decisions flagged for review by an appeal's outcome (R-62) or a staff malpractice case (R-73).

Insert-only for the application role: a flag is satisfied by a later IV record, never removed.

Revision ID: 0015_review
Revises: 0014_standard
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0015_review"
down_revision = "0014_standard"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)


def upgrade(app_role: str = "verity_app") -> None:
    op.create_table(
        "decision_review_flags",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("centre_id", UUID, sa.ForeignKey("centres.id"), nullable=False),
        sa.Column("decision_id", UUID, sa.ForeignKey("assessment_decisions.id"), nullable=False),
        sa.Column("decision_version", sa.Integer(), nullable=False),
        sa.Column("cause", sa.String(20), nullable=False),
        sa.Column("cause_id", UUID, nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("flagged_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("cause", "cause_id", "decision_id"),
        sa.CheckConstraint("cause IN ('appeal', 'malpractice')", name="cause"),
    )
    op.create_index("ix_decision_review_flags_decision_id", "decision_review_flags", ["decision_id"])
    op.execute(f'GRANT SELECT, INSERT ON decision_review_flags TO "{app_role}"')


def downgrade(app_role: str = "verity_app") -> None:
    op.drop_table("decision_review_flags")
