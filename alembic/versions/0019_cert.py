"""Certification (R-90..R-94): QMR visits, claims and their entries, certificates received; employer
involvement (R-95): employers, plans, activities, participation, declarations.

Claims, entries, certificates, QMR visits, plans and activities change through their transitions (a
version each); employers, participation and declarations are insert-only for the application role.

Revision ID: 0019_cert
Revises: 0015_review
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0019_cert"
down_revision = "0018_malpractice"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TABLES = (
    "employer_involvement_declarations",
    "employer_activity_participants",
    "employer_activities",
    "employer_involvement_plans",
    "employers",
    "certificates",
    "claim_entries",
    "certification_claims",
    "qmr_visits",
)


def _fk(name: str, target: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, UUID, sa.ForeignKey(target), nullable=nullable)


def _ts(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _versioned() -> list[sa.Column]:
    return [_ts("created_at"), _ts("updated_at"), sa.Column("version", sa.Integer(), nullable=False)]


def _s(name: str, n: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(n), nullable=nullable)


def upgrade(app_role: str = "verity_app") -> None:
    op.create_table(
        "qmr_visits",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        sa.Column("visited_on", sa.Date(), nullable=False),
        _s("reviewer", 100),
        sa.Column("judgements", pg.JSONB(), nullable=False),
        _s("note", 4000, True),
        sa.Column("progress_report_on", sa.Date(), nullable=True),
        _s("progress_report_note", 4000, True),
        _s("recorded_by", 200),
        *_versioned(),
    )
    op.create_index("ix_qmr_visits_centre_id", "qmr_visits", ["centre_id"])
    op.create_table(
        "certification_claims",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("programme_id", "programmes.id"),
        _fk("qualification_id", "qualifications.id"),
        _s("claim_type", 10),
        _s("status", 20),
        sa.Column("due_on", sa.Date(), nullable=False),
        _s("created_by", 200),
        _s("records_confirmed_by", 200, True),
        _s("leader_checked_by", 200, True),
        _s("prepared_by", 200, True),
        _s("checked_by", 200, True),
        _s("submitted_by", 200, True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        *_versioned(),
        sa.CheckConstraint(
            "status IN ('draft', 'records_confirmed', 'leader_checked', 'prepared', 'checked', 'submitted')",
            name="status",
        ),
        sa.CheckConstraint("claim_type IN ('full', 'unit')", name="claim_type"),
        sa.CheckConstraint("checked_by IS NULL OR checked_by <> prepared_by", name="second_checker"),
    )
    op.create_index("ix_certification_claims_centre_id", "certification_claims", ["centre_id"])
    op.create_index("ix_certification_claims_programme_id", "certification_claims", ["programme_id"])
    op.create_table(
        "claim_entries",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("claim_id", "certification_claims.id"),
        _fk("learner_id", "learners.id"),
        _s("status", 20),
        _s("registration_number", 30, True),
        _s("given_name", 100),
        _s("family_name", 100),
        sa.Column("units", pg.JSONB(), nullable=False),
        _s("overall_grade", 10, True),
        sa.Column("removed_reasons", pg.JSONB(), nullable=False),
        *_versioned(),
        sa.UniqueConstraint("claim_id", "learner_id"),
        sa.CheckConstraint("status IN ('included', 'removed')", name="status"),
    )
    op.create_index("ix_claim_entries_claim_id", "claim_entries", ["claim_id"])
    op.create_index("ix_claim_entries_learner_id", "claim_entries", ["learner_id"])
    op.create_table(
        "certificates",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("claim_id", "certification_claims.id"),
        _fk("entry_id", "claim_entries.id"),
        _fk("learner_id", "learners.id"),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("check_due_on", sa.Date(), nullable=True),
        _s("learner_name", 100),
        _s("overall_grade", 100, True),
        sa.Column("units", pg.JSONB(), nullable=False),
        _s("status", 20),
        sa.Column("anomalies", pg.JSONB(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=True),
        _s("resolution_note", 500, True),
        _s("recorded_by", 200),
        *_versioned(),
        sa.CheckConstraint("status IN ('received', 'cleared', 'withheld', 'released')", name="status"),
    )
    op.create_index("ix_certificates_centre_id", "certificates", ["centre_id"])
    op.create_index("ix_certificates_claim_id", "certificates", ["claim_id"])
    op.create_table(
        "employers",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _s("name", 100),
        _s("sector", 100),
        _s("recorded_by", 200),
        _ts("created_at"),
        sa.UniqueConstraint("centre_id", "name"),
    )
    op.create_table(
        "employer_involvement_plans",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("programme_id", "programmes.id"),
        _s("sector", 100),
        sa.Column("planned_on", sa.Date(), nullable=False),
        _s("summary", 4000),
        sa.Column("required_for_certification", sa.Boolean(), nullable=False),
        _s("created_by", 200),
        *_versioned(),
        sa.UniqueConstraint("programme_id"),
    )
    op.create_index("ix_employer_involvement_plans_centre_id", "employer_involvement_plans", ["centre_id"])
    op.create_table(
        "employer_activities",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("plan_id", "employer_involvement_plans.id"),
        _fk("programme_id", "programmes.id"),
        _fk("employer_id", "employers.id"),
        _s("activity_type", 20),
        _s("title", 100),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("confirmed_on", sa.Date(), nullable=True),
        _s("confirmed_by", 200, True),
        _s("created_by", 200),
        *_versioned(),
        # only meaningful activity counts; the others are refused with the rule by the service.
        sa.CheckConstraint(
            "activity_type IN ('expert_witness', 'industry_project', 'master_class', 'placement')",
            name="activity_type",
        ),
    )
    op.create_index("ix_employer_activities_plan_id", "employer_activities", ["plan_id"])
    op.create_index("ix_employer_activities_programme_id", "employer_activities", ["programme_id"])
    op.create_table(
        "employer_activity_participants",
        sa.Column("activity_id", UUID, sa.ForeignKey("employer_activities.id"), primary_key=True),
        sa.Column("learner_id", UUID, sa.ForeignKey("learners.id"), primary_key=True),
        _fk("centre_id", "centres.id"),
        _s("recorded_by", 200),
        _ts("created_at"),
    )
    op.create_index(
        "ix_employer_activity_participants_learner_id", "employer_activity_participants", ["learner_id"]
    )
    op.create_table(
        "employer_involvement_declarations",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("plan_id", "employer_involvement_plans.id"),
        sa.Column("moderation_on", sa.Date(), nullable=False),
        _s("statement", 4000),
        sa.Column("learners_without_activity", sa.Integer(), nullable=False),
        _s("declared_by", 200),
        _ts("created_at"),
    )
    op.create_index(
        "ix_employer_involvement_declarations_plan_id", "employer_involvement_declarations", ["plan_id"]
    )
    op.execute(
        "GRANT SELECT, INSERT, UPDATE ON qmr_visits, certification_claims, claim_entries, certificates, "
        f'employer_involvement_plans, employer_activities TO "{app_role}"'
    )
    op.execute(
        "GRANT SELECT, INSERT ON employers, employer_activity_participants, "
        f'employer_involvement_declarations TO "{app_role}"'
    )


def downgrade(app_role: str = "verity_app") -> None:
    for table in TABLES:
        op.drop_table(table)
