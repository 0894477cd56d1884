"""Assignments and assessment: assessment plans (R-20), briefs and their verification (R-21, R-06,
R-44), submissions and evidence (R-22, R-23), extensions, assessment decisions and their versions
(R-24..R-26), resubmission authorisations (R-30, R-31, R-33) and exam results.

Revision ID: 0005_assessment
Revises: 0004_programmes
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0005_assessment"
down_revision = "0004_programmes"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TABLES = (
    "exam_results",
    "resubmission_authorisations",
    "assessment_decision_versions",
    "assessment_decisions",
    "evidence_items",
    "submissions",
    "deadline_extensions",
    "brief_verifications",
    "assignment_briefs",
    "assessment_plan_entries",
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
    _assignments()
    _submissions()
    _decisions()
    _immutability()
    # Least privilege (house rule 6, R-22): verification records, decision versions, extensions,
    # resubmission authorisations and exam results are only ever added; evidence can be removed only
    # while its submission is open (trigger), never changed; a handed-in submission never changes
    # (trigger). Nothing here is deletable except open evidence.
    op.execute(
        f"GRANT SELECT, INSERT, UPDATE ON assessment_plan_entries, assignment_briefs, submissions, "
        f'assessment_decisions TO "{app_role}"'
    )
    op.execute(
        f"GRANT SELECT, INSERT ON brief_verifications, deadline_extensions, assessment_decision_versions, "
        f'resubmission_authorisations, exam_results TO "{app_role}"'
    )
    op.execute(f'GRANT SELECT, INSERT, DELETE ON evidence_items TO "{app_role}"')


def _assignments() -> None:
    op.create_table(
        "assessment_plan_entries",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("programme_id", "programmes.id"),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("unit_numbers", pg.ARRAY(sa.Integer()), nullable=False),
        sa.Column("hand_out_date", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("planned_iv_date", sa.Date(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("hand_out_date <= deadline", name="dates"),
    )
    _index("assessment_plan_entries", "programme_id")
    op.create_table(
        "assignment_briefs",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("programme_id", "programmes.id"),
        _fk("qualification_id", "qualifications.id"),
        _fk("plan_entry_id", "assessment_plan_entries.id", nullable=True),
        _fk("retake_of_id", "assignment_briefs.id", nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("unit_numbers", pg.ARRAY(sa.Integer()), nullable=False),
        sa.Column("criteria", pg.JSONB(), nullable=False),
        sa.Column("scenario", sa.String(4000), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("completion_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("brief_version", sa.Integer(), nullable=False),
        _fk("author_staff_id", "staff.id"),
        sa.Column("author_subject", sa.String(200), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted_for_iv', 'verified', 'returned', 'issued', 'closed')",
            name="status",
        ),
        sa.CheckConstraint("start_date <= completion_date", name="dates"),
    )
    _index("assignment_briefs", "programme_id")
    op.create_table(
        "brief_verifications",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("brief_id", "assignment_briefs.id"),
        sa.Column("brief_version", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("checklist", pg.JSONB(), nullable=False),
        sa.Column("comments", sa.String(4000), nullable=True),
        _fk("verifier_staff_id", "staff.id"),
        sa.Column("verifier_subject", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("outcome IN ('verified', 'returned')", name="outcome"),
        sa.UniqueConstraint("brief_id", "brief_version"),
    )
    _index("brief_verifications", "brief_id")


def _submissions() -> None:
    op.create_table(
        "deadline_extensions",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("brief_id", "assignment_briefs.id"),
        _fk("learner_id", "learners.id"),
        sa.Column("new_deadline", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("approved_by", sa.String(200), nullable=False),
        sa.Column("approved_role", sa.String(200), nullable=False),
        _created_at(),
    )
    _index("deadline_extensions", "brief_id", "learner_id")
    op.create_table(
        "submissions",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("brief_id", "assignment_briefs.id"),
        _fk("learner_id", "learners.id"),
        sa.Column("attempt_kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=True),
        _fk("extension_id", "deadline_extensions.id", nullable=True),
        sa.Column("declaration_signed_on", sa.Date(), nullable=True),
        sa.Column("declaration_text", sa.String(1000), nullable=True),
        sa.Column("handed_in_by", sa.String(200), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("attempt_kind IN ('first', 'resubmission', 'retake')", name="attempt_kind"),
        sa.CheckConstraint("status IN ('open', 'submitted')", name="status"),
        sa.CheckConstraint(
            "status = 'open' OR (submitted_at IS NOT NULL AND declaration_signed_on IS NOT NULL "
            "AND late IS NOT NULL)",
            name="handed_in",
        ),
        sa.UniqueConstraint("brief_id", "learner_id", "attempt_kind"),
    )
    _index("submissions", "brief_id", "learner_id")
    op.create_table(
        "evidence_items",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("submission_id", "submissions.id"),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("media_type", sa.String(100), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("storage_key", sa.String(500), nullable=True),
        sa.Column("reference", sa.String(500), nullable=True),
        sa.Column("added_by", sa.String(200), nullable=False),
        _created_at(),
        sa.CheckConstraint(
            "kind IN ('file', 'observation_record', 'witness_statement', 'reference')", name="kind"
        ),
        sa.CheckConstraint(
            "(kind = 'file') = (sha256 IS NOT NULL AND storage_key IS NOT NULL "
            "AND size_bytes IS NOT NULL AND media_type IS NOT NULL)",
            name="file_fields",
        ),
    )
    _index("evidence_items", "submission_id")


def _decisions() -> None:
    op.create_table(
        "assessment_decisions",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("programme_id", "programmes.id"),
        _fk("brief_id", "assignment_briefs.id"),
        _fk("learner_id", "learners.id"),
        _fk("submission_id", "submissions.id"),
        sa.Column("attempt_kind", sa.String(20), nullable=False),
        _fk("assessor_staff_id", "staff.id"),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(200), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("status IN ('draft', 'submitted_for_iv', 'released')", name="status"),
        sa.CheckConstraint("attempt_kind IN ('first', 'resubmission', 'retake')", name="attempt_kind"),
        sa.CheckConstraint("(status = 'released') = (released_at IS NOT NULL)", name="released"),
        sa.UniqueConstraint("submission_id"),
    )
    _index("assessment_decisions", "programme_id", "brief_id", "learner_id")
    op.create_table(
        "assessment_decision_versions",
        _fk("decision_id", "assessment_decisions.id", primary_key=True),
        sa.Column("number", sa.Integer(), primary_key=True),
        _fk("centre_id", "centres.id"),
        sa.Column("criteria", pg.JSONB(), nullable=False),
        sa.Column("unit_grades", pg.JSONB(), nullable=False),
        sa.Column("feedback", sa.String(4000), nullable=False),
        sa.Column("authenticity_confirmed", sa.Boolean(), nullable=False),
        sa.Column("can_improve_without_guidance", sa.Boolean(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("number = 1 OR reason IS NOT NULL", name="amendment_reason"),
    )
    op.create_table(
        "resubmission_authorisations",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("brief_id", "assignment_briefs.id"),
        _fk("learner_id", "learners.id"),
        _fk("decision_id", "assessment_decisions.id"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("result_received_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("within_term_time", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("authorised_by", sa.String(200), nullable=False),
        sa.Column("authorised_role", sa.String(40), nullable=False),
        _created_at(),
        sa.UniqueConstraint("brief_id", "learner_id", "number"),
    )
    _index("resubmission_authorisations", "learner_id", "decision_id")
    op.create_table(
        "exam_results",
        sa.Column("id", UUID, primary_key=True),
        _fk("centre_id", "centres.id"),
        _fk("learner_id", "learners.id"),
        _fk("qualification_id", "qualifications.id"),
        sa.Column("unit_number", sa.Integer(), nullable=False),
        sa.Column("sitting", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(40), nullable=False),
        sa.Column("grade", sa.String(20), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        _created_at(),
        sa.UniqueConstraint("learner_id", "qualification_id", "unit_number", "sitting"),
        sa.CheckConstraint("sitting >= 1", name="sitting"),
    )
    _index("exam_results", "learner_id")


def _immutability() -> None:
    """R-22: nothing may be added, changed or removed after submission — held by the database too, so
    neither a bug nor a hand-written statement as the application role can do it."""
    op.execute("""
    CREATE FUNCTION submissions_freeze() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' OR OLD.status = 'submitted' THEN
        RAISE EXCEPTION 'submission % is handed in: it cannot be changed (R-22)', OLD.id
          USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NEW;
    END $$""")
    op.execute("""CREATE TRIGGER submissions_frozen BEFORE UPDATE OR DELETE ON submissions
                  FOR EACH ROW EXECUTE FUNCTION submissions_freeze()""")
    # The parent row is read FOR SHARE: it waits for a concurrent hand-in (which updates the row) and
    # then sees it handed in, so evidence can never slip in after the submission.
    op.execute("""
    CREATE FUNCTION evidence_items_freeze() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE v_status text;
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'evidence is never changed (R-22)' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      SELECT status INTO v_status FROM submissions
        WHERE id = CASE WHEN TG_OP = 'INSERT' THEN NEW.submission_id ELSE OLD.submission_id END FOR SHARE;
      IF v_status = 'submitted' THEN
        RAISE EXCEPTION 'the submission is handed in: evidence cannot be added or removed (R-22)'
          USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END $$""")
    op.execute("""CREATE TRIGGER evidence_items_frozen BEFORE INSERT OR UPDATE OR DELETE ON evidence_items
                  FOR EACH ROW EXECUTE FUNCTION evidence_items_freeze()""")
    for table, trigger in (
        ("submissions", "submissions_frozen"),
        ("evidence_items", "evidence_items_frozen"),
    ):
        op.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {trigger}")


def downgrade(app_role: str = "verity_app") -> None:
    for table in TABLES:
        op.drop_table(table)
    op.execute("DROP FUNCTION submissions_freeze()")
    op.execute("DROP FUNCTION evidence_items_freeze()")
