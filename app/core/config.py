"""Settings, read once from the environment (12-factor); tests build their own Settings."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VERITY_", extra="ignore")

    # The application's connection. When it logs in as the schema owner (development, the embedded
    # server), every connection does SET ROLE `database_role` so the service still runs with only the
    # application role's privileges. In production it logs in as that role and `database_role` is "".
    database_url: str | None = Field(
        None, validation_alias=AliasChoices("DATABASE_URL", "VERITY_DATABASE_URL")
    )
    # The owner's connection, used by `verity migrate` only. Defaults to database_url.
    migration_database_url: str | None = Field(
        None, validation_alias=AliasChoices("MIGRATION_DATABASE_URL", "VERITY_MIGRATION_DATABASE_URL")
    )
    database_role: str = "verity_app"
    pool_size: int = 10
    # Where the embedded PostgreSQL and development keys live when no DATABASE_URL is given.
    data_dir: Path = Path(".var")

    # Identity (RFC 8725): tokens from the centre's identity provider, verified with a pinned algorithm.
    auth_mode: Literal["oidc", "development"] = "oidc"
    jwt_issuer: str = "verity-dev"
    jwt_audience: str = "verity"
    jwks_url: str | None = None
    jwt_public_key_file: Path | None = None
    # Development mode only: HS256 secret; if unset, one is generated into data_dir.
    dev_jwt_secret: str | None = None
    token_leeway_seconds: int = 30
    # The identity provider's JWKS is kept this long; an unknown `kid` refetches it, at most this often.
    jwks_lifespan_seconds: float = 300.0
    jwks_min_refresh_seconds: float = 10.0
    # A token's centre must exist; a centre found is remembered this long (absence is never cached).
    centre_cache_seconds: float = 60.0
    # an awarding body's own identity provider for its standards verifiers (optional). A token of
    # this issuer acts only through a live grant whose subject is the token's `sub`
    # (app/standards_verification/access.py); RS256/ES256 with its JWKS URL or PEM file.
    sv_jwt_issuer: str | None = None
    sv_jwt_audience: str = "verity-standards-verification"
    sv_jwks_url: str | None = None
    sv_jwt_public_key_file: Path | None = None

    # Request limits: bodies are counted as they arrive and refused with 413 past the route's cap
    # (app/core/limits.py); headers past `max_header_bytes` are refused by the HTTP server itself.
    max_body_bytes: int = 1024 * 1024
    max_sync_body_bytes: int = 16 * 1024 * 1024
    # Above the import's own 5 MiB rule (app/sync/class_list.py), so that rule answers its named 422.
    max_class_list_bytes: int = 8 * 1024 * 1024
    max_header_bytes: int = 16 * 1024
    # While the database is unreachable every request answers 503 with this Retry-After, after
    # waiting at most `database_connect_timeout_seconds` for a connection.
    database_retry_after_seconds: int = 5
    database_connect_timeout_seconds: float = 10.0
    # A streaming standby for the reads that may lag (app/core/replica.py, docs/scaling.md). Unset: every
    # read runs on the primary. When the standby cannot be reached within the timeout, the read runs on
    # the primary and the standby is not tried again for `replica_retry_seconds`.
    replica_database_url: str | None = None
    replica_connect_timeout_seconds: float = 2.0
    replica_retry_seconds: float = 10.0

    cors_origins: list[str] = []
    # Introspection, GraphiQL, field suggestions, /docs, /redoc and /openapi.json: on in development,
    # off in production (oidc) unless VERITY_EXPOSE_API_DOCS=true. `verity contracts export` writes the
    # contracts either way.
    expose_api_docs: bool | None = None
    # How long an Idempotency-Key replays its answer; after that it is a new key, and the worker purges it.
    idempotency_key_ttl_hours: float = 24.0
    graphql_max_depth: int = 10
    graphql_max_aliases: int = 30
    graphql_max_tokens: int = 2000
    # Checked before the query is parsed, the token verified or the database touched (app/api/gql_limits.py).
    graphql_max_query_chars: int = 20_000
    graphql_max_variables_bytes: int = 256 * 1024

    # Outbound webhooks (app/webhooks). Production refuses plain http and every non-public address;
    # a developer may allow http and loopback receivers for local testing.
    webhooks_allow_http: bool = False
    webhooks_allow_loopback: bool = False
    # Receivers listen on web ports; with webhooks_allow_loopback a loopback receiver may use any port.
    webhooks_allowed_ports: list[int] = [443, 8443]
    # After a rotation the old secret keeps signing (beside the new one) for this long.
    webhooks_secret_overlap_seconds: int = 24 * 3600
    webhooks_timeout_seconds: float = 10.0
    # Retries: exponential backoff with jitter from `base`, each wait capped at `max_delay`, for
    # `window` after the first attempt; an endpoint failing without a success for `disable_after`
    # is disabled with the reason recorded.
    webhooks_retry_base_seconds: float = 30.0
    webhooks_retry_max_delay_seconds: float = 4 * 3600.0
    webhooks_retry_window_seconds: float = 24 * 3600.0
    webhooks_disable_after_seconds: float = 5 * 24 * 3600.0
    # The worker: a claimed delivery is leased; if the worker dies, it is due again when this expires.
    webhooks_lease_seconds: float = 60.0
    webhooks_concurrency: int = 16
    # At most this many deliveries in flight to one endpoint, across every worker: a slow or failing
    # receiver holds no more of the workers' slots than this (issue 18, fair delivery).
    webhooks_endpoint_concurrency: int = 4
    webhooks_batch_size: int = 200
    webhooks_poll_interval_seconds: float = 1.0
    # Finished deliveries, their attempts and messages are kept this long, then purged by the worker.
    webhooks_retention_days: int = 30
    # certificates received are checked against the records within this many working days.
    certificate_check_working_days: int = 3

    # Evidence files (app/assessment/storage.py): a folder under data_dir by default, or an
    # S3-compatible bucket. Size and type limits are checked before a byte is stored.
    evidence_storage: Literal["local", "s3"] = "local"
    evidence_max_bytes: int = 25 * 1024 * 1024
    evidence_media_types: list[str] = [
        "application/pdf",
        "image/png",
        "image/jpeg",
        "text/plain",
        "video/mp4",
        "audio/mpeg",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]
    s3_endpoint_url: str | None = None  # e.g. https://s3.eu-west-2.amazonaws.com or a MinIO URL
    s3_bucket: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None

    # The audit chain's checkpoints (R-96, app/records/checkpoints.py): an Ed25519 private key (PEM,
    # PKCS#8) the database never sees. Production requires the file; in development one is generated
    # into data_dir. A verifier needs only the public key (`audit_verify_key_file`, PEM), which is
    # otherwise derived from the private key. Checkpoints are also written as files into
    # `audit_checkpoint_dir` (default data_dir/checkpoints) and sent as `audit.checkpointed` webhooks.
    audit_signing_key_file: Path | None = None
    audit_verify_key_file: Path | None = None
    audit_checkpoint_dir: Path | None = None
    # The worker checkpoints every centre whose chain moved this often, and runs retention daily.
    audit_checkpoint_interval_seconds: float = 3600.0
    retention_interval_seconds: float = 24 * 3600.0

    # Logs: one JSON object per line (with request_id) or plain text; json by default in production.
    log_format: Literal["json", "text"] | None = None
    log_level: str = "INFO"
    # /metrics is unauthenticated (it carries no personal data); set this to require a bearer token.
    metrics_token: str | None = None

    @property
    def effective_log_format(self) -> str:
        return self.log_format or ("json" if self.auth_mode == "oidc" else "text")

    @property
    def checkpoint_dir(self) -> Path:
        return self.audit_checkpoint_dir or Path(self.data_dir) / "checkpoints"

    @property
    def api_docs_exposed(self) -> bool:
        return self.expose_api_docs if self.expose_api_docs is not None else self.auth_mode == "development"


@lru_cache
def get_settings() -> Settings:
    return Settings()
