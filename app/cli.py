"""The `verity` command: serve, migrate, token, demo, contracts export, audit verify."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from app.core.config import Settings, get_settings
from app.models import alembic_config

if TYPE_CHECKING:  # imported where used at run time: the CLI starts without loading every domain
    from sqlalchemy.ext.asyncio import AsyncSession

    from app.audit.service import Actor
    from app.qualifications.models import QualificationVersion

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
cli = typer.Typer(
    help="Verity: assessment and quality assurance records for vocational centres.", no_args_is_help=True
)
contracts = typer.Typer(help="The published API contracts (openapi/, graphql/).", no_args_is_help=True)
audit = typer.Typer(help="The append-only audit log (R-96).", no_args_is_help=True)
qualifications = typer.Typer(help="The qualification catalogue.", no_args_is_help=True)
centres = typer.Typer(
    help="Onboarding centres (an operator's act: no centre role creates another centre).",
    no_args_is_help=True,
)
cli.add_typer(centres, name="centres")
cli.add_typer(qualifications, name="qualifications")
cli.add_typer(contracts, name="contracts")
cli.add_typer(audit, name="audit")
retention_cli = typer.Typer(
    help="Retention (R-97): records go when their period has run.", no_args_is_help=True
)
cli.add_typer(retention_cli, name="retention")
idempotency = typer.Typer(help="Idempotency keys of creating requests.", no_args_is_help=True)
cli.add_typer(idempotency, name="idempotency")


def migrate_database(settings: Settings) -> None:
    """Apply the migrations, then load the qualifications that ship with Verity (idempotent)."""
    from alembic import command
    from app.core.db import resolve_urls

    urls = resolve_urls(settings)
    cfg = alembic_config(urls.owner)
    cfg.attributes["app_role"] = settings.database_role
    command.upgrade(cfg, "head")
    added = asyncio.run(_with_session(settings, _load_shipped))
    if added:
        typer.echo(f"loaded {added} shipped qualification(s)")


async def _with_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    from app.core.db import make_engine, make_sessionmaker, resolve_urls

    urls = resolve_urls(settings)
    engine = make_engine(urls.app, role=urls.app_role, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()


def _platform_actor(subject: str) -> Actor:
    from app.audit.service import SYSTEM_ROLE, Actor
    from app.qualifications.models import PLATFORM_CENTRE

    return Actor(subject=subject, audit_role=SYSTEM_ROLE, centre_id=PLATFORM_CENTRE)


async def _load_shipped(session: AsyncSession) -> int:
    from app.qualifications.service import ensure_shipped

    return await ensure_shipped(session, _platform_actor("system:migrate"))


@cli.command()
def migrate() -> None:
    """Apply the database migrations (as the schema owner: MIGRATION_DATABASE_URL or DATABASE_URL)."""
    migrate_database(get_settings())
    typer.echo("database at head")


def uvicorn_limits(settings: Settings) -> dict:
    """What uvicorn itself must refuse before the app sees a request. h11, not httptools: only h11
    bounds the bytes it buffers while a request's head is incomplete (a request whose headers never
    end would otherwise grow without limit); the app refuses a complete head over the same size with
    431 (app/core/limits.py)."""
    return {"http": "h11", "h11_max_incomplete_event_size": settings.max_header_bytes}


def exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into a normal exit, so exit handlers run: pgserver stops the embedded PostgreSQL
    from one (it would otherwise outlive us). uvicorn handles SIGTERM while it serves, then restores
    this handler and raises the signal again, which without it kills the process outright."""
    import signal
    import sys

    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))


