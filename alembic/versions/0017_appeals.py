"""Appeals (R-60..R-63): the centre's appeal policy, appeals and their stages.

Appeals and their stages are kept at least 18 months after closure (R-63): the application role may add
and change them, never delete them (the records issue enforces retention).

Revision ID: 0017_appeals
Revises: 0015_review
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0017_appeals"
down_revision = "0021_records"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TABLES = ("appeal_stages", "appeals", "appeal_policies")


def _fk(name: str, target: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, UUID, sa.ForeignKey(target), nullable=nullable)


def _versioned() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def upgrade(app_role: str = "verity_app") -> None:
    op.create_table(
        "appeal_policies",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        sa.Column("window_working_days", sa.Integer(), nullable=False),
        sa.Column("stage_working_days", pg.ARRAY(sa.Integer()), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        *_versioned(),
        sa.UniqueConstraint("centre_id"),
        sa.CheckConstraint("window_working_days BETWEEN 1 AND 60", name="window"),
        sa.CheckConstraint("cardinality(stage_working_days) = 4", name="stages"),
    )
    op.create_table(
        "appeals",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        sa.Column("kind", sa.String(20), nullable=False),
        _fk("learner_id", "learners.id"),
        _fk("decision_id", "assessment_decisions.id"),
        sa.Column("decision_version", sa.Integer(), nullable=False),
        _fk("programme_id", "programmes.id"),
        _fk("brief_id", "assignment_briefs.id"),
        _fk("qualification_id", "qualifications.id"),
        sa.Column("unit_numbers", pg.ARRAY(sa.Integer()), nullable=False),
        _fk("assessor_staff_id", "staff.id"),
        _fk("academic_year_id", "academic_years.id"),
        sa.Column("lodged_on", sa.Date(), nullable=False),
        sa.Column("lodged_by", sa.String(200), nullable=False),
        sa.Column("on_behalf", sa.Boolean(), nullable=False),
        sa.Column("grounds", sa.String(4000), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("current_stage", sa.Integer(), nullable=False),
        sa.Column("escalate_by", sa.Date(), nullable=True),
        sa.Column("amended_version", sa.Integer(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        *_versioned(),
        sa.CheckConstraint("kind IN ('decision', 'conduct')", name="kind"),
        sa.CheckConstraint(
            "status IN ('open', 'not_upheld', 'upheld', 'withdrawn', 'closed_not_upheld')", name="status"
        ),
        sa.CheckConstraint("current_stage BETWEEN 1 AND 4", name="current_stage"),
    )
    for column in ("learner_id", "decision_id", "assessor_staff_id"):
        op.create_index(f"ix_appeals_{column}", "appeals", [column])
    op.create_table(
        "appeal_stages",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("appeal_id", "appeals.id"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        _fk("judge_staff_id", "staff.id", nullable=True),
        sa.Column("grounds", sa.String(4000), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("response", sa.String(4000), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("awarding_body_reference", sa.String(100), nullable=True),
        sa.Column("overdue_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("appeal_id", "number"),
        sa.CheckConstraint("number BETWEEN 1 AND 4", name="number"),
        sa.CheckConstraint("outcome IN ('open', 'upheld', 'not_upheld', 'withdrawn')", name="outcome"),
        sa.CheckConstraint("(outcome = 'open') = (response IS NULL)", name="response"),
        sa.CheckConstraint("(number = 4) = (judge_staff_id IS NULL)", name="judge"),
    )
    op.create_index("ix_appeal_stages_appeal_id", "appeal_stages", ["appeal_id"])
    op.execute(f'GRANT SELECT, INSERT, UPDATE ON appeal_policies, appeals, appeal_stages TO "{app_role}"')


def downgrade(app_role: str = "verity_app") -> None:
    for table in TABLES:
        op.drop_table(table)
