"""Malpractice cases (R-70..R-74): cases, what they concern, their dated stages, sanctions and penalties,
and each centre's policy; whether a brief allows AI tools (the authenticity chain: a declaration that
discloses AI use the brief did not allow opens a draft case).

Links, stages and sanctions are the documented record of a case: the application role may only add
them. A case and a policy change with their version.

Revision ID: 0018_malpractice
Revises: 0015_review
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0018_malpractice"
down_revision = "0015_review"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TABLES = (
    "malpractice_policies",
    "malpractice_sanctions",
    "malpractice_case_stages",
    "malpractice_case_links",
)


def _created_at() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _fk(name: str, target: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, UUID, sa.ForeignKey(target), nullable=nullable)


def _versioned() -> list[sa.Column]:
    return [
        _created_at(),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def _in(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")", name=column)


CASE_TYPES = (
    "plagiarism",
    "ai_misuse",
    "collusion",
    "copying",
    "destroying_work",
    "fabrication",
    "false_declaration",
    "impersonation",
    "improper_assistance",
    "invented_marks",
    "insecure_evidence",
    "false_witness",
    "improper_claims",
    "access_arrangements",
    "other_staff",
)
STAGES = ("told_of_allegation", "response", "investigation", "outcome", "told_of_outcome", "closed")
SANCTIONS = (
    "awarding_body_warning",
    "loss_of_marks",
    "disqualification",
    "barred_from_entry",
    "other_awarding_body",
    "cancel_assignment",
    "cancel_unit",
    "repeat_assignment",
    "withdraw_qualification",
    "withdraw_all",
    "registration_block",
    "certification_block",
    "improvement_plan",
)


def upgrade(app_role: str = "verity_app") -> None:
    op.add_column(
        "assignment_briefs",
        sa.Column("ai_use_allowed", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.create_table(
        "malpractice_cases",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        sa.Column("subject_kind", sa.String(20), nullable=False),
        _fk("learner_id", "learners.id", nullable=True),
        _fk("staff_id", "staff.id", nullable=True),
        sa.Column("case_type", sa.String(30), nullable=False),
        sa.Column("allegation", sa.String(4000), nullable=False),
        sa.Column("raised_by", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("withhold_results", sa.Boolean(), nullable=False),
        sa.Column("investigator_staff_ids", pg.ARRAY(UUID), nullable=False),
        sa.Column("outcome_proven", sa.Boolean(), nullable=True),
        sa.Column("reported_on", sa.Date(), nullable=True),
        sa.Column("report_reference", sa.String(100), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        *_versioned(),
        _in("subject_kind", ("learner", "staff")),
        _in("case_type", CASE_TYPES),
        _in("status", ("draft", "open", "closed")),
        sa.CheckConstraint(
            "(subject_kind = 'learner' AND learner_id IS NOT NULL AND staff_id IS NULL) OR "
            "(subject_kind = 'staff' AND staff_id IS NOT NULL AND learner_id IS NULL)",
            name="subject",
        ),
    )
    for column in ("centre_id", "learner_id", "staff_id"):
        op.create_index(f"ix_malpractice_cases_{column}", "malpractice_cases", [column])
    op.create_table(
        "malpractice_case_links",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("case_id", "malpractice_cases.id"),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("target_id", UUID, nullable=False),
        _created_at(),
        sa.UniqueConstraint("case_id", "kind", "target_id"),
        _in("kind", ("submission", "evidence", "decision", "claim")),
    )
    op.create_index("ix_malpractice_case_links_case_id", "malpractice_case_links", ["case_id"])
    op.create_index("ix_malpractice_case_links_target_id", "malpractice_case_links", ["target_id"])
    op.create_table(
        "malpractice_case_stages",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("case_id", "malpractice_cases.id"),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(4000), nullable=False),
        sa.Column("response_due_on", sa.Date(), nullable=True),
        sa.Column("proven", sa.Boolean(), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        _created_at(),
        _in("kind", STAGES),
    )
    op.create_index("ix_malpractice_case_stages_case_id", "malpractice_case_stages", ["case_id"])
    op.create_table(
        "malpractice_sanctions",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("case_id", "malpractice_cases.id"),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("imposed_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(4000), nullable=False),
        _fk("brief_id", "assignment_briefs.id", nullable=True),
        _fk("qualification_id", "qualifications.id", nullable=True),
        sa.Column("unit_number", sa.Integer(), nullable=True),
        sa.Column("in_force_until", sa.Date(), nullable=True),
        sa.Column("voided_decision_ids", pg.ARRAY(UUID), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        _created_at(),
        _in("kind", SANCTIONS),
    )
    op.create_index("ix_malpractice_sanctions_centre_id", "malpractice_sanctions", ["centre_id"])
    op.create_index("ix_malpractice_sanctions_case_id", "malpractice_sanctions", ["case_id"])
    op.create_table(
        "malpractice_policies",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        sa.Column("withhold_results", sa.Boolean(), nullable=False),
        sa.Column("report_within_working_days", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        *_versioned(),
        sa.UniqueConstraint("centre_id"),
        sa.CheckConstraint("report_within_working_days > 0", name="report_days"),
    )
    op.execute(
        "GRANT SELECT, INSERT ON malpractice_case_links, malpractice_case_stages, malpractice_sanctions "
        f'TO "{app_role}"'
    )
    op.execute(f'GRANT SELECT, INSERT, UPDATE ON malpractice_cases, malpractice_policies TO "{app_role}"')


def downgrade(app_role: str = "verity_app") -> None:
    for table in TABLES:
        op.drop_table(table)
    op.drop_table("malpractice_cases")
    op.drop_column("assignment_briefs", "ai_use_allowed")
