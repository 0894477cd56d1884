"""The sync's learner JSON, built by the database (no record crosses into Python and back), is the JSON
the pydantic pass gives the same row: the audit's and the events' shape does not change with the
speed-up (issue 18)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from pydantic import TypeAdapter
from sqlalchemy import text

from app.core.ids import uuid7_many
from app.learners import schemas as learner_schemas
from app.sync.service import _snapshots, learner_json_sql
from tests.conftest import CENTRE_A

UTC = dt.UTC
LEARNERS_JSON = TypeAdapter(list[learner_schemas.Learner])

ROWS = [
    # given name, optional fields, created, updated, version
    (
        "Ann",
        ("C1", "1234567890", "ann@example.org", "sub-1"),
        dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        1,
    ),
    (
        'Zoë "Q" \\ O\'Brien',
        (None, None, None, None),
        dt.datetime(2026, 1, 2, 3, 4, 5, 120000, tzinfo=UTC),
        7,
    ),
    (
        "日本\t語",
        ("X9", None, "a@b.c", None),
        dt.datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        10**6,
    ),
    ("Émile", (None, "0000000001", None, None), dt.datetime(2026, 6, 1, 0, 0, 0, 1, tzinfo=UTC), 2),
]


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland"])
async def test_learner_json_in_sql_is_the_validated_json(session, centres, zone):
    await session.execute(text(f"SET LOCAL TIME ZONE '{zone}'"))
    ids = uuid7_many(len(ROWS))
    for id_, (given, (candidate, uln, email, subject), moment, version) in zip(ids, ROWS):
        await session.execute(
            text(
                "INSERT INTO learners (id, centre_id, given_name, family_name, date_of_birth, candidate_number,"
                " uln, mis_id, email, idp_subject, version, created_at, updated_at) VALUES (:id, :centre,"
                " :given, :family, :born, :candidate, :uln, :mis, :email, :subject, :version, CAST(:at AS timestamptz),"
                " CAST(:at AS timestamptz) + interval '1 second 5 microseconds')"
            ),
            {
                "id": id_,
                "centre": CENTRE_A,
                "given": given,
                "family": given[::-1],
                "born": dt.date(1901, 2, 3),
                "candidate": candidate,
                "uln": uln,
                "mis": f"M-{id_}",
                "email": email,
                "subject": subject,
                "version": version,
                "at": moment,
            },
        )
    rows = (
        await session.execute(
            text(f"SELECT l.*, {learner_json_sql('l')} AS json FROM learners l WHERE l.id = ANY(:ids)"),
            {"ids": ids},
        )
    ).all()
    assert len(rows) == len(ROWS)
    for row in rows:
        record = {k: v for k, v in row._mapping.items() if k != "json"}
        assert row.json == _snapshots(LEARNERS_JSON, [record])[0]
    await session.rollback()


def test_every_field_of_the_learner_is_rendered() -> None:
    sql = learner_json_sql("l")
    assert all(f"'{name}', " in sql for name in learner_schemas.Learner.model_fields)


def test_uuid7_many_gives_distinct_version_7_ids() -> None:
    ids = uuid7_many(1000)
    assert len(set(ids)) == 1000
    assert {i.version for i in ids} == {7} and {i.variant for i in ids} == {uuid.RFC_4122}
