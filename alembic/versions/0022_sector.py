"""Employer involvement (R-95): the qualification carries its sector, the plan no longer keeps its own
copy, and each activity names the learners it is planned for (the plan's coverage).

Existing qualification rows take the sector of their stored specification; the two shipped
specifications now state theirs, so their stored JSON gains it and their content hash is recomputed (the
same formula as app/qualifications/service.py) so the start-up re-import stays a no-op. A qualification
without one takes its plans' sector. Existing activities are planned for the learners who took part.

Revision ID: 0022_sector
Revises: 0017_appeals
Create Date: 2026-12-02
"""

import hashlib
import json

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0022_sector"
down_revision = "0023_purge"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
SHIPPED = {
    "ocr-l2-cambridge-technical-diploma-customer-service": "Customer service",
    "pearson-btec-intl-l3-award-investigating-customer-communications": "Customer service",
}


def _hash(specification: dict) -> str:
    return hashlib.sha256(
        json.dumps(specification, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def upgrade(app_role: str = "verity_app") -> None:
    op.add_column("qualifications", sa.Column("sector", sa.String(100), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, key, specification FROM qualifications")).all()
    for qid, key, spec in rows:
        if spec.get("sector") is None and key in SHIPPED:
            spec = {**spec, "sector": SHIPPED[key]}
        bind.execute(
            sa.text(
                "UPDATE qualifications SET sector = :sector, specification = CAST(:spec AS jsonb), "
                "content_hash = :hash WHERE id = :id"
            ),
            {"sector": spec.get("sector"), "spec": json.dumps(spec), "hash": _hash(spec), "id": qid},
        )
    op.execute(
        "UPDATE qualifications q SET sector = s.sector FROM ("
        "SELECT pr.qualification_id, min(pl.sector) AS sector FROM employer_involvement_plans pl "
        "JOIN programmes pr ON pr.id = pl.programme_id GROUP BY pr.qualification_id) s "
        "WHERE q.id = s.qualification_id AND q.sector IS NULL"
    )
    op.drop_column("employer_involvement_plans", "sector")
    op.create_table(
        "employer_activity_planned_learners",
        # Cascade: the planned learners are part of their activity, and retention_purge (0023_purge,
        # which knows nothing of this table) deletes the activity with its plan after 3 years.
        sa.Column(
            "activity_id",
            UUID,
            sa.ForeignKey("employer_activities.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("learner_id", UUID, sa.ForeignKey("learners.id"), primary_key=True),
        sa.Column("centre_id", UUID, sa.ForeignKey("centres.id"), nullable=False),
        sa.Column("planned_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_index(
        "ix_employer_activity_planned_learners_learner_id",
        "employer_activity_planned_learners",
        ["learner_id"],
    )
    op.execute(
        "INSERT INTO employer_activity_planned_learners (activity_id, learner_id, centre_id, planned_by) "
        "SELECT activity_id, learner_id, centre_id, recorded_by FROM employer_activity_participants"
    )
    op.execute(f'GRANT SELECT, INSERT ON employer_activity_planned_learners TO "{app_role}"')


def downgrade(app_role: str = "verity_app") -> None:
    op.drop_table("employer_activity_planned_learners")
    op.add_column("employer_involvement_plans", sa.Column("sector", sa.String(100), nullable=True))
    op.execute(
        "UPDATE employer_involvement_plans pl SET sector = coalesce(q.sector, '') FROM programmes pr "
        "JOIN qualifications q ON q.id = pr.qualification_id WHERE pr.id = pl.programme_id"
    )
    op.alter_column("employer_involvement_plans", "sector", nullable=False)
    # The older format has no `sector`: take it out of the stored specifications again.
    bind = op.get_bind()
    for qid, spec in bind.execute(sa.text("SELECT id, specification FROM qualifications")).all():
        if "sector" in spec:
            spec = {k: v for k, v in spec.items() if k != "sector"}
            bind.execute(
                sa.text(
                    "UPDATE qualifications SET specification = CAST(:spec AS jsonb), content_hash = :hash "
                    "WHERE id = :id"
                ),
                {"spec": json.dumps(spec), "hash": _hash(spec), "id": qid},
            )
    op.drop_column("qualifications", "sector")
