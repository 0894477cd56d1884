"""IV records part of issue 12 (R-40, R-43, R-45): an IV record version carries its developmental
recommendations apart from its remedial actions; a remedial action has an owner role (assessor, IV or
LIV) and names the assessment decisions it concerns (only their release waits for it, R-25); the LIV's
arbitration of a disagreement is recorded (insert-only).

Existing actions are owned by the assessor (as before) and concern their IV record's decision.

Revision ID: 0012_ivactions
Revises: 0011_sampling
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0012_ivactions"
down_revision = "0011_sampling"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)


def upgrade(app_role: str = "verity_app") -> None:
    op.add_column(
        "iv_record_versions",
        sa.Column(
            "developmental_recommendations", pg.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False
        ),
    )
    op.add_column(
        "iv_remedial_actions",
        sa.Column("owner_role", sa.String(20), server_default="assessor", nullable=False),
    )
    op.add_column("iv_remedial_actions", sa.Column("decision_ids", pg.ARRAY(UUID), nullable=True))
    op.execute(
        "UPDATE iv_remedial_actions a SET decision_ids = ARRAY[r.decision_id] "
        "FROM iv_records r WHERE r.id = a.iv_record_id"
    )
    op.alter_column("iv_remedial_actions", "decision_ids", nullable=False)
    op.create_check_constraint("owner_role", "iv_remedial_actions", "owner_role IN ('assessor', 'iv', 'liv')")
    op.create_check_constraint("decisions", "iv_remedial_actions", "cardinality(decision_ids) >= 1")
    op.create_index(
        "ix_iv_remedial_actions_decision_ids", "iv_remedial_actions", ["decision_ids"], postgresql_using="gin"
    )
    op.create_table(
        "iv_arbitrations",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("centre_id", UUID, sa.ForeignKey("centres.id"), nullable=False),
        sa.Column("programme_id", UUID, sa.ForeignKey("programmes.id"), nullable=False),
        sa.Column("iv_record_id", UUID, sa.ForeignKey("iv_records.id"), nullable=False),
        sa.Column("record_version", sa.Integer(), nullable=False),
        sa.Column("decision_id", UUID, sa.ForeignKey("assessment_decisions.id"), nullable=False),
        sa.Column("decision_version", sa.Integer(), nullable=False),
        sa.Column("ruling", sa.String(20), nullable=False),
        sa.Column("reasoning", sa.String(4000), nullable=False),
        sa.Column("liv_staff_id", UUID, sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("arbitrated_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("ruling IN ('assessor', 'iv', 'other')", name="ruling"),
        sa.UniqueConstraint("iv_record_id", "record_version"),
    )
    op.create_index("ix_iv_arbitrations_iv_record_id", "iv_arbitrations", ["iv_record_id"])
    op.execute(f'GRANT SELECT, INSERT ON iv_arbitrations TO "{app_role}"')


def downgrade(app_role: str = "verity_app") -> None:
    op.drop_table("iv_arbitrations")
    # Dropping the columns drops their check constraints and the GIN index.
    op.drop_column("iv_remedial_actions", "decision_ids")
    op.drop_column("iv_remedial_actions", "owner_role")
    op.drop_column("iv_record_versions", "developmental_recommendations")
