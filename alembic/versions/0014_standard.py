"""Internal standardisation records per unit and year (R-45); staff competence and CPD records (R-46).

Standardisation and CPD records are evidence kept for the moderator or verifier: the application role
may only add them (a correction is a new record). A staff competence is edited (with its version).

Revision ID: 0014_standard
Revises: 0013_planning
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0014_standard"
down_revision = "0013_planning"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TABLES = ("staff_competences", "cpd_records", "standardisation_records")


def _created_at() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _fk(name: str, target: str) -> sa.Column:
    return sa.Column(name, UUID, sa.ForeignKey(target), nullable=False)


def upgrade(app_role: str = "verity_app") -> None:
    op.create_table(
        "standardisation_records",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("programme_id", "programmes.id"),
        _fk("qualification_id", "qualifications.id"),
        sa.Column("unit_number", sa.Integer(), nullable=False),
        _fk("academic_year_id", "academic_years.id"),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("attendee_ids", pg.ARRAY(UUID), nullable=False),
        sa.Column("sampled_decision_ids", pg.ARRAY(UUID), nullable=False),
        sa.Column("outcomes", sa.String(4000), nullable=False),
        sa.Column("arbitrations", sa.String(4000), nullable=True),
        _fk("liv_staff_id", "staff.id"),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        _created_at(),
        sa.CheckConstraint("cardinality(attendee_ids) > 0", name="attendees"),
    )
    op.create_index("ix_standardisation_records_programme_id", "standardisation_records", ["programme_id"])
    op.create_index(
        "ix_standardisation_records_academic_year_id", "standardisation_records", ["academic_year_id"]
    )
    op.create_table(
        "cpd_records",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("staff_id", "staff.id"),
        sa.Column("undertaken_on", sa.Date(), nullable=False),
        sa.Column("activity", sa.String(500), nullable=False),
        sa.Column("hours", sa.Numeric(6, 2), nullable=False),
        sa.Column("evidence_note", sa.String(1000), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        _created_at(),
        sa.CheckConstraint("hours > 0", name="hours"),
    )
    op.create_index("ix_cpd_records_staff_id", "cpd_records", ["staff_id"])
    op.create_table(
        "staff_competences",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("staff_id", "staff.id"),
        sa.Column("subject_areas", pg.ARRAY(sa.String(100)), nullable=False),
        sa.Column("units", pg.JSONB(), nullable=False),
        sa.Column("note", sa.String(1000), nullable=True),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("staff_id"),
    )
    op.create_index("ix_staff_competences_centre_id", "staff_competences", ["centre_id"])
    op.execute(f'GRANT SELECT, INSERT ON standardisation_records, cpd_records TO "{app_role}"')
    op.execute(f'GRANT SELECT, INSERT, UPDATE ON staff_competences TO "{app_role}"')


def downgrade(app_role: str = "verity_app") -> None:
    for table in TABLES:
        op.drop_table(table)
