"""R-97: the real retention run deletes every row of every kind it purges, and the copies of their payloads.

`retention_purge` (SECURITY DEFINER, owned by the migration role) now also deletes
- the submissions of learner work: a submission goes with the last of its evidence and of the decisions
  made on it (whichever kind goes last deletes it), through the same sanctioned path R-22's evidence
  freeze has (`submissions_freeze` lets a DELETE through only when `verity.retention_purge` is on and
  the table's owner runs it, i.e. inside this function);
- IV sampling records: a sample whose items have all gone with their decisions (and that no kept sample
  supersedes), and a programme's IV plan with its schedule entries and sign-offs once the programme has
  no assessment decision and no IV sample left;
- the copies of the purged subjects' payloads outside the audit: outbox rows, and webhook messages with
  their deliveries and attempts (pending ones too: docs/retention.md), of every event that names one of
  the purged ids.
It keeps the return shape `{"rows": n, "subjects": {"<audit subject type>": ["<id>", ...]}}`; the copies
are not counted in `rows` (they are not records).

Revision ID: 0024_purge_all
Revises: 0022_sector
Create Date: 2026-12-03
"""

from alembic import op

revision = "0024_purge_all"
down_revision = "0022_sector"
branch_labels = None
depends_on = None

_SIG = "retention_purge(text, uuid, uuid[])"

_ADD = "v_rows := v_rows + coalesce(cardinality(v_ids), 0); v_subjects := retention_subjects_add(v_subjects, '{t}', v_ids);"
_COUNT = "GET DIAGNOSTICS v_n = ROW_COUNT; v_rows := v_rows + v_n;"


def _del(table: str, where: str, subject: str | None = None) -> str:
    if subject is None:
        return f"DELETE FROM {table} WHERE centre_id = p_centre AND ({where}); {_COUNT}"
    return (
        f"WITH d AS (DELETE FROM {table} WHERE centre_id = p_centre AND ({where}) RETURNING id) "
        f"SELECT array_agg(id) INTO v_ids FROM d; {_ADD.format(t=subject)}"
    )


def _lines(*parts: str) -> str:
    return "\n        ".join(parts)


# A submission goes once neither evidence nor a decision refers to it (v_subs: the candidates).
_SUBMISSIONS = _del(
    "submissions",
    "id = ANY (v_subs) AND NOT EXISTS (SELECT 1 FROM evidence_items e WHERE e.submission_id = submissions.id)"
    " AND NOT EXISTS (SELECT 1 FROM assessment_decisions a WHERE a.submission_id = submissions.id)",
    "submission",
)

_LEARNER_WORK = _lines(
    "SELECT coalesce(array_agg(DISTINCT submission_id), '{}') INTO v_subs FROM evidence_items"
    " WHERE centre_id = p_centre AND id = ANY (p_ids);",
    _del("evidence_items", "id = ANY (p_ids)", "evidence_item"),
    _SUBMISSIONS,
)

# IV samples emptied by this purge go, unless a kept sample supersedes them (to a fixpoint: a chain of
# emptied samples goes together, one whose superseder stays is kept with it).
_SAMPLES = _lines(
    "SELECT coalesce(array_agg(s.id), '{}') INTO v_samples FROM iv_samples s"
    " WHERE s.centre_id = p_centre AND s.id = ANY (v_samples)"
    " AND NOT EXISTS (SELECT 1 FROM iv_sample_items i WHERE i.sample_id = s.id);",
    "LOOP",
    "  SELECT coalesce(array_agg(s.id), '{}') INTO v_keep FROM iv_samples s WHERE s.id = ANY (v_samples)"
    " AND EXISTS (SELECT 1 FROM iv_samples n WHERE n.supersedes_id = s.id AND NOT n.id = ANY (v_samples));",
    "  EXIT WHEN cardinality(v_keep) = 0;",
    "  v_samples := ARRAY(SELECT unnest(v_samples) EXCEPT SELECT unnest(v_keep));",
    "END LOOP;",
    _del("iv_samples", "id = ANY (v_samples)", "iv_sample"),
)

# A programme's IV plan goes with the last of its assessment decisions and IV samples.
_PLANS = _lines(
    "SELECT coalesce(array_agg(p.id), '{}') INTO v_plans FROM iv_plans p"
    " WHERE p.centre_id = p_centre AND p.programme_id = ANY (v_progs)"
    " AND NOT EXISTS (SELECT 1 FROM assessment_decisions a WHERE a.programme_id = p.programme_id)"
    " AND NOT EXISTS (SELECT 1 FROM iv_samples s WHERE s.programme_id = p.programme_id);",
    _del("iv_schedule_entries", "iv_plan_id = ANY (v_plans)", "iv_schedule_entry"),
    _del("iv_plan_sign_offs", "iv_plan_id = ANY (v_plans)"),
    _del("iv_plans", "id = ANY (v_plans)", "iv_plan"),
)