@cli.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Run the API. With no DATABASE_URL the embedded server is started and migrated first."""
    import os

    import uvicorn

    # A fresh clone has no settings: start as the README says rather than with a traceback.
    os.environ.setdefault("VERITY_AUTH_MODE", "development")
    get_settings.cache_clear()
    settings = get_settings()
    if settings.auth_mode == "development":
        typer.echo("Development mode: tokens from `verity token`; set VERITY_AUTH_MODE=oidc for production.")
    exit_cleanly_on_sigterm()
    if not settings.database_url:
        migrate_database(settings)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
        **uvicorn_limits(settings),
    )


@cli.command()
def worker(
    concurrency: Annotated[int | None, typer.Option(help="Deliveries in flight at once.")] = None,
) -> None:
    """Deliver webhooks: fan the outbox out and send due deliveries. Run as many as you like."""
    from app.webhooks.worker import main as run_worker

    exit_cleanly_on_sigterm()
    run_worker(get_settings(), concurrency=concurrency)


@cli.command()
def token(
    role: Annotated[list[str], typer.Option("--role", help="A role; repeat for several.")],
    centre: Annotated[uuid.UUID | None, typer.Option(help="Centre id (default: the demo centre).")] = None,
    subject: Annotated[str | None, typer.Option(help="The token's `sub` (default: demo-<role>).")] = None,
    ttl: Annotated[int, typer.Option(help="Lifetime in seconds.")] = 8 * 3600,
) -> None:
    """Mint a development token. Development mode is implied unless VERITY_AUTH_MODE says otherwise."""
    import os

    os.environ.setdefault("VERITY_AUTH_MODE", "development")
    get_settings.cache_clear()
    from app.auth.tokens import ConfigurationError, mint_development_token
    from app.demo import DEMO_CENTRE_ID

    try:
        typer.echo(
            mint_development_token(
                get_settings(),
                subject=subject or f"demo-{role[0]}",
                centre_id=centre or DEMO_CENTRE_ID,
                roles=role,
                ttl_seconds=ttl,
            )
        )
    except (ConfigurationError, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from exc


@cli.command()
def demo(
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """Load a demo centre's year (two programmes, IV, releases), print a token and screens per role, serve."""
    import os

    os.environ.setdefault("VERITY_AUTH_MODE", "development")
    get_settings.cache_clear()
    settings = get_settings()
    if settings.auth_mode != "development":
        raise typer.BadParameter(
            "the demo runs in development mode: unset VERITY_AUTH_MODE or set it to development"
        )
    exit_cleanly_on_sigterm()
    migrate_database(settings)
    from app.demo import load_demo, print_tokens

    created = asyncio.run(load_demo(settings))
    typer.echo("demo centre loaded" if created else "demo centre already present")
    print_tokens(settings, base_url=f"http://{host}:{port}")
    if serve_after:
        import uvicorn

        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=host,
            port=port,
            log_level="info",
            **uvicorn_limits(settings),
        )


def _export_settings() -> Settings:
    # The contract does not depend on configuration; build it without touching keys or databases.
    return Settings(
        auth_mode="development", dev_jwt_secret="contract-export", database_url="postgresql://unused/x"
    )


def current_contracts() -> tuple[str, str]:
    from app.main import create_app

    app = create_app(_export_settings())
    openapi = json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"
    from app.api.gql_schema import build_schema

    return openapi, str(build_schema(_export_settings())) + "\n"


@contracts.command("export")
def contracts_export(out: Path = ROOT) -> None:
    """Regenerate openapi/openapi.json and graphql/schema.graphql."""
    openapi, sdl = current_contracts()
    (out / "openapi").mkdir(parents=True, exist_ok=True)
    (out / "graphql").mkdir(parents=True, exist_ok=True)
    (out / "openapi" / "openapi.json").write_text(openapi)
    (out / "graphql" / "schema.graphql").write_text(sdl)
    typer.echo("wrote openapi/openapi.json and graphql/schema.graphql")


