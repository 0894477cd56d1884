"""R-97: the real retention run deletes every kind the dry-run lists.

`retention_purge` (owned by the migration role, SECURITY DEFINER, like `audit_erase_payloads`) now also
deletes assessment and IV records, appeal records and employer-involvement records, each with the rows
that belong to them, children first (FK-safe). It returns what it deleted as
`{"rows": n, "subjects": {"<audit subject type>": ["<id>", ...]}}`, so the caller erases the audit
payloads of exactly those subjects (docs/retention.md).

Revision ID: 0023_purge
Revises: 0017_appeals
Create Date: 2026-12-02
"""

from alembic import op

revision = "0023_purge"
down_revision = "0017_appeals"
branch_labels = None
depends_on = None

_SIG = "retention_purge(text, uuid, uuid[])"

# Each DELETE ... RETURNING id adds its ids under the audit subject type its rows are recorded as; rows
# recorded under their parent's subject (versions, stages, participants) only add to the count.
_ADD = "v_rows := v_rows + coalesce(cardinality(v_ids), 0); v_subjects := retention_subjects_add(v_subjects, '{t}', v_ids);"
_COUNT = "GET DIAGNOSTICS v_n = ROW_COUNT; v_rows := v_rows + v_n;"


def _del(table: str, where: str, subject: str | None = None) -> str:
    if subject is None:
        return f"DELETE FROM {table} WHERE centre_id = p_centre AND ({where}); {_COUNT}"
    return (
        f"WITH d AS (DELETE FROM {table} WHERE centre_id = p_centre AND ({where}) RETURNING id) "
        f"SELECT array_agg(id) INTO v_ids FROM d; {_ADD.format(t=subject)}"
    )


_ASSESSMENT = "\n        ".join(
    [
        "SELECT coalesce(array_agg(id), '{}') INTO v_iv FROM iv_records"
        " WHERE centre_id = p_centre AND decision_id = ANY (p_ids);",
        _del("iv_arbitrations", "decision_id = ANY (p_ids) OR iv_record_id = ANY (v_iv)", "iv_arbitration"),
        _del("iv_reassessment_flags", "decision_id = ANY (p_ids) OR iv_record_id = ANY (v_iv)"),
        _del("iv_remedial_actions", "iv_record_id = ANY (v_iv)", "iv_remedial_action"),
        _del("iv_record_versions", "record_id = ANY (v_iv)"),
        _del("iv_records", "id = ANY (v_iv)", "iv_record"),
        _del("iv_sample_items", "decision_id = ANY (p_ids)"),
        _del("decision_review_flags", "decision_id = ANY (p_ids)"),
        _del("sv_sample_items", "decision_id = ANY (p_ids)", "sv_sample_item"),
        _del("ocr_moderation_adjustments", "decision_id = ANY (p_ids)"),
        _del("resubmission_authorisations", "decision_id = ANY (p_ids)", "resubmission_authorisation"),
        _del("prior_learning", "decision_id = ANY (p_ids)", "prior_learning"),
        _del("assessment_decision_versions", "decision_id = ANY (p_ids)"),
        _del("assessment_decisions", "id = ANY (p_ids)", "assessment_decision"),
    ]
)
_APPEALS = "\n        ".join(
    [_del("appeal_stages", "appeal_id = ANY (p_ids)"), _del("appeals", "id = ANY (p_ids)", "appeal")]
)
_EMPLOYER = "\n        ".join(
    [
        "SELECT coalesce(array_agg(id), '{}') INTO v_acts FROM employer_activities"
        " WHERE centre_id = p_centre AND plan_id = ANY (p_ids);",
        _del("employer_activity_participants", "activity_id = ANY (v_acts)"),
        _del("employer_activities", "id = ANY (v_acts)", "employer_activity"),
        _del("employer_involvement_declarations", "plan_id = ANY (p_ids)"),
        _del("employer_involvement_plans", "id = ANY (p_ids)", "employer_involvement_plan"),
    ]
)


def upgrade(app_role: str = "verity_app") -> None:
    op.execute("""
    CREATE FUNCTION retention_subjects_add(p_acc jsonb, p_type text, p_ids uuid[]) RETURNS jsonb
    LANGUAGE sql IMMUTABLE AS $$
      SELECT CASE WHEN coalesce(cardinality(p_ids), 0) = 0 THEN p_acc
        ELSE p_acc || jsonb_build_object(p_type, coalesce(p_acc -> p_type, '[]') || to_jsonb(p_ids)) END
    $$""")
    op.execute(f"DROP FUNCTION {_SIG}")
    op.execute(f"""
    CREATE FUNCTION retention_purge(p_kind text, p_centre uuid, p_ids uuid[]) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE v_rows integer := 0; v_n integer; v_subjects jsonb := '{{}}'; v_ids uuid[]; v_iv uuid[];
      v_acts uuid[];
    BEGIN
      PERFORM set_config('verity.retention_purge', 'on', true);
      IF p_kind = 'learner_work' THEN
        {_del("evidence_items", "id = ANY (p_ids)", "evidence_item")}
      ELSIF p_kind = 'standardisation_records' THEN
        {_del("standardisation_records", "id = ANY (p_ids)", "standardisation_record")}
      ELSIF p_kind = 'assessment_records' THEN
        {_ASSESSMENT}
      ELSIF p_kind = 'appeal_records' THEN
        {_APPEALS}
      ELSIF p_kind = 'employer_involvement' THEN
        {_EMPLOYER}
      ELSE
        RAISE EXCEPTION 'retention cannot purge %', p_kind USING ERRCODE = 'feature_not_supported';
      END IF;
      PERFORM set_config('verity.retention_purge', 'off', true);
      RETURN jsonb_build_object('rows', v_rows, 'subjects', v_subjects);
    END $$""")
    op.execute(f"REVOKE ALL ON FUNCTION {_SIG} FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION {_SIG} TO "{app_role}"')


def downgrade(app_role: str = "verity_app") -> None:
    op.execute(f"DROP FUNCTION {_SIG}")
    op.execute("DROP FUNCTION retention_subjects_add(jsonb, text, uuid[])")
    op.execute("""
    CREATE FUNCTION retention_purge(p_kind text, p_centre uuid, p_ids uuid[]) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE v_count integer;
    BEGIN
      PERFORM set_config('verity.retention_purge', 'on', true);
      IF p_kind = 'learner_work' THEN
        DELETE FROM evidence_items WHERE centre_id = p_centre AND id = ANY (p_ids);
      ELSIF p_kind = 'standardisation_records' THEN
        DELETE FROM standardisation_records WHERE centre_id = p_centre AND id = ANY (p_ids);
      ELSE
        RAISE EXCEPTION 'retention cannot purge % yet', p_kind USING ERRCODE = 'feature_not_supported';
      END IF;
      GET DIAGNOSTICS v_count = ROW_COUNT;
      PERFORM set_config('verity.retention_purge', 'off', true);
      RETURN v_count;
    END $$""")
    op.execute(f"REVOKE ALL ON FUNCTION {_SIG} FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION {_SIG} TO "{app_role}"')
