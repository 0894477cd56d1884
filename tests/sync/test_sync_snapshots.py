"""The sync's fast learner JSON (no validation of the rows the database returned) is the JSON the
pydantic pass gives: the audit's and the events' shape does not change with the speed-up (issue 18)."""

from __future__ import annotations

import datetime as dt
import uuid

from hypothesis import given
from hypothesis import strategies as st

from app.core.ids import uuid7_many
from app.sync.service import _LEARNERS_JSON, _snapshots, learner_snapshots

UTC = dt.UTC
texts = st.text(max_size=12) | st.none()
moments = st.datetimes(timezones=st.just(UTC)) | st.datetimes(
    timezones=st.just(dt.timezone(dt.timedelta(hours=1)))
)


@given(
    given_name=st.text(min_size=1, max_size=12),
    optional=st.tuples(texts, texts, texts, texts, texts),
    born=st.dates(),
    created=moments,
    updated=moments,
    version=st.integers(min_value=1, max_value=10**6),
)
def test_learner_snapshots_match_the_validated_json(given_name, optional, born, created, updated, version):
    candidate, uln, mis_id, email, subject = optional
    row = {
        "version": version,  # column order is not the schema's
        "id": uuid.uuid4(),
        "centre_id": uuid.uuid4(),
        "given_name": given_name,
        "family_name": given_name[::-1],
        "date_of_birth": born,
        "candidate_number": candidate,
        "uln": uln,
        "mis_id": mis_id,
        "email": email,
        "idp_subject": subject,
        "created_at": created,
        "updated_at": updated,
    }
    assert learner_snapshots([row]) == _snapshots(_LEARNERS_JSON, [row])


def test_uuid7_many_gives_distinct_version_7_ids() -> None:
    ids = uuid7_many(1000)
    assert len(set(ids)) == 1000
    assert {i.version for i in ids} == {7} and {i.variant for i in ids} == {uuid.RFC_4122}
