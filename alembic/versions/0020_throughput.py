"""Throughput (issue 18): indexes for the reads that grew with a centre, the chain's batch append, and
the write path's one statement (a request's audit rows and outbox events together).

- audit events for a subject: (centre_id, subject_type, subject_id, seq), the list's filter and order;
- decisions by programme and by assessor, learners by centre: (…, id), the keyset pagination's order;
- pending deliveries per endpoint by due time: the worker's fair claim (app/webhooks/dispatch.py);
- audit_append_many: the chain's only other writer besides audit_append. One lock, one read of the
  head, the hashes in one pass, one multi-row insert; the links are those the same rows appended one by
  one would make (audit_event_hash is the one definition of a link, for append and verify alike);
- record_changes: audit_append_many and the outbox rows of one act in one call, so a request's write
  path costs one round trip at commit whatever its number of changes (app/events/write.py).

Revision ID: 0020_throughput
Revises: 0015_review
Create Date: 2026-12-02
"""

from alembic import op

revision = "0020_throughput"
down_revision = "0019_cert"
branch_labels = None
depends_on = None

APPEND_MANY = "audit_append_many(uuid, text, text, text, text[], text[], text[], jsonb[], jsonb[])"
RECORD_CHANGES = "record_changes(uuid, text, text, text, text[], text[], text[], jsonb[], jsonb[], uuid[], text[], jsonb[])"


def upgrade(app_role: str = "verity_app") -> None:
    op.create_index(
        "ix_audit_events_subject", "audit_events", ["centre_id", "subject_type", "subject_id", "seq"]
    )
    op.create_index("ix_assessment_decisions_programme_id_id", "assessment_decisions", ["programme_id", "id"])
    op.create_index(
        "ix_assessment_decisions_assessor_staff_id_id", "assessment_decisions", ["assessor_staff_id", "id"]
    )
    op.create_index("ix_learners_centre_id_id", "learners", ["centre_id", "id"])
    op.create_index(
        "ix_webhook_deliveries_endpoint_due",
        "webhook_deliveries",
        ["endpoint_id", "next_attempt_at"],
        postgresql_where="status = 'pending'",
    )
    op.create_index(
        "ix_webhook_deliveries_endpoint_leased",
        "webhook_deliveries",
        ["endpoint_id"],
        postgresql_where="status = 'pending' AND locked_until IS NOT NULL",
    )
    op.execute("""
    CREATE FUNCTION audit_append_many(
        p_centre uuid, p_actor text, p_role text, p_request_id text, p_actions text[],
        p_subject_types text[], p_subject_ids text[], p_befores jsonb[], p_afters jsonb[])
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE
      v_n int := coalesce(array_length(p_actions, 1), 0);
      v_seq bigint; v_prev text; v_at timestamptz := clock_timestamp();
      v_prevs text[] := '{}'; v_hashes text[] := '{}'; r record;
    BEGIN
      IF v_n = 0 THEN
        RETURN NULL;
      END IF;
      PERFORM pg_advisory_xact_lock(hashtextextended('verity.audit:' || p_centre::text, 0));
      SELECT seq, hash INTO v_seq, v_prev FROM audit_events
        WHERE centre_id = p_centre ORDER BY seq DESC LIMIT 1;
      v_seq := coalesce(v_seq, 0);
      v_prev := coalesce(v_prev, repeat('0', 64));
      -- Each link hashes the one before it: one pass in order over the rows (never subscripting the
      -- arrays, which costs the length of the array each time), then one insert of every row.
      FOR r IN SELECT * FROM unnest(p_actions, p_subject_types, p_subject_ids, p_befores, p_afters)
                             WITH ORDINALITY AS u(action, subject_type, subject_id, before, after, i) LOOP
        v_prevs := array_append(v_prevs, v_prev);
        v_prev := audit_event_hash(p_centre, v_seq + r.i, v_at, p_actor, p_role, r.action, r.subject_type,
                                   r.subject_id, r.before, r.after, p_request_id, v_prev);
        v_hashes := array_append(v_hashes, v_prev);
      END LOOP;
      INSERT INTO audit_events (centre_id, seq, occurred_at, actor, actor_role, action, subject_type,
                                subject_id, before, after, request_id, prev_hash, hash)
      SELECT p_centre, v_seq + u.i, v_at, p_actor, p_role, u.action, u.subject_type, u.subject_id,
             u.before, u.after, p_request_id, u.prev_hash, u.hash
      FROM unnest(p_actions, p_subject_types, p_subject_ids, p_befores, p_afters, v_prevs, v_hashes)
           WITH ORDINALITY AS u(action, subject_type, subject_id, before, after, prev_hash, hash, i);
      RETURN v_seq + v_n;
    END $$""")
    # SECURITY INVOKER: the outbox insert is the application role's own right; the audit rows go
    # through audit_append_many, which alone may write the log.
    op.execute("""
    CREATE FUNCTION record_changes(
        p_centre uuid, p_actor text, p_role text, p_request_id text, p_actions text[],
        p_subject_types text[], p_subject_ids text[], p_befores jsonb[], p_afters jsonb[],
        p_event_ids uuid[], p_event_types text[], p_payloads jsonb[])
    RETURNS bigint LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
    DECLARE
      v_seq bigint;
    BEGIN
      INSERT INTO outbox (id, centre_id, event_type, payload, request_id)
      SELECT e.id, p_centre, e.event_type, e.payload, p_request_id
      FROM unnest(p_event_ids, p_event_types, p_payloads) AS e(id, event_type, payload)
      WHERE e.id IS NOT NULL;
      v_seq := audit_append_many(p_centre, p_actor, p_role, p_request_id, p_actions, p_subject_types,
                                 p_subject_ids, p_befores, p_afters);
      RETURN v_seq;
    END $$""")
    for signature in (APPEND_MANY, RECORD_CHANGES):
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f'GRANT EXECUTE ON FUNCTION {signature} TO "{app_role}"')


def downgrade(app_role: str = "verity_app") -> None:
    op.execute(f"DROP FUNCTION {RECORD_CHANGES}")
    op.execute(f"DROP FUNCTION {APPEND_MANY}")
    op.drop_index("ix_webhook_deliveries_endpoint_leased", "webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_endpoint_due", "webhook_deliveries")
    op.drop_index("ix_learners_centre_id_id", "learners")
    op.drop_index("ix_assessment_decisions_assessor_staff_id_id", "assessment_decisions")
    op.drop_index("ix_assessment_decisions_programme_id_id", "assessment_decisions")
    op.drop_index("ix_audit_events_subject", "audit_events")
