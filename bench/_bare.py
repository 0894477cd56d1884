"""The baseline every write figure is divided by: a bare FastAPI endpoint inserting one row with an
async SQLAlchemy Core insert, on the same engine settings as the service (app.core.db.make_engine, the
app role, the pool size), served by the same uvicorn. `GET /health` answers so the bench can wait for it.
"""

from __future__ import annotations

import asyncio
import os

import asyncpg
from fastapi import FastAPI, Response
from sqlalchemy import Column, Integer, MetaData, String, Table, insert

from app.core.db import asyncpg_url, make_engine, make_sessionmaker
from bench._bare_grid import GRID_SQL

TABLE = Table("bench_bare", MetaData(), Column("id", Integer, primary_key=True), Column("note", String))
CREATE = "CREATE TABLE IF NOT EXISTS bench_bare (id serial PRIMARY KEY, note text)"
GRANTS = (
    'GRANT SELECT, INSERT ON bench_bare TO "{role}"',
    'GRANT USAGE ON SEQUENCE bench_bare_id_seq TO "{role}"',
)


def create_app() -> FastAPI:
    engine = make_engine(
        os.environ["VERITY_DATABASE_URL"],
        role=os.environ.get("VERITY_DATABASE_ROLE", ""),
        pool_size=int(os.environ.get("VERITY_POOL_SIZE", "10")),
    )
    sessionmaker = make_sessionmaker(engine)
    app = FastAPI()

    @app.get("/health")
    async def health() -> dict:
        return {"status": "ok"}

    @app.post("/rows", status_code=201)
    async def create(payload: dict) -> dict:
        async with sessionmaker() as s:
            await s.execute(insert(TABLE).values(note=str(payload.get("submission_id"))))
            await s.commit()
        return {"ok": True}

    role = os.environ.get("VERITY_DATABASE_ROLE", "")
    pools: list[asyncpg.Pool] = []
    lock = asyncio.Lock()

    async def _init(conn: asyncpg.Connection) -> None:
        if role:
            await conn.execute(f'SET ROLE "{role}"')

    @app.get("/grid/{programme_id}")
    async def grid(programme_id: str) -> Response:
        # The issue-18 (b) baseline: one prepared asyncpg query, its JSON text sent as it comes.
        async with lock:
            if not pools:
                dsn = asyncpg_url(os.environ["VERITY_DATABASE_URL"]).replace(
                    "postgresql+asyncpg", "postgresql"
                )
                pools.append(await asyncpg.create_pool(dsn, min_size=1, max_size=10, init=_init))
        async with pools[0].acquire() as conn:
            body = await conn.fetchval(GRID_SQL, programme_id)
        return Response(body, media_type="application/json")

    return app
