"""Enrolments carry the learner's site, so IV samples and coverage can stratify by site (R-42).

Revision ID: 0007_enrolment_site
Revises: 0006_verification
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0007_enrolment_site"
down_revision = "0006_verification"
branch_labels = None
depends_on = None


def upgrade(app_role: str = "verity_app") -> None:
    op.add_column("enrolments", sa.Column("site_id", pg.UUID(as_uuid=True), nullable=True))
    op.create_foreign_key("fk_enrolments_site_id_sites", "enrolments", "sites", ["site_id"], ["id"])
    op.create_index("ix_enrolments_site_id", "enrolments", ["site_id"])
    # An existing enrolment on a single-site programme is taught at that site.
    op.execute("""
        UPDATE enrolments e SET site_id = ps.site_id FROM programme_sites ps
        WHERE ps.programme_id = e.programme_id
          AND (SELECT count(*) FROM programme_sites x WHERE x.programme_id = e.programme_id) = 1""")


def downgrade(app_role: str = "verity_app") -> None:
    op.drop_index("ix_enrolments_site_id", table_name="enrolments")
    op.drop_constraint("fk_enrolments_site_id_sites", "enrolments", type_="foreignkey")
    op.drop_column("enrolments", "site_id")
