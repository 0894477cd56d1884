"""IV sampling (R-42): the service draws the sample, every draw is kept, a redraw needs the LIV and a
reason, and the official draw is the one the release gate reads; CAMERA's Methods and Candidates' needs
become strata.

- iv_samples: `number` (1, 2, 3... per brief; unique, so two concurrent draws cannot both succeed; the
  highest is the official draw), `kind` (first, extended, redraw), `reason` (a redraw's, required) and
  `supersedes_id` (the draw it replaced). Draws made before this revision are numbered in the order they
  were made; all but the first become redraws whose reason says they predate the rule.
- iv_sample_items: the methods (observation, questioning, witness, product, rpl) and support needs
  (reasonable_adjustment, special_consideration) the sampler saw for the item.
- evidence_items: a new reference kind, `questioning_record` (a record of oral questioning).

Revision ID: 0011_sampling
Revises: 0010_subm
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0011_sampling"
down_revision = "0010_subm"
branch_labels = None
depends_on = None

OLD_KINDS = "('file', 'ai_interaction', 'observation_record', 'witness_statement', 'reference')"
NEW_KINDS = (
    "('file', 'ai_interaction', 'observation_record', 'witness_statement', 'questioning_record', 'reference')"
)
DRAW_KINDS = "('first', 'extended', 'redraw')"


def upgrade(app_role: str = "verity_app") -> None:
    op.add_column("iv_samples", sa.Column("number", sa.Integer(), nullable=True))
    op.add_column("iv_samples", sa.Column("kind", sa.String(20), nullable=True))
    op.add_column("iv_samples", sa.Column("reason", sa.String(500), nullable=True))
    op.add_column("iv_samples", sa.Column("supersedes_id", pg.UUID(as_uuid=True), nullable=True))
    op.execute(
        """
        WITH ordered AS (
          SELECT id, row_number() OVER (PARTITION BY brief_id ORDER BY created_at, id) AS n,
                 lag(id) OVER (PARTITION BY brief_id ORDER BY created_at, id) AS prev
          FROM iv_samples
        )
        UPDATE iv_samples s SET number = o.n, supersedes_id = o.prev,
          kind = CASE WHEN o.n = 1 THEN 'first' ELSE 'redraw' END,
          reason = CASE WHEN o.n = 1 THEN NULL
                        ELSE 'drawn before a redraw needed the LIV and a reason (R-42)' END
        FROM ordered o WHERE o.id = s.id
        """
    )
    op.alter_column("iv_samples", "number", nullable=False)
    op.alter_column("iv_samples", "kind", nullable=False)
    op.create_foreign_key(
        "fk_iv_samples_supersedes_id_iv_samples", "iv_samples", "iv_samples", ["supersedes_id"], ["id"]
    )
    op.create_unique_constraint("uq_iv_samples_brief_id_number", "iv_samples", ["brief_id", "number"])
    op.create_check_constraint("kind", "iv_samples", f"kind IN {DRAW_KINDS}")
    op.create_check_constraint("redraw_reason", "iv_samples", "(kind = 'redraw') = (reason IS NOT NULL)")
    op.create_check_constraint("supersedes", "iv_samples", "(number = 1) = (supersedes_id IS NULL)")
    for name, width in (("methods", 20), ("support_needs", 30)):
        op.add_column(
            "iv_sample_items",
            sa.Column(name, pg.ARRAY(sa.String(width)), nullable=False, server_default="{}"),
        )
        op.alter_column("iv_sample_items", name, server_default=None)
    op.drop_constraint("kind", "evidence_items", type_="check")
    op.create_check_constraint("kind", "evidence_items", f"kind IN {NEW_KINDS}")


def downgrade(app_role: str = "verity_app") -> None:
    op.drop_constraint("kind", "evidence_items", type_="check")
    op.create_check_constraint("kind", "evidence_items", f"kind IN {OLD_KINDS}")
    op.drop_column("iv_sample_items", "support_needs")
    op.drop_column("iv_sample_items", "methods")
    for name in ("supersedes", "redraw_reason", "kind"):
        op.drop_constraint(name, "iv_samples", type_="check")
    op.drop_constraint("uq_iv_samples_brief_id_number", "iv_samples", type_="unique")
    op.drop_constraint("fk_iv_samples_supersedes_id_iv_samples", "iv_samples", type_="foreignkey")
    for name in ("supersedes_id", "reason", "kind", "number"):
        op.drop_column("iv_samples", name)
