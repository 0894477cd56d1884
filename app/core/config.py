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
    database_url: str | None = Field(None, validation_alias=AliasChoices("DATABASE_URL", "VERITY_DATABASE_URL"))
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

    cors_origins: list[str] = []
    graphql_max_depth: int = 10
    graphql_max_aliases: int = 30
    graphql_max_tokens: int = 2000


@lru_cache
def get_settings() -> Settings:
    return Settings()
