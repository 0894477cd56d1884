"""Foundation: centres, sites, staff, learners, the audit log (R-96) and the events outbox.

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from alembic import op

revision = "0001_foundation"
down_revision = None
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def _create_app_role(app_role: str) -> None:
    # Roles are cluster-wide: create it once, tolerate a concurrent creator (parallel test databases).
    op.execute(f"""
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{app_role}') THEN
        CREATE ROLE "{app_role}" NOLOGIN;
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$;""")


def upgrade(app_role: str = "verity_app") -> None:
    _create_app_role(app_role)

    op.create_table(
        "centres",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("centre_number", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("nation", sa.String(20), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("nation IN ('england_wales', 'scotland', 'northern_ireland')", name="nation"),
        sa.UniqueConstraint("centre_number"),
    )
    op.create_table(
        "sites",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("centre_id", UUID, sa.ForeignKey("centres.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(500), nullable=True),
        *_timestamps(),
        sa.UniqueConstraint("centre_id", "name"),
    )
    op.create_index("ix_sites_centre_id", "sites", ["centre_id"])
    op.create_table(
        "staff",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("centre_id", UUID, sa.ForeignKey("centres.id"), nullable=False),
        sa.Column("idp_subject", sa.String(200), nullable=False),
        sa.Column("given_name", sa.String(100), nullable=False),
        sa.Column("family_name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("roles", pg.ARRAY(sa.String(30)), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_timestamps(),
        sa.UniqueConstraint("centre_id", "idp_subject"),
    )
    op.create_index("ix_staff_centre_id", "staff", ["centre_id"])
    op.create_table(
        "learners",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("centre_id", UUID, sa.ForeignKey("centres.id"), nullable=False),
        sa.Column("given_name", sa.String(100), nullable=False),
        sa.Column("family_name", sa.String(100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("candidate_number", sa.String(20), nullable=True),
        sa.Column("uln", sa.String(10), nullable=True),
        sa.Column("mis_id", sa.String(64), nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("idp_subject", sa.String(200), nullable=True),
        *_timestamps(),
        sa.UniqueConstraint("centre_id", "idp_subject"),
        sa.UniqueConstraint("centre_id", "mis_id"),
        sa.UniqueConstraint("centre_id", "candidate_number"),
    )
    op.create_index("ix_learners_centre_id", "learners", ["centre_id"])
    op.create_index(
        "ix_learners_centre_family_name", "learners", ["centre_id", sa.text("lower(family_name)")]
    )

    op.create_table(
        "outbox",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("centre_id", UUID, nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("payload", pg.JSONB(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=True),
    )
    op.create_index("ix_outbox_centre_id", "outbox", ["centre_id"])
    op.create_index("ix_outbox_occurred_at", "outbox", ["occurred_at"])

    _create_audit_log()

    op.execute(f'GRANT USAGE ON SCHEMA public TO "{app_role}"')
    op.execute(f'GRANT SELECT, INSERT, UPDATE ON centres, sites, staff, learners TO "{app_role}"')
    op.execute(f'GRANT SELECT, INSERT ON outbox TO "{app_role}"')
    op.execute(f'GRANT SELECT ON alembic_version TO "{app_role}"')
    # the application reads the log and appends through the function; it holds no other right.
    op.execute(f'REVOKE ALL ON audit_events FROM PUBLIC, "{app_role}"')
    op.execute(f'GRANT SELECT ON audit_events TO "{app_role}"')
    op.execute(
        "REVOKE ALL ON FUNCTION audit_append(uuid, text, text, text, text, text, jsonb, jsonb, text) FROM PUBLIC"
    )
    op.execute(
        f'GRANT EXECUTE ON FUNCTION audit_append(uuid, text, text, text, text, text, jsonb, jsonb, text) TO "{app_role}"'
    )


def _create_audit_log() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), primary_key=True),
        sa.Column("centre_id", UUID, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("actor_role", sa.String(200), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("subject_type", sa.String(60), nullable=False),
        sa.Column("subject_id", sa.String(100), nullable=False),
        sa.Column("before", pg.JSONB(), nullable=True),
        sa.Column("after", pg.JSONB(), nullable=True),
        sa.Column("request_id", sa.String(128), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("centre_id", "seq"),
    )
    # The canonical form of an event is PostgreSQL's jsonb text (keys ordered, spacing fixed), with the
    # time rendered in UTC whatever the session's time zone; the hash covers the previous hash too.
    op.execute("""
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
    $$""")
    # One round trip: lock the centre's chain, read its head, insert the linked row. Runs as the
    # owner (SECURITY DEFINER) so the application role never needs INSERT on the table.
    op.execute("""
    CREATE FUNCTION audit_append(p_centre uuid, p_actor text, p_role text, p_action text,
        p_subject_type text, p_subject_id text, p_before jsonb, p_after jsonb, p_request_id text)
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE
      v_seq bigint; v_prev text; v_at timestamptz := clock_timestamp();
    BEGIN
      PERFORM pg_advisory_xact_lock(hashtextextended('verity.audit:' || p_centre::text, 0));
      SELECT seq, hash INTO v_seq, v_prev FROM audit_events
        WHERE centre_id = p_centre ORDER BY seq DESC LIMIT 1;
      v_seq := coalesce(v_seq, 0) + 1;
      v_prev := coalesce(v_prev, repeat('0', 64));
      INSERT INTO audit_events (centre_id, seq, occurred_at, actor, actor_role, action, subject_type,
                                subject_id, before, after, request_id, prev_hash, hash)
      VALUES (p_centre, v_seq, v_at, p_actor, p_role, p_action, p_subject_type, p_subject_id, p_before,
              p_after, p_request_id, v_prev,
              audit_event_hash(p_centre, v_seq, v_at, p_actor, p_role, p_action, p_subject_type,
                               p_subject_id, p_before, p_after, p_request_id, v_prev));
      RETURN v_seq;
    END $$""")
    op.execute("""
    CREATE FUNCTION audit_events_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_events is append-only (R-96): % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END $$""")
    op.execute("""CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
                  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse()""")
    op.execute("""CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
                  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse()""")
    # ENABLE ALWAYS: the refusal holds even under session_replication_role = replica.
    op.execute("ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_update_delete")
    op.execute("ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_truncate")


def downgrade(app_role: str = "verity_app") -> None:
    op.execute("DROP TABLE audit_events")
    op.execute("DROP FUNCTION audit_append(uuid, text, text, text, text, text, jsonb, jsonb, text)")
    op.execute(
        "DROP FUNCTION audit_event_hash(uuid, bigint, timestamptz, text, text, text, text, text, jsonb, jsonb, text, text)"
    )
    op.execute("DROP FUNCTION audit_events_refuse()")
    for table in ("outbox", "learners", "staff", "sites", "centres"):
        op.drop_table(table)
    op.execute(f'REVOKE SELECT ON alembic_version FROM "{app_role}"')
    op.execute(f'REVOKE USAGE ON SCHEMA public FROM "{app_role}"')
