"""Internal verification: LIV appointments and annual records (R-40), IV plans, schedule and sign-off
(R-41, R-42), IV samples (R-42), IV records with versions, remedial actions and reassessment flags
(R-43, R-44).

Revision ID: 0006_verification
Revises: 0005_assessment
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0006_verification"
down_revision = "0005_assessment"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TABLES = (
    "iv_reassessment_flags",
    "iv_remedial_actions",
    "iv_record_versions",
    "iv_records",
    "iv_sample_items",
    "iv_samples",
    "iv_plan_sign_offs",
    "iv_schedule_entries",
    "iv_plans",
    "liv_annual_records",
    "liv_appointments",
)


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def _created_at() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _fk(name: str, target: str, nullable: bool = False, **kw) -> sa.Column:
    return sa.Column(name, UUID, sa.ForeignKey(target), nullable=nullable, **kw)


def _index(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(f"ix_{table}_{column}", table, [column])


def upgrade(app_role: str = "verity_app") -> None:
    _livs()
    _plans()
    _samples()
    _records()
    # Least privilege (house rule 6): IV record versions, samples and their items, sign-offs, annual LIV
    # records and reassessment flags are only ever added. An IV record row carries its current version
    # and outcome, an action is closed, a plan and its schedule are edited, an appointment ends: those
    # are updated. Nothing is deleted.
    op.execute(
        f"GRANT SELECT, INSERT, UPDATE ON liv_appointments, iv_plans, iv_schedule_entries, iv_records, "
        f'iv_remedial_actions TO "{app_role}"'
    )
    op.execute(
        f"GRANT SELECT, INSERT ON liv_annual_records, iv_plan_sign_offs, iv_samples, iv_sample_items, "
        f'iv_record_versions, iv_reassessment_flags TO "{app_role}"'
    )


def _livs() -> None:
    op.create_table(
        "liv_appointments",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        sa.Column("subject_area", sa.String(100), nullable=False),
        _fk("staff_id", "staff.id"),
        sa.Column("appointed_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("appointed_by", sa.String(200), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("ended_on IS NULL OR appointed_on <= ended_on", name="dates"),
    )
    _index("liv_appointments", "centre_id")
    op.create_table(
        "liv_annual_records",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("appointment_id", "liv_appointments.id"),
        _fk("academic_year_id", "academic_years.id"),
        sa.Column("awarding_body", sa.String(100), nullable=False),
        sa.Column("registration_reference", sa.String(100), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("standardised_on", sa.Date(), nullable=True),
        sa.Column("standardisation_evidence", sa.String(500), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        _created_at(),
    )
    _index("liv_annual_records", "appointment_id")


def _plans() -> None:
    op.create_table(
        "iv_plans",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("programme_id", "programmes.id"),
        sa.Column("default_rate", sa.Numeric(5, 4), nullable=False),
        sa.Column("new_assessor_rate", sa.Numeric(5, 4), nullable=False),
        sa.Column("disagreement_rate", sa.Numeric(5, 4), nullable=False),
        sa.Column("assessor_rates", pg.JSONB(), nullable=False),
        sa.Column("new_assessor_ids", pg.ARRAY(UUID), nullable=False),
        sa.Column("new_qualification", sa.Boolean(), nullable=False),
        sa.Column("strategy", sa.String(4000), nullable=True),
        *_timestamps(),
        sa.UniqueConstraint("programme_id"),
        sa.CheckConstraint(
            "default_rate > 0 AND default_rate <= 1 AND new_assessor_rate > 0 AND "
            "new_assessor_rate <= 1 AND disagreement_rate > 0 AND disagreement_rate <= 1",
            name="rates",
        ),
    )
    op.create_table(
        "iv_schedule_entries",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("iv_plan_id", "iv_plans.id"),
        _fk("plan_entry_id", "assessment_plan_entries.id"),
        _fk("verifier_staff_id", "staff.id"),
        sa.Column("planned_iv_date", sa.Date(), nullable=False),
        *_timestamps(),
        sa.UniqueConstraint("plan_entry_id"),
    )
    _index("iv_schedule_entries", "iv_plan_id")
    op.create_table(
        "iv_plan_sign_offs",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("iv_plan_id", "iv_plans.id"),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        _fk("liv_staff_id", "staff.id"),
        sa.Column("signed_by", sa.String(200), nullable=False),
        _created_at(),
        sa.UniqueConstraint("iv_plan_id", "plan_version"),
    )
    _index("iv_plan_sign_offs", "iv_plan_id")


def _samples() -> None:
    op.create_table(
        "iv_samples",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("programme_id", "programmes.id"),
        _fk("brief_id", "assignment_briefs.id"),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("inputs_digest", sa.String(64), nullable=False),
        sa.Column("policy", pg.JSONB(), nullable=False),
        sa.Column("population", pg.ARRAY(UUID), nullable=False),
        sa.Column("drawn_by", sa.String(200), nullable=False),
        _created_at(),
    )
    _index("iv_samples", "programme_id", "brief_id")
    op.create_table(
        "iv_sample_items",
        _fk("sample_id", "iv_samples.id", primary_key=True),
        _fk("decision_id", "assessment_decisions.id", primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("assessor_staff_id", "staff.id"),
        sa.Column("grade", sa.String(1), nullable=False),
        _fk("site_id", "sites.id", nullable=True),
        sa.Column("rationale", pg.JSONB(), nullable=False),
    )
    _index("iv_sample_items", "decision_id")


def _records() -> None:
    op.create_table(
        "iv_records",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("programme_id", "programmes.id"),
        _fk("brief_id", "assignment_briefs.id"),
        _fk("decision_id", "assessment_decisions.id"),
        _fk("assessor_staff_id", "staff.id"),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("decision_version", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.UniqueConstraint("decision_id"),
        sa.CheckConstraint("outcome IN ('agree', 'disagree')", name="outcome"),
    )
    _index("iv_records", "programme_id", "brief_id")
    op.create_table(
        "iv_record_versions",
        _fk("record_id", "iv_records.id", primary_key=True),
        sa.Column("number", sa.Integer(), primary_key=True),
        _fk("centre_id", "centres.id"),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("decision_version", sa.Integer(), nullable=False),
        sa.Column("criteria_comments", pg.JSONB(), nullable=False),
        sa.Column("feedback_to_assessor", sa.String(4000), nullable=False),
        sa.Column("reassess_batch", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=True),
        _fk("verifier_staff_id", "staff.id"),
        sa.Column("verified_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("number = 1 OR reason IS NOT NULL", name="amendment_reason"),
        sa.CheckConstraint("outcome IN ('agree', 'disagree')", name="outcome"),
    )
    op.create_table(
        "iv_remedial_actions",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("programme_id", "programmes.id"),
        _fk("brief_id", "assignment_briefs.id"),
        _fk("iv_record_id", "iv_records.id"),
        sa.Column("description", sa.String(1000), nullable=False),
        _fk("owner_staff_id", "staff.id"),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("due_in_working_days", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("raised_by", sa.String(200), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(200), nullable=True),
        sa.Column("closure_note", sa.String(1000), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("status IN ('open', 'closed')", name="status"),
        sa.CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed"),
    )
    _index("iv_remedial_actions", "programme_id", "brief_id", "iv_record_id")
    op.create_table(
        "iv_reassessment_flags",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("brief_id", "assignment_briefs.id"),
        _fk("iv_record_id", "iv_records.id"),
        _fk("decision_id", "assessment_decisions.id"),
        sa.Column("decision_version", sa.Integer(), nullable=False),
        _created_at(),
        sa.UniqueConstraint("iv_record_id", "decision_id"),
    )
    _index("iv_reassessment_flags", "brief_id", "decision_id")


def downgrade(app_role: str = "verity_app") -> None:
    for table in TABLES:
        op.drop_table(table)
