"""Planning and registration (R-20, R-21, R-11, R-13).

- R-20: `assessment_plan_sign_offs`, the LIV's append-only sign-off of a programme's assessment plan as
  it stood (every entry at its version).
- R-21: `assignment_briefs.reused_from_id`, the earlier year's brief a new draft reuses.

Revision ID: 0011_planning
Revises: 0010_subm
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0011_planning"
down_revision = "0010_subm"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)


def _fk(name: str, target: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, UUID, sa.ForeignKey(target), nullable=nullable)


def upgrade(app_role: str = "verity_app") -> None:
    op.create_table(
        "assessment_plan_sign_offs",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("programme_id", "programmes.id"),
        sa.Column("entries", pg.JSONB(), nullable=False),
        _fk("signed_off_by_staff_id", "staff.id"),
        sa.Column("signed_off_by_subject", sa.String(200), nullable=False),
        sa.Column("signed_off_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_index(
        "ix_assessment_plan_sign_offs_programme_id", "assessment_plan_sign_offs", ["programme_id"]
    )
    op.execute(f'GRANT SELECT, INSERT ON assessment_plan_sign_offs TO "{app_role}"')
    op.add_column("assignment_briefs", _fk("reused_from_id", "assignment_briefs.id", nullable=True))


def downgrade(app_role: str = "verity_app") -> None:
    op.drop_column("assignment_briefs", "reused_from_id")
    op.drop_table("assessment_plan_sign_offs")
