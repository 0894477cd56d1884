"""The record over time (R-96, R-97, R-98): signed checkpoints of each centre's chain, an audit chain that
hashes digests of payloads so a payload can be erased and the chain still verify, legal holds, and
subject access requests.

Existing rows: their hashes were computed over the full payloads (the 0001 formula). The upgrade first
walks every chain under the old formula and refuses to migrate a broken one; it then stores each row's
payload digests, rehashes every chain under the new formula, and appends one `audit.chain_rehashed`
event per centre carrying the old head hash, so the new chain itself records what it replaced
(docs/audit.md, "Existing rows").

Revision ID: 0021_records
Revises: 0015_review
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0021_records"
down_revision = "0020_throughput"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
_HASH_ARGS = "uuid, bigint, timestamptz, text, text, text, text, text, {p}, {p}, text, text"
_ERASE_ARGS = "uuid, text, text[], text"


def upgrade(app_role: str = "verity_app") -> None:
    _refuse_broken_chains()
    op.add_column("audit_events", sa.Column("before_digest", sa.String(64), nullable=True))
    op.add_column("audit_events", sa.Column("after_digest", sa.String(64), nullable=True))
    op.add_column("audit_events", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    _digest_functions()
    _erasure()
    _rehash_existing()
    _checkpoints(app_role)
    _legal_holds(app_role)
    _subject_access(app_role)
    _retention_purge()
    op.execute("REVOKE ALL ON FUNCTION retention_purge(text, uuid, uuid[]) FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION retention_purge(text, uuid, uuid[]) TO "{app_role}"')
    op.execute(f"REVOKE ALL ON FUNCTION audit_erase_payloads({_ERASE_ARGS}) FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION audit_erase_payloads({_ERASE_ARGS}) TO "{app_role}"')


def _refuse_broken_chains() -> None:
    op.execute("""
    DO $$ DECLARE r record; v_prev text; v_seq bigint; v_centre uuid;
    BEGIN
      FOR r IN SELECT * FROM audit_events ORDER BY centre_id, seq LOOP
        IF v_centre IS DISTINCT FROM r.centre_id THEN v_centre := r.centre_id; v_prev := repeat('0', 64); v_seq := 0; END IF;
        IF r.seq <> v_seq + 1 OR r.prev_hash <> v_prev OR r.hash <> audit_event_hash(r.centre_id, r.seq,
             r.occurred_at, r.actor, r.actor_role, r.action, r.subject_type, r.subject_id, r.before, r.after,
             r.request_id, r.prev_hash) THEN
          RAISE EXCEPTION 'audit chain of centre % is broken at seq %: not migrating it (R-96)', r.centre_id, r.seq;
        END IF;
        v_prev := r.hash; v_seq := r.seq;
      END LOOP;
    END $$""")


def _digest_functions() -> None:
    # A payload's digest is the SHA-256 of its canonical jsonb text; the chain hashes the digests, so
    # the payload itself may later be erased (audit_erase_payloads) and every link still recomputes.
    op.execute("""
    CREATE FUNCTION audit_payload_digest(p jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT CASE WHEN p IS NULL THEN NULL ELSE encode(sha256(convert_to(p::text, 'UTF8')), 'hex') END
    $$""")
    # THE formula (one definition for every appender and for verify): the event's fields, the
    # digests of its payloads and the previous hash.
    op.execute(f"DROP FUNCTION audit_event_hash({_HASH_ARGS.format(p='jsonb')})")
    op.execute("""
    CREATE FUNCTION audit_event_hash(p_centre uuid, p_seq bigint, p_at timestamptz, p_actor text,
        p_role text, p_action text, p_subject_type text, p_subject_id text, p_before_digest text,
        p_after_digest text, p_request_id text, p_prev_hash text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
      SELECT encode(sha256(convert_to(jsonb_build_object(
        'centre_id', p_centre, 'seq', p_seq,
        'occurred_at', to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'actor', p_actor, 'actor_role', p_role, 'action', p_action, 'subject_type', p_subject_type,
        'subject_id', p_subject_id, 'before_digest', p_before_digest, 'after_digest', p_after_digest,
        'request_id', p_request_id, 'prev_hash', p_prev_hash)::text, 'UTF8')), 'hex')
    $$""")
    # The payload form the appenders call (audit_append, and a set-based appender): the same formula
    # over the payloads' digests.
    op.execute("""
    CREATE FUNCTION audit_event_hash(p_centre uuid, p_seq bigint, p_at timestamptz, p_actor text,
        p_role text, p_action text, p_subject_type text, p_subject_id text, p_before jsonb, p_after jsonb,
        p_request_id text, p_prev_hash text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
      SELECT audit_event_hash(p_centre, p_seq, p_at, p_actor, p_role, p_action, p_subject_type,
        p_subject_id, audit_payload_digest(p_before), audit_payload_digest(p_after), p_request_id, p_prev_hash)
    $$""")
    # Whatever appends, the row stores the digests of what it carries (the appenders need not know).
    op.execute("""
    CREATE FUNCTION audit_events_digest() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.before_digest := audit_payload_digest(NEW.before);
      NEW.after_digest := audit_payload_digest(NEW.after);
      NEW.erased_at := NULL;
      RETURN NEW;
    END $$""")
    op.execute("""CREATE TRIGGER audit_events_digest BEFORE INSERT ON audit_events
                  FOR EACH ROW EXECUTE FUNCTION audit_events_digest()""")
    op.execute("ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_digest")


def _erasure() -> None:
    # The append-only guard now lets exactly one UPDATE through: both payloads set to NULL and
    # erased_at set, every other column (the digests and hashes included) unchanged. Nothing else
    # changes a row, and no row is ever deleted.
    op.execute("""
    CREATE OR REPLACE FUNCTION audit_events_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL
         AND NEW.before IS NULL AND NEW.after IS NULL
         AND (NEW.id, NEW.centre_id, NEW.seq, NEW.occurred_at, NEW.actor, NEW.actor_role, NEW.action,
              NEW.subject_type, NEW.subject_id, NEW.request_id, NEW.prev_hash, NEW.hash,
              NEW.before_digest, NEW.after_digest)
             IS NOT DISTINCT FROM
             (OLD.id, OLD.centre_id, OLD.seq, OLD.occurred_at, OLD.actor, OLD.actor_role, OLD.action,
              OLD.subject_type, OLD.subject_id, OLD.request_id, OLD.prev_hash, OLD.hash,
              OLD.before_digest, OLD.after_digest) THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'audit_events is append-only (R-96): % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END $$""")
    # Owned by the migration role; the application role may only call it. It erases the payloads of
    # one centre's events about the named subjects, never an erasure's own record, and appends one
    # `audit.payloads_erased` event with the count and the reason (never the content).
    op.execute("""
    CREATE FUNCTION audit_erase_payloads(p_centre uuid, p_subject_type text, p_subject_ids text[],
        p_reason text) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE v_count integer;
    BEGIN
      IF p_subject_type = 'audit' THEN
        RAISE EXCEPTION 'the audit log''s own records are not erasable' USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF coalesce(length(p_reason), 0) = 0 THEN
        RAISE EXCEPTION 'an erasure needs a reason' USING ERRCODE = 'check_violation';
      END IF;
      UPDATE audit_events SET before = NULL, after = NULL, erased_at = clock_timestamp()
        WHERE centre_id = p_centre AND subject_type = p_subject_type AND subject_id = ANY (p_subject_ids)
          AND erased_at IS NULL AND (before IS NOT NULL OR after IS NOT NULL);
      GET DIAGNOSTICS v_count = ROW_COUNT;
      IF v_count > 0 THEN
        PERFORM audit_append(p_centre, current_user::text, 'system', 'audit.payloads_erased', 'audit',
          p_subject_type, NULL, jsonb_build_object('subject_type', p_subject_type, 'subjects',
          cardinality(p_subject_ids), 'events', v_count, 'reason', p_reason), NULL);
      END IF;
      RETURN v_count;
    END $$""")


def _retention_purge() -> None:
    # the rows whose retention has run are deleted by this function only (owned by the migration
    # role; the application role may call it). Handed-in evidence is frozen by R-22's trigger; the
    # trigger now lets a DELETE through when the owner runs it inside this function, never otherwise.
    op.execute("""
    CREATE OR REPLACE FUNCTION evidence_items_freeze() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE v_status text;
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'evidence is never changed (R-22)' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      IF TG_OP = 'DELETE' AND current_setting('verity.retention_purge', true) = 'on'
         AND (SELECT relowner FROM pg_class WHERE oid = TG_RELID) = (SELECT oid FROM pg_roles WHERE rolname = current_user) THEN
        RETURN OLD;
      END IF;
      SELECT status INTO v_status FROM submissions
        WHERE id = CASE WHEN TG_OP = 'INSERT' THEN NEW.submission_id ELSE OLD.submission_id END FOR SHARE;
      IF v_status = 'submitted' THEN
        RAISE EXCEPTION 'the submission is handed in: evidence cannot be added or removed (R-22)'
          USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END $$""")
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


def _rehash_existing() -> None:
    op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete")
    op.execute("""
    DO $$ DECLARE r record; v_prev text; v_centre uuid; v_hash text; v_old_head text;
    BEGIN
      FOR r IN SELECT * FROM audit_events ORDER BY centre_id, seq LOOP
        IF v_centre IS DISTINCT FROM r.centre_id THEN v_centre := r.centre_id; v_prev := repeat('0', 64); END IF;
        v_hash := audit_event_hash(r.centre_id, r.seq, r.occurred_at, r.actor, r.actor_role, r.action,
          r.subject_type, r.subject_id, r.before, r.after, r.request_id, v_prev);
        UPDATE audit_events SET before_digest = audit_payload_digest(r.before),
          after_digest = audit_payload_digest(r.after), prev_hash = v_prev, hash = v_hash WHERE id = r.id;
        v_prev := v_hash;
      END LOOP;
    END $$""")
    op.execute("ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_update_delete")
    # One event per migrated centre: the old head, now superseded, recorded in the new chain.
    op.execute("""
    CREATE TEMP TABLE audit_old_heads ON COMMIT DROP AS
      SELECT DISTINCT ON (centre_id) centre_id, seq FROM audit_events ORDER BY centre_id, seq DESC""")
    op.execute("""
    SELECT audit_append(h.centre_id, 'system:migrate', 'system', 'audit.chain_rehashed', 'audit',
      h.centre_id::text, NULL, jsonb_build_object('through_seq', h.seq, 'formula', 'payload digests (0021)'),
      NULL) FROM audit_old_heads h""")


def _checkpoints(app_role: str) -> None:
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("centre_id", UUID, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("checkpointed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(200), nullable=False),
        sa.UniqueConstraint("centre_id", "seq"),
    )
    op.execute(f'GRANT SELECT, INSERT ON audit_checkpoints TO "{app_role}"')


def _legal_holds(app_role: str) -> None:
    op.create_table(
        "legal_holds",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("centre_id", UUID, sa.ForeignKey("centres.id"), nullable=False),
        sa.Column("learner_id", UUID, sa.ForeignKey("learners.id"), nullable=True),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_legal_holds_centre_id", "legal_holds", ["centre_id"])
    op.execute(f'GRANT SELECT, INSERT, UPDATE ON legal_holds TO "{app_role}"')


def _subject_access(app_role: str) -> None:
    op.create_table(
        "subject_access_requests",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("centre_id", UUID, sa.ForeignKey("centres.id"), nullable=False),
        sa.Column("learner_id", UUID, sa.ForeignKey("learners.id"), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fulfilled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archive_sha256", sa.String(64), nullable=True),
        sa.Column("archive_bytes", sa.Integer(), nullable=True),
        sa.Column("records", sa.Integer(), nullable=True),
        sa.Column("files", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_subject_access_requests_learner_id", "subject_access_requests", ["learner_id"])
    op.execute(f'GRANT SELECT, INSERT, UPDATE ON subject_access_requests TO "{app_role}"')


_OLD_FORMULA = """
    CREATE FUNCTION audit_event_hash(p_centre uuid, p_seq bigint, p_at timestamptz, p_actor text,
        p_role text, p_action text, p_subject_type text, p_subject_id text, p_before jsonb, p_after jsonb,
        p_request_id text, p_prev_hash text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
      SELECT encode(sha256(convert_to(jsonb_build_object(
        'centre_id', p_centre, 'seq', p_seq,
        'occurred_at', to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'actor', p_actor, 'actor_role', p_role, 'action', p_action, 'subject_type', p_subject_type,
        'subject_id', p_subject_id, 'before', p_before, 'after', p_after, 'request_id', p_request_id,
        'prev_hash', p_prev_hash)::text, 'UTF8')), 'hex')
    $$"""


def downgrade(app_role: str = "verity_app") -> None:
    op.drop_table("subject_access_requests")
    op.drop_table("legal_holds")
    op.drop_table("audit_checkpoints")
    op.execute(f"DROP FUNCTION audit_erase_payloads({_ERASE_ARGS})")
    op.execute("DROP FUNCTION retention_purge(text, uuid, uuid[])")
    op.execute("""
    CREATE OR REPLACE FUNCTION evidence_items_freeze() RETURNS trigger LANGUAGE plpgsql AS $$
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
    # The old formula hashes the payloads themselves: a chain with an erased payload cannot go back.
    op.execute("""
    DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM audit_events WHERE erased_at IS NOT NULL) THEN
        RAISE EXCEPTION 'audit payloads have been erased: the 0001 formula cannot be recomputed';
      END IF;
    END $$""")
    op.execute("DROP TRIGGER audit_events_digest ON audit_events")
    op.execute("DROP FUNCTION audit_events_digest()")
    op.execute(f"DROP FUNCTION audit_event_hash({_HASH_ARGS.format(p='jsonb')})")
    op.execute(f"DROP FUNCTION audit_event_hash({_HASH_ARGS.format(p='text')})")
    op.execute("DROP FUNCTION audit_payload_digest(jsonb)")
    op.execute(_OLD_FORMULA)
    op.execute("""
    CREATE OR REPLACE FUNCTION audit_events_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_events is append-only (R-96): % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END $$""")
    op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete")
    op.execute("""
    DO $$ DECLARE r record; v_prev text; v_centre uuid; v_hash text;
    BEGIN
      FOR r IN SELECT * FROM audit_events ORDER BY centre_id, seq LOOP
        IF v_centre IS DISTINCT FROM r.centre_id THEN v_centre := r.centre_id; v_prev := repeat('0', 64); END IF;
        v_hash := audit_event_hash(r.centre_id, r.seq, r.occurred_at, r.actor, r.actor_role, r.action,
          r.subject_type, r.subject_id, r.before, r.after, r.request_id, v_prev);
        UPDATE audit_events SET prev_hash = v_prev, hash = v_hash WHERE id = r.id;
        v_prev := v_hash;
      END LOOP;
    END $$""")
    op.execute("ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_update_delete")
    for column in ("erased_at", "after_digest", "before_digest"):
        op.drop_column("audit_events", column)