_IV_RECORDS = (
    "SELECT coalesce(array_agg(id), '{}') INTO v_iv FROM iv_records"
    " WHERE centre_id = p_centre AND decision_id = ANY (p_ids);"
)
# 0023_purge's rows of a decision, children first.
_DECISION_ROWS = (
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
)
_ASSESSMENT = _lines(
    _IV_RECORDS,
    "SELECT coalesce(array_agg(DISTINCT submission_id), '{}'), coalesce(array_agg(DISTINCT programme_id), '{}')"
    " INTO v_subs, v_progs FROM assessment_decisions WHERE centre_id = p_centre AND id = ANY (p_ids);",
    "SELECT coalesce(array_agg(DISTINCT sample_id), '{}') INTO v_samples FROM iv_sample_items"
    " WHERE centre_id = p_centre AND decision_id = ANY (p_ids);",
    *_DECISION_ROWS,
    _SUBMISSIONS,
    _SAMPLES,
    _PLANS,
)
_APPEALS = _lines(
    _del("appeal_stages", "appeal_id = ANY (p_ids)"), _del("appeals", "id = ANY (p_ids)", "appeal")
)
_EMPLOYER = _lines(
    "SELECT coalesce(array_agg(id), '{}') INTO v_acts FROM employer_activities"
    " WHERE centre_id = p_centre AND plan_id = ANY (p_ids);",
    _del("employer_activity_participants", "activity_id = ANY (v_acts)"),
    _del("employer_activities", "id = ANY (v_acts)", "employer_activity"),
    _del("employer_involvement_declarations", "plan_id = ANY (p_ids)"),
    _del("employer_involvement_plans", "id = ANY (p_ids)", "employer_involvement_plan"),
)

# The copies of the purged subjects' payloads: every outbox event and webhook message of the centre
# that names one of the ids (the record itself, or a child or parent of it) goes, whatever its state.
_COPIES = _lines(
    "SELECT coalesce(array_agg(DISTINCT x), '{}') INTO v_all FROM jsonb_each(v_subjects) s,"
    " jsonb_array_elements_text(s.value) x;",
    "IF cardinality(v_all) > 0 THEN",
    "  DELETE FROM outbox o WHERE o.centre_id = p_centre"
    " AND EXISTS (SELECT 1 FROM unnest(v_all) i WHERE strpos(o.payload::text, i) > 0);",
    "  SELECT coalesce(array_agg(m.id), '{}') INTO v_msgs FROM webhook_messages m WHERE m.centre_id = p_centre"
    " AND EXISTS (SELECT 1 FROM unnest(v_all) i WHERE strpos(convert_from(m.body, 'UTF8'), i) > 0);",
    "  DELETE FROM webhook_attempts WHERE delivery_id IN"
    " (SELECT id FROM webhook_deliveries WHERE message_id = ANY (v_msgs));",
    "  DELETE FROM webhook_deliveries WHERE message_id = ANY (v_msgs);",
    "  DELETE FROM webhook_messages WHERE id = ANY (v_msgs);",
    "END IF;",
)

# R-22 (0005, 0010) with the sanctioned path of 0021's evidence freeze.
_FREEZE_BODY = """
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('verity.retention_purge', true) = 'on'
     AND (SELECT relowner FROM pg_class WHERE oid = TG_RELID) = (SELECT oid FROM pg_roles WHERE rolname = current_user) THEN
    RETURN OLD;
  END IF;
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
END"""
_FREEZE_0010 = _FREEZE_BODY.replace(
    _FREEZE_BODY[: _FREEZE_BODY.index("  IF TG_OP = 'DELETE' OR")], "\nBEGIN\n"
)


def _freeze(body: str) -> None:
    op.execute(
        f"CREATE OR REPLACE FUNCTION submissions_freeze() RETURNS trigger LANGUAGE plpgsql AS $${body} $$"
    )


def upgrade(app_role: str = "verity_app") -> None:
    _freeze(_FREEZE_BODY)
    op.execute(f"""
    CREATE OR REPLACE FUNCTION retention_purge(p_kind text, p_centre uuid, p_ids uuid[]) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE v_rows integer := 0; v_n integer; v_subjects jsonb := '{{}}'; v_ids uuid[]; v_iv uuid[];
      v_acts uuid[]; v_subs uuid[]; v_progs uuid[]; v_samples uuid[]; v_keep uuid[]; v_plans uuid[];
      v_msgs uuid[]; v_all text[];
    BEGIN
      PERFORM set_config('verity.retention_purge', 'on', true);
      IF p_kind = 'learner_work' THEN
        {_LEARNER_WORK}
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
      {_COPIES}
      PERFORM set_config('verity.retention_purge', 'off', true);
      RETURN jsonb_build_object('rows', v_rows, 'subjects', v_subjects);
    END $$""")
    op.execute(f"REVOKE ALL ON FUNCTION {_SIG} FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION {_SIG} TO "{app_role}"')


def downgrade(app_role: str = "verity_app") -> None:
    # Back to 0023_purge's function and 0010's freeze (no DELETE of a submission at all).
    _freeze(_FREEZE_0010)
    op.execute(f"""
    CREATE OR REPLACE FUNCTION retention_purge(p_kind text, p_centre uuid, p_ids uuid[]) RETURNS jsonb
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
        {_lines(_IV_RECORDS, *_DECISION_ROWS)}
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
