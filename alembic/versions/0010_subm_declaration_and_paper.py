"""Submissions (R-22, R-23): the declaration records whether AI tools were used, which and how, with
copies of the interactions as evidence items of kind `ai_interaction`; a paper hand-in records the date
it was actually received, why it was handed in on paper and which member of staff recorded it.

All of it is frozen with the rest of the submission: the freeze trigger already refuses any change to a
handed-in row; it now also refuses a hand-in whose declaration says nothing about AI, or says AI was used
without a copy of an interaction among the evidence (R-22).

Revision ID: 0010_subm
Revises: 0009_amend
Create Date: 2026-12-02
"""

import sqlalchemy as sa

from alembic import op

revision = "0010_subm"
down_revision = "0009_amend"
branch_labels = None
depends_on = None

OLD_KINDS = "('file', 'observation_record', 'witness_statement', 'reference')"
NEW_KINDS = "('file', 'ai_interaction', 'observation_record', 'witness_statement', 'reference')"
FILE_FIELDS = (
    "(sha256 IS NOT NULL AND storage_key IS NOT NULL AND size_bytes IS NOT NULL AND media_type IS NOT NULL)"
)

FREEZE_0005 = """
CREATE OR REPLACE FUNCTION submissions_freeze() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.status = 'submitted' THEN
    RAISE EXCEPTION 'submission % is handed in: it cannot be changed (R-22)', OLD.id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$"""

FREEZE_0009 = """
CREATE OR REPLACE FUNCTION submissions_freeze() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.status = 'submitted' THEN
    RAISE EXCEPTION 'submission % is handed in: it cannot be changed (R-22)', OLD.id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW.status = 'submitted' THEN
    IF NEW.ai_used IS NULL THEN
      RAISE EXCEPTION 'submission %: the declaration must say whether AI tools were used (R-22)', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.ai_used AND NOT EXISTS (
      SELECT 1 FROM evidence_items WHERE submission_id = NEW.id AND kind = 'ai_interaction'
    ) THEN
      RAISE EXCEPTION 'submission %: AI use is declared without a copy of the interactions (R-22)', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
  END IF;
  RETURN NEW;
END $$"""


def upgrade(app_role: str = "verity_app") -> None:
    op.add_column("submissions", sa.Column("ai_used", sa.Boolean(), nullable=True))
    op.add_column("submissions", sa.Column("ai_tools", sa.String(500), nullable=True))
    op.add_column("submissions", sa.Column("ai_use", sa.String(4000), nullable=True))
    op.add_column("submissions", sa.Column("paper_received_on", sa.Date(), nullable=True))
    op.add_column("submissions", sa.Column("paper_reason", sa.String(500), nullable=True))
    op.add_column("submissions", sa.Column("paper_recorded_by", sa.String(200), nullable=True))
    op.create_check_constraint(
        "ai_declared", "submissions", "ai_used IS NOT TRUE OR (ai_tools IS NOT NULL AND ai_use IS NOT NULL)"
    )
    op.create_check_constraint(
        "paper_hand_in",
        "submissions",
        "(paper_received_on IS NULL) = (paper_reason IS NULL) "
        "AND (paper_received_on IS NULL) = (paper_recorded_by IS NULL)",
    )
    op.drop_constraint("kind", "evidence_items", type_="check")
    op.drop_constraint("file_fields", "evidence_items", type_="check")
    op.create_check_constraint("kind", "evidence_items", f"kind IN {NEW_KINDS}")
    op.create_check_constraint(
        "file_fields", "evidence_items", f"(kind IN ('file', 'ai_interaction')) = {FILE_FIELDS}"
    )
    op.execute(FREEZE_0009)


def downgrade(app_role: str = "verity_app") -> None:
    op.execute(FREEZE_0005)
    op.drop_constraint("file_fields", "evidence_items", type_="check")
    op.drop_constraint("kind", "evidence_items", type_="check")
    op.create_check_constraint("kind", "evidence_items", f"kind IN {OLD_KINDS}")
    op.create_check_constraint("file_fields", "evidence_items", f"(kind = 'file') = {FILE_FIELDS}")
    op.drop_constraint("paper_hand_in", "submissions", type_="check")
    op.drop_constraint("ai_declared", "submissions", type_="check")
    for column in ("paper_recorded_by", "paper_reason", "paper_received_on", "ai_use", "ai_tools", "ai_used"):
        op.drop_column("submissions", column)
