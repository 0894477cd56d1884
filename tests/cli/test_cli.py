"""The `verity` command, run as a user would, against the worker's database (committed data)."""

from __future__ import annotations

import uuid

import pytest
import yaml
from typer.testing import CliRunner

from app.cli import cli
from app.core.config import get_settings
from app.qualifications.specification import load_shipped

runner = CliRunner()


@pytest.fixture
def env(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("VERITY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("VERITY_AUTH_MODE", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_token_is_accepted_by_the_service_settings(env):
    result = runner.invoke(cli, ["token", "--role", "assessor", "--centre", str(uuid.uuid4())])
    assert result.exit_code == 0, result.output
    assert result.output.count(".") == 2  # a JWT
    bad = runner.invoke(cli, ["token", "--role", "wizard"])
    assert bad.exit_code != 0


def test_qualifications_import_refuses_a_bad_file_and_imports_a_good_one(env):
    spec = load_shipped("pearson-btec-intl-l3-award-investigating-customer-communications").to_dict()
    spec["key"] = f"cli-{uuid.uuid4().hex[:8]}"
    good = env / "good.yaml"
    good.write_text(yaml.safe_dump(spec))
    result = runner.invoke(cli, ["qualifications", "import", str(good)])
    assert result.exit_code == 0 and "imported" in result.output, result.output
    again = runner.invoke(cli, ["qualifications", "import", str(good)])
    assert "already present" in again.output
    spec["units"][0]["criteria"].append({"code": "Q.P9", "text": "unknown outcome"})
    bad = env / "bad.yaml"
    bad.write_text(yaml.safe_dump(spec))
    refused = runner.invoke(cli, ["qualifications", "import", str(bad)])
    assert refused.exit_code == 1 and "unknown_outcome" in refused.output


def test_audit_verify_reports_each_centre(env):
    result = runner.invoke(cli, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


def test_contracts_export_writes_both_files(env):
    result = runner.invoke(cli, ["contracts", "export", "--out", str(env)])
    assert result.exit_code == 0
    assert (env / "openapi" / "openapi.json").read_text().startswith("{")
    assert "type Query" in (env / "graphql" / "schema.graphql").read_text()


def test_centres_create_prints_an_id_and_refuses_a_duplicate_number(env):
    number = str(uuid.uuid4().int)[:8]
    result = runner.invoke(cli, ["centres", "create", "--number", number, "--name", "Northfield College"])
    assert result.exit_code == 0, result.output
    assert uuid.UUID(result.output.strip())
    again = runner.invoke(cli, ["centres", "create", "--number", number, "--name", "Other"])
    assert again.exit_code == 1
    bad = runner.invoke(cli, ["centres", "create", "--number", "x!", "--name", "N", "--nation", "wales"])
    assert bad.exit_code != 0


def test_idempotency_purge_deletes_expired_keys(env, database_url):
    import asyncio

    from sqlalchemy import text

    from app.core.db import make_engine

    centre = uuid.uuid4()

    async def sql(statement: str):
        engine = make_engine(database_url, pool_size=1)
        try:
            async with engine.begin() as conn:
                result = await conn.execute(text(statement))
                return result.all() if result.returns_rows else None
        finally:
            await engine.dispose()

    asyncio.run(
        sql(
            "INSERT INTO idempotency_keys (centre_id, subject, key, operation, request_hash, status_code,"
            " response, headers, expires_at) VALUES"
            f" ('{centre}', 's', 'gone', 'op', 'h', 201, '{{}}', '{{}}', now() - interval '1 hour'),"
            f" ('{centre}', 's', 'kept', 'op', 'h', 201, '{{}}', '{{}}', now() + interval '1 hour')"
        )
    )
    before = asyncio.run(sql(f"SELECT key FROM idempotency_keys WHERE centre_id = '{centre}'"))
    assert sorted(r.key for r in before) == ["gone", "kept"]
    result = runner.invoke(cli, ["idempotency", "purge"])
    assert result.exit_code == 0 and "purged" in result.output, result.output
    left = asyncio.run(sql(f"SELECT key FROM idempotency_keys WHERE centre_id = '{centre}'"))
    assert [r.key for r in left] == ["kept"]
