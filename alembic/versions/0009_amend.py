"""Released means verified (R-25, R-26): a decision keeps the version its learner was given
(`released_version`) while an amendment of it waits for IV in the new status `amended`; every decision
version records the staff member who made it (`made_by`).

Revision ID: 0009_amend
Revises: 0008_idem
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0009_amend"
down_revision = "0008_idem"
branch_labels = None
depends_on = None

T = "assessment_decisions"
V = "assessment_decision_versions"


def upgrade(app_role: str = "verity_app") -> None:
    op.add_column(T, sa.Column("released_version", sa.Integer(), nullable=True))
    # A decision released before this revision was given to its learner at its current version.
    op.execute(f"UPDATE {T} SET released_version = current_version WHERE status = 'released'")
    op.drop_constraint(op.f("ck_assessment_decisions_status"), T, type_="check")
    op.create_check_constraint(
        op.f("ck_assessment_decisions_status"),
        T,
        "status IN ('draft', 'submitted_for_iv', 'released', 'amended')",
    )
    op.drop_constraint(op.f("ck_assessment_decisions_released"), T, type_="check")
    op.create_check_constraint(
        op.f("ck_assessment_decisions_released"),
        T,
        "(status IN ('released', 'amended')) = (released_at IS NOT NULL AND released_version IS NOT NULL)",
    )
    op.create_check_constraint(
        op.f("ck_assessment_decisions_released_version"),
        T,
        "released_version IS NULL OR released_version <= current_version",
    )
    # Versions are insert-only for the app role; the owner fills the new column once: before this
    # revision only the decision's assessor's logins recorded its versions.
    op.add_column(V, sa.Column("made_by", pg.UUID(as_uuid=True), nullable=True))
    op.execute(f"UPDATE {V} v SET made_by = d.assessor_staff_id FROM {T} d WHERE d.id = v.decision_id")
    op.alter_column(V, "made_by", nullable=False)
    op.create_foreign_key(op.f(f"fk_{V}_made_by_staff"), V, "staff", ["made_by"], ["id"])


def downgrade(app_role: str = "verity_app") -> None:
    op.drop_constraint(op.f(f"fk_{V}_made_by_staff"), V, type_="foreignkey")
    op.drop_column(V, "made_by")
    op.drop_constraint(op.f("ck_assessment_decisions_released_version"), T, type_="check")
    op.drop_constraint(op.f("ck_assessment_decisions_released"), T, type_="check")
    # An amendment awaiting IV goes back to what the learner was given being the released state.
    op.execute(
        f"UPDATE {T} SET status = 'released', current_version = released_version WHERE status = 'amended'"
    )
    op.create_check_constraint(
        op.f("ck_assessment_decisions_released"), T, "(status = 'released') = (released_at IS NOT NULL)"
    )
    op.drop_constraint(op.f("ck_assessment_decisions_status"), T, type_="check")
    op.create_check_constraint(
        op.f("ck_assessment_decisions_status"), T, "status IN ('draft', 'submitted_for_iv', 'released')"
    )
    op.drop_column(T, "released_version")
