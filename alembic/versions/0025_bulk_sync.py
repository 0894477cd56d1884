"""Bulk sync throughput (issue 18): the chain's batch append hashes in one cheap pass, and a bulk write
records its changes from rows staged in the database, with no JSON round trip through Python.

- audit_event_text: the canonical text of a link (what audit_event_hash hashes), now a function of its
  own so that the batch append can render it by the same definition. audit_event_hash is unchanged in
  what it computes: the SHA-256 of that text.
- audit_append_many: the same links as before (tests/audit), made cheaper. The link text of a batch is
  rendered once by audit_event_text with the per-link fields left null (the batch's actor, role,
  request id, time and centre are the same for every link); each link's text is that template with its
  seven own fields put in, so the sequential loop only hashes (was: a jsonb object built, sorted and
  printed per link, ~20 us each). The payloads are digested once, set-based, for the links and the rows.
- audit_events_digest (the trigger) still recomputes the digests of every row inserted, except
  audit_append_many's own insert, which supplies the digests it has just computed by the same
  function (see the trigger's comment for why nobody else can use that).
- record_staged_changes: the write path for a bulk statement that staged its changes in the
  transaction's temporary table `staged_changes` (app/events/bulk.py): the outbox rows (one per
  change, a version-7 id made here) and audit_append_many, as record_changes does for the changes sent
  as arrays. It empties the table, so a change is recorded once.

Revision ID: 0025_bulk_sync
Revises: 0024_purge_all
Create Date: 2026-12-03
"""

import sqlalchemy as sa

from alembic import op

revision = "0025_bulk_sync"
down_revision = "0024_purge_all"
branch_labels = None
depends_on = None

_LINK_ARGS = (
    "p_centre uuid, p_seq bigint, p_at timestamptz, p_actor text, p_role text, p_action text, "
    "p_subject_type text, p_subject_id text, p_before_digest text, p_after_digest text, "
    "p_request_id text, p_prev_hash text"
)
_LINK_TYPES = "uuid, bigint, timestamptz, text, text, text, text, text, text, text, text, text"
_LINK_OBJECT = """jsonb_build_object(
        'centre_id', p_centre, 'seq', p_seq,
        'occurred_at', to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'actor', p_actor, 'actor_role', p_role, 'action', p_action, 'subject_type', p_subject_type,
        'subject_id', p_subject_id, 'before_digest', p_before_digest, 'after_digest', p_after_digest,
        'request_id', p_request_id, 'prev_hash', p_prev_hash)::text"""
APPEND_MANY = "audit_append_many(uuid, text, text, text, text[], text[], text[], jsonb[], jsonb[])"
RECORD_STAGED = "record_staged_changes(uuid, text, text, text)"
_APPEND_MANY_ARGS = """p_centre uuid, p_actor text, p_role text, p_request_id text, p_actions text[],
        p_subject_types text[], p_subject_ids text[], p_befores jsonb[], p_afters jsonb[]"""


