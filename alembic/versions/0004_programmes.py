"""Programmes and registration: the centre calendar (academic years, terms, closures), programmes with
their sites and staff, enrolments and registration (R-10..R-12), RPL (R-13), reasonable adjustments
(R-80), special consideration (R-81) and the idempotency keys of the MIS bulk sync.

Revision ID: 0004_programmes
Revises: 0003_webhooks
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0004_programmes"
down_revision = "0003_webhooks"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TABLES = (
    "idempotency_keys",
    "special_considerations",
    "reasonable_adjustments",
    "prior_learning",
    "enrolments",
    "programme_staff",
    "programme_sites",
    "programmes",
    "closures",
    "terms",
    "academic_years",
)


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def _centre() -> sa.Column:
    return sa.Column("centre_id", UUID, sa.ForeignKey("centres.id"), nullable=False)


def upgrade(app_role: str = "verity_app") -> None:
    _calendar()
    _programmes()
    _enrolments()
    _learner_support()
    op.create_table(
        "idempotency_keys",
        sa.Column("centre_id", UUID, primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("operation", sa.String(60), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", pg.JSONB(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])

    # Least privilege: a table is granted DELETE only where the service replaces rows wholesale (a
    # year's terms, a programme's sites and staff) or the centre removes one (a closure). Records about
    # learners are never deleted; RPL and adjustments are only added for now; idempotency keys are
    # written once and read back.
    op.execute(
        f"GRANT SELECT, INSERT, UPDATE ON academic_years, programmes, enrolments, special_considerations "
        f'TO "{app_role}"'
    )
    op.execute(
        f'GRANT SELECT, INSERT, DELETE ON terms, closures, programme_sites, programme_staff TO "{app_role}"'
    )
    op.execute(
        f'GRANT SELECT, INSERT ON prior_learning, reasonable_adjustments, idempotency_keys TO "{app_role}"'
    )


def _calendar() -> None:
    op.create_table(
        "academic_years",
        sa.Column("id", UUID, primary_key=True),
        _centre(),
        sa.Column("label", sa.String(20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        *_timestamps(),
        sa.UniqueConstraint("centre_id", "label"),
        sa.CheckConstraint("start_date <= end_date", name="dates"),
    )
    op.create_table(
        "terms",
        sa.Column("id", UUID, primary_key=True),
        _centre(),
        sa.Column("academic_year_id", UUID, sa.ForeignKey("academic_years.id"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.CheckConstraint("start_date <= end_date", name="dates"),
    )
    op.create_index("ix_terms_academic_year_id", "terms", ["academic_year_id"])
    op.create_table(
        "closures",
        sa.Column("id", UUID, primary_key=True),
        _centre(),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("centre_id", "date"),
    )


def _programmes() -> None:
    op.create_table(
        "programmes",
        sa.Column("id", UUID, primary_key=True),
        _centre(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("code", sa.String(30), nullable=True),
        sa.Column("qualification_id", UUID, sa.ForeignKey("qualifications.id"), nullable=False),
        sa.Column("academic_year_id", UUID, sa.ForeignKey("academic_years.id"), nullable=False),
        sa.Column("delivery_model", sa.String(20), nullable=False),
        sa.Column("subject_area", sa.String(100), nullable=False),
        sa.Column("programme_leader_id", UUID, sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("lead_internal_verifier_id", UUID, sa.ForeignKey("staff.id"), nullable=False),
        *_timestamps(),
        sa.UniqueConstraint("centre_id", "academic_year_id", "name"),
        sa.CheckConstraint("delivery_model IN ('academic_year', 'flexible')", name="delivery_model"),
    )
    op.create_index("ix_programmes_qualification_id", "programmes", ["qualification_id"])
    op.create_index("ix_programmes_academic_year_id", "programmes", ["academic_year_id"])
    op.create_table(
        "programme_sites",
        sa.Column("programme_id", UUID, sa.ForeignKey("programmes.id"), primary_key=True),
        sa.Column("site_id", UUID, sa.ForeignKey("sites.id"), primary_key=True),
        _centre(),
    )
    op.create_index("ix_programme_sites_site_id", "programme_sites", ["site_id"])
    op.create_table(
        "programme_staff",
        sa.Column("programme_id", UUID, sa.ForeignKey("programmes.id"), primary_key=True),
        sa.Column("role", sa.String(30), primary_key=True),
        sa.Column("staff_id", UUID, sa.ForeignKey("staff.id"), primary_key=True),
        _centre(),
        sa.CheckConstraint("role IN ('assessor', 'internal_verifier')", name="role"),
    )
    op.create_index("ix_programme_staff_staff_id", "programme_staff", ["staff_id"])


def _enrolments() -> None:
    op.create_table(
        "enrolments",
        sa.Column("id", UUID, primary_key=True),
        _centre(),
        sa.Column("learner_id", UUID, sa.ForeignKey("learners.id"), nullable=False),
        sa.Column("programme_id", UUID, sa.ForeignKey("programmes.id"), nullable=False),
        sa.Column("qualification_id", UUID, sa.ForeignKey("qualifications.id"), nullable=False),
        sa.Column("mis_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("enrolled_on", sa.Date(), nullable=False),
        sa.Column("identity_checked_by", sa.String(200), nullable=False),
        sa.Column("registration_deadline", sa.Date(), nullable=False),
        sa.Column("registration_number", sa.String(30), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("status_reason", sa.String(500), nullable=True),
        sa.Column("transferred_from_id", UUID, sa.ForeignKey("enrolments.id"), nullable=True),
        sa.Column("transferred_to_id", UUID, sa.ForeignKey("enrolments.id"), nullable=True),
        *_timestamps(),
        sa.UniqueConstraint("centre_id", "mis_id"),
        sa.CheckConstraint(
            "status IN ('enrolled', 'registered', 'transferred', 'withdrawn', 'completed')", name="status"
        ),
        sa.CheckConstraint("(registration_number IS NULL) = (registered_on IS NULL)", name="registration"),
        sa.CheckConstraint(
            "status NOT IN ('registered', 'completed') OR registration_number IS NOT NULL",
            name="registered_has_number",
        ),
    )
    op.create_index("ix_enrolments_learner_id", "enrolments", ["learner_id"])
    op.create_index("ix_enrolments_programme_id", "enrolments", ["programme_id"])
    # One live place per learner and programme.
    op.create_index(
        "uq_enrolments_programme_id_learner_id_active",
        "enrolments",
        ["programme_id", "learner_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('enrolled', 'registered')"),
    )


def _learner_support() -> None:
    op.create_table(
        "prior_learning",
        sa.Column("id", UUID, primary_key=True),
        _centre(),
        sa.Column("learner_id", UUID, sa.ForeignKey("learners.id"), nullable=False),
        sa.Column("qualification_id", UUID, sa.ForeignKey("qualifications.id"), nullable=False),
        sa.Column("unit_number", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("evidence_reference", sa.String(500), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("status IN ('to_be_assessed', 'assessed')", name="status"),
    )
    op.create_table(
        "reasonable_adjustments",
        sa.Column("id", UUID, primary_key=True),
        _centre(),
        sa.Column("learner_id", UUID, sa.ForeignKey("learners.id"), nullable=False),
        sa.Column("qualification_id", UUID, sa.ForeignKey("qualifications.id"), nullable=True),
        sa.Column("adjustment", sa.String(500), nullable=False),
        sa.Column("normal_way_of_working", sa.String(500), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("applies_from", sa.Date(), nullable=False),
        sa.Column("agreed_by", sa.String(200), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("agreed_on <= applies_from", name="agreed_before_assessment"),
    )
    op.create_table(
        "special_considerations",
        sa.Column("id", UUID, primary_key=True),
        _centre(),
        sa.Column("learner_id", UUID, sa.ForeignKey("learners.id"), nullable=False),
        sa.Column("qualification_id", UUID, sa.ForeignKey("qualifications.id"), nullable=True),
        sa.Column("unit_number", sa.Integer(), nullable=True),
        sa.Column("assessment_date", sa.Date(), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("circumstances", sa.String(500), nullable=False),
        sa.Column("applied_by", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_reason", sa.String(500), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("status IN ('applied', 'authorised', 'refused')", name="status"),
        sa.CheckConstraint("assessment_date <= applied_on", name="applied_after_assessment"),
        sa.CheckConstraint("(status = 'applied') = (decided_by IS NULL)", name="decision"),
    )
    for table in ("prior_learning", "reasonable_adjustments", "special_considerations"):
        op.create_index(f"ix_{table}_centre_id", table, ["centre_id"])
        op.create_index(f"ix_{table}_learner_id", table, ["learner_id"])


def downgrade(app_role: str = "verity_app") -> None:
    for table in TABLES:
        op.drop_table(table)
