"""Standards verification (R-50..R-52) and OCR moderation (R-51): the sample-size reference table,
verifier allocations, samples with their requests and items, verifiers' grants, outcomes with actions,
moderation visits and the decision versions they made.

Requests, outcomes, moderation visits and their adjustments are evidence of what happened: the
application role may only add them. An item may be taken out of a sample not yet submitted (DELETE).

Revision ID: 0016_sv
Revises: 0018_malpractice (re-chained when main was merged in)
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0016_sv"
down_revision = "0018_malpractice"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TABLES = (
    "ocr_moderation_adjustments",
    "ocr_moderation_visits",
    "sv_actions",
    "sv_outcomes",
    "sv_grants",
    "sv_sample_items",
    "sv_sample_requests",
    "sv_samples",
    "sv_allocations",
    "sv_policies",
)


def _created_at() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _versioned() -> list[sa.Column]:
    return [
        _created_at(),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def _fk(name: str, target: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, UUID, sa.ForeignKey(target), nullable=nullable)


def _text(name: str, length: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=nullable)


def upgrade(app_role: str = "verity_app") -> None:
    op.create_table(
        "sv_policies",
        sa.Column("centre_id", UUID, sa.ForeignKey("centres.id"), primary_key=True),
        sa.Column("all_up_to", sa.Integer(), nullable=False),
        sa.Column("band_limits", pg.ARRAY(sa.Integer()), nullable=False),
        sa.Column("standard_sizes", pg.ARRAY(sa.Integer()), nullable=False),
        sa.Column("enhanced_sizes", pg.ARRAY(sa.Integer()), nullable=False),
        sa.Column("further_standard", sa.Integer(), nullable=False),
        sa.Column("further_enhanced", sa.Integer(), nullable=False),
        sa.Column("moderation_visits_per_year", sa.Integer(), nullable=False),
        _text("updated_by", 200),
        *_versioned(),
    )
    op.create_table(
        "sv_allocations",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("programme_id", "programmes.id"),
        _fk("academic_year_id", "academic_years.id"),
        _text("subject_area", 100),
        _text("measure", 20),
        _text("verifier_name", 200),
        sa.Column("allocated_on", sa.Date(), nullable=False),
        _text("recorded_by", 200),
        *_versioned(),
        sa.UniqueConstraint("programme_id", "academic_year_id"),
        sa.CheckConstraint("measure IN ('standard', 'enhanced')", name="measure"),
    )
    op.create_index("ix_sv_allocations_centre_id", "sv_allocations", ["centre_id"])
    op.create_table(
        "sv_samples",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("allocation_id", "sv_allocations.id"),
        _fk("programme_id", "programmes.id"),
        sa.Column("round", sa.Integer(), nullable=False),
        _text("status", 20),
        sa.Column("required_size", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        _text("submitted_by", 200, nullable=True),
        _text("created_by", 200),
        *_versioned(),
        sa.UniqueConstraint("allocation_id", "round"),
        sa.CheckConstraint("status IN ('requested', 'submitted')", name="status"),
        sa.CheckConstraint("round >= 1", name="round"),
    )
    op.create_index("ix_sv_samples_centre_id", "sv_samples", ["centre_id"])
    op.create_index("ix_sv_samples_programme_id", "sv_samples", ["programme_id"])
    op.create_table(
        "sv_sample_requests",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("sample_id", "sv_samples.id"),
        _text("kind", 20),
        _text("source", 20),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        _text("note", 4000, nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        _text("recorded_by", 200),
        _created_at(),
        sa.CheckConstraint("kind IN ('initial', 'further')", name="kind"),
        sa.CheckConstraint("source IN ('verifier', 'qn')", name="source"),
        sa.CheckConstraint("requested_on <= due_on", name="dates"),
    )
    op.create_index("ix_sv_sample_requests_sample_id", "sv_sample_requests", ["sample_id"])
    op.create_table(
        "sv_sample_items",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("sample_id", "sv_samples.id"),
        _fk("request_id", "sv_sample_requests.id"),
        _fk("learner_id", "learners.id"),
        _fk("brief_id", "assignment_briefs.id"),
        _fk("decision_id", "assessment_decisions.id"),
        _fk("assessor_staff_id", "staff.id"),
        sa.Column("unit_numbers", pg.ARRAY(sa.Integer()), nullable=False),
        _text("grade", 20),
        _text("rationale", 500),
        _text("added_by", 200),
        sa.Column("authenticity_declared_on", sa.Date(), nullable=True),
        _text("authenticity_declared_by", 200, nullable=True),
        *_versioned(),
        sa.UniqueConstraint("sample_id", "learner_id", "brief_id"),
    )
    op.create_table(
        "sv_grants",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("sample_id", "sv_samples.id"),
        _text("verifier_name", 200),
        _text("issuer", 200, nullable=True),
        _text("subject", 200, nullable=True),
        _text("token_hash", 64, nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        _text("revoked_by", 200, nullable=True),
        _text("granted_by", 200),
        *_versioned(),
        sa.UniqueConstraint("token_hash"),
        sa.CheckConstraint(
            "(issuer IS NULL) = (subject IS NULL) AND (subject IS NOT NULL OR token_hash IS NOT NULL)",
            name="credential",
        ),
    )
    op.create_index("ix_sv_grants_sample_id", "sv_grants", ["sample_id"])
    op.create_index("ix_sv_grants_subject", "sv_grants", ["subject"])
    op.create_table(
        "sv_outcomes",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("sample_id", "sv_samples.id"),
        _fk("programme_id", "programmes.id"),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        _text("summary", 4000),
        _text("recorded_by", 200),
        _created_at(),
        sa.UniqueConstraint("sample_id"),
    )
    op.create_index("ix_sv_outcomes_programme_id", "sv_outcomes", ["programme_id"])
    op.create_table(
        "sv_actions",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("outcome_id", "sv_outcomes.id"),
        _text("description", 4000),
        _fk("owner_staff_id", "staff.id"),
        sa.Column("due_on", sa.Date(), nullable=False),
        _text("status", 20),
        sa.Column("closed_on", sa.Date(), nullable=True),
        _text("closed_note", 4000, nullable=True),
        _text("closed_by", 200, nullable=True),
        *_versioned(),
        sa.CheckConstraint("status IN ('open', 'closed')", name="status"),
        sa.CheckConstraint(
            "(status = 'closed') = (closed_on IS NOT NULL AND closed_note IS NOT NULL)", name="closed"
        ),
    )
    op.create_index("ix_sv_actions_outcome_id", "sv_actions", ["outcome_id"])
    op.create_table(
        "ocr_moderation_visits",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("programme_id", "programmes.id"),
        _fk("academic_year_id", "academic_years.id"),
        sa.Column("unit_number", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        _text("moderator_name", 200),
        _text("outcome", 20),
        _text("reason", 500, nullable=True),
        _text("recorded_by", 200),
        _created_at(),
        sa.CheckConstraint("outcome IN ('agreed', 'adjusted')", name="outcome"),
        sa.CheckConstraint("outcome = 'agreed' OR reason IS NOT NULL", name="reason"),
    )
    op.create_index("ix_ocr_moderation_visits_programme_id", "ocr_moderation_visits", ["programme_id"])
    op.create_table(
        "ocr_moderation_adjustments",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("visit_id", "ocr_moderation_visits.id"),
        _fk("decision_id", "assessment_decisions.id"),
        _text("from_grade", 20, nullable=True),
        _text("to_grade", 20),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.UniqueConstraint("visit_id", "decision_id"),
    )
    op.create_index(
        "ix_ocr_moderation_adjustments_decision_id", "ocr_moderation_adjustments", ["decision_id"]
    )
    op.execute(
        "GRANT SELECT, INSERT ON sv_sample_requests, sv_outcomes, ocr_moderation_visits, "
        f'ocr_moderation_adjustments TO "{app_role}"'
    )
    # A request is answered (answered_on) when the sample is submitted; nothing else of it changes.
    op.execute(f'GRANT UPDATE (answered_on) ON sv_sample_requests TO "{app_role}"')
    op.execute(
        f'GRANT SELECT, INSERT, UPDATE ON sv_policies, sv_allocations, sv_samples, sv_grants, sv_actions TO "{app_role}"'
    )
    op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON sv_sample_items TO "{app_role}"')


def downgrade(app_role: str = "verity_app") -> None:
    for table in TABLES:
        op.drop_table(table)