def upgrade(app_role: str = "verity_app") -> None:
    # THE formula, unchanged (0021_records): the event's fields, its payloads' digests and the previous
    # hash, as PostgreSQL's jsonb text (keys ordered by length then bytes, spacing fixed).
    op.execute(f"""
    CREATE FUNCTION audit_event_text({_LINK_ARGS}) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
      SELECT {_LINK_OBJECT}
    $$""")
    op.execute(f"""
    CREATE OR REPLACE FUNCTION audit_event_hash({_LINK_ARGS}) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
      SELECT encode(sha256(convert_to(audit_event_text(p_centre, p_seq, p_at, p_actor, p_role, p_action,
        p_subject_type, p_subject_id, p_before_digest, p_after_digest, p_request_id, p_prev_hash),
        'UTF8')), 'hex')
    $$""")
    op.execute(f"""
    CREATE OR REPLACE FUNCTION audit_append_many({_APPEND_MANY_ARGS})
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE
      v_n int := coalesce(array_length(p_actions, 1), 0);
      v_seq bigint; v_prev text; v_at timestamptz := clock_timestamp();
      v_template text; v_parts text[] := '{{}}'; v_from int := 1; v_key text; v_found int;
      v_head text; v_tail text; v_before_digest text; v_after_digest text;
      v_prevs text[] := '{{}}'; v_hashes text[] := '{{}}';
      v_before_digests text[] := '{{}}'; v_after_digests text[] := '{{}}';
    BEGIN
      IF v_n = 0 THEN
        RETURN NULL;
      END IF;
      PERFORM pg_advisory_xact_lock(hashtextextended('verity.audit:' || p_centre::text, 0));
      SELECT seq, hash INTO v_seq, v_prev FROM audit_events
        WHERE centre_id = p_centre ORDER BY seq DESC LIMIT 1;
      v_seq := coalesce(v_seq, 0);
      v_prev := coalesce(v_prev, repeat('0', 64));
      -- The batch's link text with the seven per-link fields null, by the one definition; cut at each
      -- `"<key>": null` in the order jsonb prints the keys (length, then bytes). A key can be found
      -- only where it is a key: inside a string value every quote is escaped. A template that does
      -- not have them in this order refuses the append rather than hash another text.
      v_template := audit_event_text(p_centre, NULL, v_at, p_actor, p_role, NULL, NULL, NULL, NULL, NULL,
                                     p_request_id, NULL);
      FOREACH v_key IN ARRAY ARRAY['seq', 'action', 'prev_hash', 'subject_id', 'after_digest',
                                   'subject_type', 'before_digest'] LOOP
        v_found := strpos(substr(v_template, v_from), '"' || v_key || '": null');
        IF v_found = 0 THEN
          RAISE EXCEPTION 'audit_append_many: the link text has no % where expected', v_key;
        END IF;
        v_parts := array_append(v_parts, substr(v_template, v_from, v_found - 1 + length(v_key) + 4));
        v_from := v_from + v_found - 1 + length(v_key) + 4 + length('null');
      END LOOP;
      v_parts := array_append(v_parts, substr(v_template, v_from));
      -- One pass in order over the rows (never subscripting the arrays, which costs the length of the
      -- array each time): each row's payload digests and its link text before and after the previous
      -- hash are computed by the query; the loop only chains, as each link hashes the one before it.
      FOR v_head, v_tail, v_before_digest, v_after_digest IN
        SELECT v_parts[1] || (v_seq + u.i)::text || v_parts[2] || to_json(u.action)::text || v_parts[3],
               v_parts[4] || to_json(u.subject_id)::text || v_parts[5]
                 || coalesce('"' || d.after_digest || '"', 'null') || v_parts[6]
                 || to_json(u.subject_type)::text || v_parts[7]
                 || coalesce('"' || d.before_digest || '"', 'null') || v_parts[8],
               d.before_digest, d.after_digest
        FROM unnest(p_actions, p_subject_types, p_subject_ids, p_befores, p_afters)
             WITH ORDINALITY AS u(action, subject_type, subject_id, before, after, i)
        CROSS JOIN LATERAL (SELECT audit_payload_digest(u.before) AS before_digest,
                                   audit_payload_digest(u.after) AS after_digest) d
        ORDER BY u.i
      LOOP
        v_prevs := array_append(v_prevs, v_prev);
        v_prev := encode(sha256(convert_to(v_head || '"' || v_prev || '"' || v_tail, 'UTF8')), 'hex');
        v_hashes := array_append(v_hashes, v_prev);
        v_before_digests := array_append(v_before_digests, v_before_digest);
        v_after_digests := array_append(v_after_digests, v_after_digest);
      END LOOP;
      -- The digests just computed go in with the rows; the trigger (audit_events_digest) keeps them
      -- for this insert only (see there).
      PERFORM set_config('verity.audit_digests', 'supplied:' || txid_current(), true);
      INSERT INTO audit_events (centre_id, seq, occurred_at, actor, actor_role, action, subject_type,
                                subject_id, before, after, request_id, before_digest, after_digest,
                                prev_hash, hash)
      SELECT p_centre, v_seq + u.i, v_at, p_actor, p_role, u.action, u.subject_type, u.subject_id,
             u.before, u.after, p_request_id, u.before_digest, u.after_digest, u.prev_hash, u.hash
      FROM unnest(p_actions, p_subject_types, p_subject_ids, p_befores, p_afters, v_before_digests,
                  v_after_digests, v_prevs, v_hashes)
           WITH ORDINALITY AS u(action, subject_type, subject_id, before, after, before_digest,
                                after_digest, prev_hash, hash, i);
      PERFORM set_config('verity.audit_digests', '', true);
      RETURN v_seq + v_n;
    END $$""")
    # Every row's digests are the database's own. The trigger recomputes them for every insert but
    # audit_append_many's: it has just computed them by the same function, from the same payloads, and
    # says so for its one insert by a setting of its own transaction while it runs as the table's owner.
    # Nobody else gets past the recompute: the application role cannot insert into the log at all (and
    # a setting it sets itself does not make it the owner); an owner's function that supplies no
    # digests (audit_append) leaves a payload without its digest, which the check below refuses to
    # keep; only the owner, who can switch triggers off anyway, could supply others.
    # The owner is named in the function (read once here): a catalog query per row would cost more
    # than the digests it saves.
    owner = op.get_bind().execute(
        sa.text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_events'")
    )
    owner_literal = "'" + str(owner.scalar_one()).replace("'", "''") + "'"
    op.execute(f"""
    CREATE OR REPLACE FUNCTION audit_events_digest() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF current_setting('verity.audit_digests', true) = 'supplied:' || txid_current()
         AND (NEW.before IS NULL) = (NEW.before_digest IS NULL)
         AND (NEW.after IS NULL) = (NEW.after_digest IS NULL)
         AND current_user = {owner_literal} THEN
        NEW.erased_at := NULL;
        RETURN NEW;
      END IF;
      NEW.before_digest := audit_payload_digest(NEW.before);
      NEW.after_digest := audit_payload_digest(NEW.after);
      NEW.erased_at := NULL;
      RETURN NEW;
    END $$""")
    # SECURITY INVOKER, as record_changes: the outbox insert is the application role's own right, the
    # audit rows go through audit_append_many. The staged rows are the caller's own temporary table.
    op.execute("""
    CREATE FUNCTION record_staged_changes(
        p_centre uuid, p_actor text, p_role text, p_request_id text)
    RETURNS bigint LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
    DECLARE
      v_seq bigint;
      -- Version-7 ids (RFC 9562): this millisecond, then random bits (as app.core.ids.uuid7_many).
      v_ms bytea := substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3);
      v_actions text[]; v_types text[]; v_ids text[]; v_befores jsonb[]; v_afters jsonb[];
    BEGIN
      IF to_regclass('pg_temp.staged_changes') IS NULL THEN
        RETURN NULL;
      END IF;
      INSERT INTO outbox (id, centre_id, event_type, payload, request_id)
      SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING v_ms FROM 1 FOR 6),
                                    52, 1), 53, 1), 'hex')::uuid,
             p_centre, s.action, coalesce(s.payload, s.after), p_request_id
      FROM pg_temp.staged_changes s ORDER BY s.ord;
      SELECT array_agg(s.action ORDER BY s.ord), array_agg(s.subject_type ORDER BY s.ord),
             array_agg(s.subject_id ORDER BY s.ord), array_agg(s.before ORDER BY s.ord),
             array_agg(s.after ORDER BY s.ord)
        INTO v_actions, v_types, v_ids, v_befores, v_afters
        FROM pg_temp.staged_changes s;
      DELETE FROM pg_temp.staged_changes;
      v_seq := audit_append_many(p_centre, p_actor, p_role, p_request_id, v_actions, v_types, v_ids,
                                 v_befores, v_afters);
      RETURN v_seq;
    END $$""")
    op.execute(f"REVOKE ALL ON FUNCTION {RECORD_STAGED} FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION {RECORD_STAGED} TO "{app_role}"')
    op.execute(f"REVOKE ALL ON FUNCTION audit_event_text({_LINK_TYPES}) FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION audit_event_text({_LINK_TYPES}) TO "{app_role}"')


def downgrade(app_role: str = "verity_app") -> None:
    op.execute(f"DROP FUNCTION {RECORD_STAGED}")
    op.execute("""
    CREATE OR REPLACE FUNCTION audit_events_digest() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.before_digest := audit_payload_digest(NEW.before);
      NEW.after_digest := audit_payload_digest(NEW.after);
      NEW.erased_at := NULL;
      RETURN NEW;
    END $$""")
    op.execute(f"""
    CREATE OR REPLACE FUNCTION audit_append_many({_APPEND_MANY_ARGS})
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE
      v_n int := coalesce(array_length(p_actions, 1), 0);
      v_seq bigint; v_prev text; v_at timestamptz := clock_timestamp();
      v_prevs text[] := '{{}}'; v_hashes text[] := '{{}}'; r record;
    BEGIN
      IF v_n = 0 THEN
        RETURN NULL;
      END IF;
      PERFORM pg_advisory_xact_lock(hashtextextended('verity.audit:' || p_centre::text, 0));
      SELECT seq, hash INTO v_seq, v_prev FROM audit_events
        WHERE centre_id = p_centre ORDER BY seq DESC LIMIT 1;
      v_seq := coalesce(v_seq, 0);
      v_prev := coalesce(v_prev, repeat('0', 64));
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
    op.execute(f"""
    CREATE OR REPLACE FUNCTION audit_event_hash({_LINK_ARGS}) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
      SELECT encode(sha256(convert_to({_LINK_OBJECT}, 'UTF8')), 'hex')
    $$""")
    op.execute(f"DROP FUNCTION audit_event_text({_LINK_TYPES})")
