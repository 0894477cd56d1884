"""Evidence uploads (R-22): streamed to storage with the cap checked as bytes arrive, the declared type
matched against the content's magic bytes, the file name normalised."""

from __future__ import annotations

import hashlib
import io
import tracemalloc
import zipfile

import pytest

from app.assessment import submissions
from app.assessment.storage import LocalEvidenceStore
from app.core.errors import ValidationFailed
from tests.assessment.fixtures import issued_brief, registered_learner
from tests.assessment.test_submissions import learner_p, open_submission

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ooxml(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        # A fixed timestamp: the bytes appear in test ids, which every xdist worker must collect alike.
        for name, body in (("[Content_Types].xml", "<Types/>"), (part, "<x/>")):
            z.writestr(zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0)), body)
    return buffer.getvalue()


class Counted:
    """An upload arriving in chunks; counts how much of it anyone asked for."""

    def __init__(self, total: int, chunk: bytes = b"x" * 65536) -> None:
        self.total, self.chunk, self.consumed = total, chunk, 0

    async def __aiter__(self):
        while self.consumed < self.total:
            self.consumed += len(self.chunk)
            yield self.chunk


@pytest.fixture
async def upload(session, world, test_settings, tmp_path):
    brief = await issued_brief(session, world)
    learner = await registered_learner(session, world)
    s = await open_submission(session, world, brief, learner)
    store = LocalEvidenceStore(tmp_path / "store")

    async def add(filename, media_type, content, settings=test_settings):
        return await submissions.add_evidence_file(
            session, learner_p(learner), settings, store, s.id, filename, media_type, content
        )

    add.store = store
    add.submission = s
    add.learner = learner
    return add


async def test_r22_upload_is_streamed_and_stops_at_the_cap(upload, test_settings):
    small = test_settings.model_copy(update={"evidence_max_bytes": 1024 * 1024})
    body = Counted(400 * 1024 * 1024)
    with pytest.raises(ValidationFailed) as exc:
        await upload("big.txt", "text/plain", body, settings=small)
    assert exc.value.errors[0].code == "file_too_large"
    # Reading stopped at the first chunk past the cap, and nothing was left in the spool.
    assert body.consumed <= 1024 * 1024 + 65536
    assert list(upload.store.spool.iterdir()) == []


async def test_r22_a_large_upload_is_never_held_in_memory(upload, test_settings):
    roomy = test_settings.model_copy(update={"evidence_max_bytes": 64 * 1024 * 1024})
    body = Counted(32 * 1024 * 1024)
    tracemalloc.start()
    try:
        item = await upload("long.txt", "text/plain", body, settings=roomy)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert item.size_bytes == 32 * 1024 * 1024
    assert peak < 8 * 1024 * 1024, peak
    expected = hashlib.sha256(b"x" * 65536 * 512).hexdigest()
    assert item.sha256 == expected
    assert (upload.store.root / item.storage_key).stat().st_size == item.size_bytes


@pytest.mark.parametrize(
    ("media_type", "content"),
    [
        ("application/pdf", b"%PDF-1.7\n..."),
        ("image/png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        ("image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF"),
        ("video/mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00"),
        ("audio/mpeg", b"ID3\x03\x00\x00\x00\x00\x00\x00"),
        ("audio/mpeg", b"\xff\xfb\x90\x64\x00"),
        ("text/plain", "Café, naïve — UTF-8".encode()),
        (DOCX, ooxml("word/document.xml")),
        (XLSX, ooxml("xl/workbook.xml")),
    ],
)
async def test_r22_content_matching_its_type_is_accepted(upload, media_type, content):
    item = await upload("work.bin", media_type, content)
    assert item.media_type == media_type and await upload.store.get(item.storage_key) == content


@pytest.mark.parametrize(
    ("media_type", "content"),
    [
        ("application/pdf", b"MZ\x90\x00 an executable"),
        ("image/png", b"\xff\xd8\xff\xe0 a jpeg"),
        ("image/jpeg", b"GIF89a"),
        ("video/mp4", b"\x00\x00\x00\x18moov"),
        ("audio/mpeg", b"RIFF....WAVE"),
        ("text/plain", b"text with a \x00 NUL"),
        ("text/plain", b"\xff\xfe not UTF-8"),
        ("text/plain", b"cut in the middle \xc3"),
        (DOCX, ooxml("xl/workbook.xml")),
        (DOCX, b"PK\x03\x04 not really a zip"),
        (XLSX, b"%PDF-1.7"),
    ],
)
async def test_r22_content_not_matching_its_declared_type_is_422(upload, media_type, content):
    with pytest.raises(ValidationFailed) as exc:
        await upload("work.bin", media_type, content)
    assert [(e.field, e.code) for e in exc.value.errors] == [("body", "content_type_mismatch")]
    assert list(upload.store.spool.iterdir()) == []


async def test_file_names_are_nfc_and_refused_with_controls_bidi_or_separators(upload):
    item = await upload("cafe\u0301.txt", "text/plain", b"hello")
    assert item.filename == "caf\u00e9.txt"
    for bad in (
        "invoice\u202etxt.exe",
        "a/b.txt",
        "a\\b.txt",
        "bell\x07.txt",
        "tab\t.txt",
        "..",
        " ",
        "x" * 256,
    ):
        with pytest.raises(ValidationFailed) as exc:
            await upload(bad, "text/plain", b"hello")
        assert exc.value.errors[0].field == "query.filename", bad


async def test_r22_rest_upload_past_the_cap_is_413_and_stores_nothing(
    app, client, auth, session, world, tmp_path
):
    brief = await issued_brief(session, world)
    learner = await registered_learner(session, world)
    await session.commit()
    h = auth("learner", subject=learner.idp_subject)
    sid = (await client.post("/v1/submissions", json={"brief_id": str(brief.id)}, headers=h)).json()["id"]
    cap = app.state.settings.evidence_max_bytes
    body = Counted(4 * cap)
    r = await client.post(
        f"/v1/submissions/{sid}/evidence-files?filename=huge.pdf",
        content=body,
        headers={**h, "Content-Type": "application/pdf"},
    )
    assert r.status_code == 413, r.text
    assert r.json()["type"].endswith("/payload-too-large")
    assert body.consumed <= cap + 65536
    assert (await client.get(f"/v1/submissions/{sid}/evidence", headers=h)).json() == []
    r = await client.post(
        f"/v1/submissions/{sid}/evidence-files?filename=fake.pdf",
        content=b"not a pdf",
        headers={**h, "Content-Type": "application/pdf"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "content_type_mismatch"
