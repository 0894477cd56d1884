"""Planning and registration (R-20, R-21, R-11, R-13).

- R-20: `assessment_plan_sign_offs`, the LIV's append-only sign-off of a programme's assessment plan as
  it stood (every entry at its version).
- R-21: `assignment_briefs.reused_from_id`, the earlier year's brief a new draft reuses.
- R-11: the registered name and date of birth on `enrolments`, with `registration_inaccurate` when they
  differ from the MIS record; `registration_escalations`, the QN's escalation to the HoC (its date, the
  day it was due, the HoC's outcome), at most one open per enrolment.
- R-13: prior learning moves to `assessed` (naming the decision) or `rejected` (with a reason), and
  names the record it was carried from by an in-year transfer; the application may now update it.

Revision ID: 0013_planning
Revises: 0012_ivactions
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0013_planning"
down_revision = "0012_ivactions"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)


def _fk(name: str, target: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, UUID, sa.ForeignKey(target), nullable=nullable)


def _prior_learning_up() -> None:
    for column in (
        _fk("decision_id", "assessment_decisions.id", nullable=True),
        sa.Column("rejection_reason", sa.String(500), nullable=True),
        sa.Column("assessed_by", sa.String(200), nullable=True),
        sa.Column("assessed_on", sa.Date(), nullable=True),
        _fk("carried_from_id", "prior_learning.id", nullable=True),
    ):
        op.add_column("prior_learning", column)
    op.drop_constraint(op.f("ck_prior_learning_status"), "prior_learning", type_="check")
    op.create_check_constraint(
        "status", "prior_learning", "status IN ('to_be_assessed', 'assessed', 'rejected')"
    )
    op.create_check_constraint(
        "assessed_decision", "prior_learning", "(status = 'assessed') = (decision_id IS NOT NULL)"
    )
    op.create_check_constraint(
        "rejected_reason", "prior_learning", "(status = 'rejected') = (rejection_reason IS NOT NULL)"
    )


def _escalations_up() -> None:
    op.add_column("enrolments", sa.Column("registered_given_name", sa.String(100), nullable=True))
    op.add_column("enrolments", sa.Column("registered_family_name", sa.String(100), nullable=True))
    op.add_column("enrolments", sa.Column("registered_date_of_birth", sa.Date(), nullable=True))
    op.add_column(
        "enrolments",
        sa.Column("registration_inaccurate", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_table(
        "registration_escalations",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("enrolment_id", "enrolments.id"),
        sa.Column("issue", sa.String(20), nullable=False),
        sa.Column("flagged_on", sa.Date(), nullable=False),
        sa.Column("due_by", sa.Date(), nullable=True),
        sa.Column("escalated_on", sa.Date(), nullable=False),
        sa.Column("escalated_by", sa.String(200), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("outcome", sa.String(500), nullable=True),
        sa.Column("outcome_recorded_on", sa.Date(), nullable=True),
        sa.Column("outcome_recorded_by", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("issue IN ('late', 'early', 'overdue', 'inaccurate')", name="issue"),
        sa.CheckConstraint("status IN ('open', 'resolved')", name="status"),
        sa.CheckConstraint("(status = 'open') = (outcome IS NULL)", name="outcome"),
    )
    for column in ("centre_id", "enrolment_id"):
        op.create_index(f"ix_registration_escalations_{column}", "registration_escalations", [column])
    op.create_index(
        "uq_registration_escalations_enrolment_id_open",
        "registration_escalations",
        ["enrolment_id"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
    )


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
    _escalations_up()
    op.execute(f'GRANT SELECT, INSERT, UPDATE ON registration_escalations TO "{app_role}"')
    _prior_learning_up()
    op.execute(f'GRANT UPDATE ON prior_learning TO "{app_role}"')


def downgrade(app_role: str = "verity_app") -> None:
    op.execute(f'REVOKE UPDATE ON prior_learning FROM "{app_role}"')
    for name in ("rejected_reason", "assessed_decision", "status"):
        op.drop_constraint(op.f(f"ck_prior_learning_{name}"), "prior_learning", type_="check")
    op.execute("DELETE FROM prior_learning WHERE carried_from_id IS NOT NULL")
    op.execute("UPDATE prior_learning SET status = 'to_be_assessed' WHERE status = 'rejected'")
    op.create_check_constraint("status", "prior_learning", "status IN ('to_be_assessed', 'assessed')")
    for column in ("carried_from_id", "assessed_on", "assessed_by", "rejection_reason", "decision_id"):
        op.drop_column("prior_learning", column)
    op.drop_table("registration_escalations")
    for column in (
        "registration_inaccurate",
        "registered_date_of_birth",
        "registered_family_name",
        "registered_given_name",
    ):
        op.drop_column("enrolments", column)
    op.drop_column("assignment_briefs", "reused_from_id")
    op.drop_table("assessment_plan_sign_offs")