@centres.command("create")
def centres_create(
    number: Annotated[str, typer.Option(help="The awarding body's centre number.")],
    name: Annotated[str, typer.Option()],
    nation: Annotated[
        str, typer.Option(help="england_wales, scotland or northern_ireland")
    ] = "england_wales",
) -> None:
    """Create a centre and print its id (the `centre_id` its identity provider puts in tokens)."""
    from pydantic import ValidationError

    from app.audit.service import SYSTEM_ROLE, Actor
    from app.centres.schemas import CentreCreate
    from app.centres.service import create_centre
    from app.core.errors import ProblemError
    from app.core.ids import uuid7

    try:
        data = CentreCreate(centre_number=number, name=name, nation=nation)
    except ValidationError as exc:
        raise typer.BadParameter(str(exc)) from exc
    actor = Actor(subject="system:cli", audit_role=SYSTEM_ROLE, centre_id=uuid7())
    try:
        centre = asyncio.run(
            _with_session(get_settings(), lambda session: create_centre(session, actor, data))
        )
    except ProblemError as exc:
        typer.echo(f"refused: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(str(centre.id))


@qualifications.command("import")
def qualifications_import(
    file: Path,
    centre: Annotated[
        uuid.UUID | None,
        typer.Option(help="Import for one centre only (default: the platform catalogue every centre reads)."),
    ] = None,
) -> None:
    """Import a qualification specification file (YAML). A bad file is refused whole, every problem listed."""
    from app.core.errors import ProblemError
    from app.qualifications.models import PLATFORM_CENTRE
    from app.qualifications.service import import_specification

    async def work(session: AsyncSession) -> tuple[QualificationVersion, bool]:
        actor = _platform_actor("system:cli")
        if centre:
            from app.audit.service import SYSTEM_ROLE, Actor

            actor = Actor(subject="system:cli", audit_role=SYSTEM_ROLE, centre_id=centre)
        return await import_specification(
            session, actor, file.read_text(encoding="utf-8"), centre or PLATFORM_CENTRE
        )

    try:
        row, created = asyncio.run(_with_session(get_settings(), work))
    except ProblemError as exc:
        typer.echo(f"refused: {exc.detail}", err=True)
        for problem in exc.errors:
            typer.echo(f"  {problem.field}: {problem.code}: {problem.message}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"{'imported' if created else 'already present'}: {row.key} version {row.version} ({row.id})")


@audit.command("verify")
def audit_verify(
    centre: Annotated[uuid.UUID | None, typer.Option(help="One centre; default all.")] = None,
    checkpoints: Annotated[
        Path | None,
        typer.Option(help="A folder of published checkpoints (default: the configured checkpoint folder)."),
    ] = None,
) -> None:
    """Walk each centre's hash chain, then hold it against every signed checkpoint (the database's and
    the published files): a rewritten chain or a cut tail names the first checkpoint that no longer
    matches. Exit 1 if anything is broken."""
    from app.core.db import make_engine, resolve_urls
    from app.records.service import verify_centres

    settings = get_settings()
    if checkpoints is not None:
        settings = settings.model_copy(update={"audit_checkpoint_dir": checkpoints})

    async def run() -> bool:
        urls = resolve_urls(settings)
        engine = make_engine(urls.app, role=urls.app_role, pool_size=1)
        try:
            async with engine.connect() as conn:
                verdicts = await verify_centres(conn, settings, centre)
        finally:
            await engine.dispose()
        for v in verdicts:
            r, a = v.chain, v.anchors
            state = "ok" if r.ok else f"BROKEN at seq {r.first_broken_seq} ({r.reason})"
            anchored = (
                f"{a.checked} checkpoint(s) match"
                if a.ok
                else f"checkpoint at seq {a.first_failed_seq} no longer matches ({a.reason})"
            )
            typer.echo(f"{r.centre_id}: {r.events} events, {state}; {anchored}")
        return all(v.ok for v in verdicts)

    if not asyncio.run(run()):
        raise typer.Exit(1)


@audit.command("checkpoint")
def audit_checkpoint(
    centre: Annotated[
        uuid.UUID | None, typer.Option(help="One centre; default every chain that moved.")
    ] = None,
) -> None:
    """Sign each chain's head now and publish it (webhook, checkpoint folder); the worker does this on
    its schedule too."""
    from app.core.db import make_engine, make_sessionmaker, resolve_urls
    from app.records.service import checkpoint_centres

    settings = get_settings()

    async def run() -> int:
        urls = resolve_urls(settings)
        engine = make_engine(urls.app, role=urls.app_role, pool_size=1)
        try:
            made = await checkpoint_centres(make_sessionmaker(engine), settings, centre)
        finally:
            await engine.dispose()
        for cp in made:
            typer.echo(f"{cp.centre_id}: checkpoint at seq {cp.seq} ({cp.head_hash[:12]}…)")
        return len(made)

    typer.echo(f"{asyncio.run(run())} checkpoint(s) written to {settings.checkpoint_dir}")


@retention_cli.command("run")
def retention_run(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would go and why; change nothing.")
    ] = False,
    all_records: Annotated[bool, typer.Option("--all", help="Also list the records kept, and why.")] = False,
) -> None:
    """Judge every record by its retention rule (R-97); delete what goes (rows, evidence files), erase
    their audit payloads, and leave one audit event per purge with counts. The worker runs it daily."""
    from app.core.db import make_engine, make_sessionmaker, resolve_urls
    from app.records.service import run_retention

    settings = get_settings()

    async def run() -> None:
        urls = resolve_urls(settings)
        engine = make_engine(urls.app, role=urls.app_role, pool_size=1)
        try:
            verdicts, purges = await run_retention(make_sessionmaker(engine), settings, dry_run=dry_run)
        finally:
            await engine.dispose()
        for v in verdicts:
            if v.goes or all_records:
                typer.echo(f"{v.rule.kind} {v.record.id} (centre {v.record.centre_id}): {v.why}")
        going = sum(v.goes for v in verdicts)
        if dry_run:
            typer.echo(f"dry run: {going} of {len(verdicts)} record(s) would go")
        for p in purges:
            c = p.counts
            typer.echo(
                f"purged {c.kind} at {p.centre_id}: {c.rows} row(s), {c.files} file(s), "
                f"{c.audit_events_erased} audit payload(s) erased"
            )

    asyncio.run(run())


@idempotency.command("purge")
def idempotency_purge() -> None:
    """Delete expired Idempotency-Keys now (the worker also does this on its schedule)."""
    from app.core.db import make_engine, resolve_urls
    from app.core.idempotency import purge_expired

    async def run() -> int:
        urls = resolve_urls(get_settings())
        engine = make_engine(urls.app, role=urls.app_role, pool_size=1)
        try:
            total = 0
            while True:
                async with engine.begin() as conn:
                    n = await purge_expired(conn)
                total += n
                if n == 0:
                    return total
        finally:
            await engine.dispose()

    typer.echo(f"purged {asyncio.run(run())} expired idempotency key(s)")


def main() -> None:
    cli()
