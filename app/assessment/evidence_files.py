"""What an evidence file must be before it is kept: a clean name, and content that is what its declared
type says (magic bytes), so that a verifier who opens "report.pdf" opens a PDF (R-22: the evidence is
the learner's work, stored as handed in)."""

from __future__ import annotations

import codecs
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

MAX_FILENAME = 255
# Bidirectional controls reorder what a reader sees: "cod\u202efdp.exe" displays as "codexe.pdf".
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SEPARATORS = set("/\\")


def normalised_filename(raw: str) -> str | None:
    """NFC, so that one name has one spelling; None when the name cannot be a plain file name."""
    name = unicodedata.normalize("NFC", raw or "").strip()
    if not name or len(name) > MAX_FILENAME or name in (".", ".."):
        return None
    for ch in name:
        if ch in _SEPARATORS or ch in _BIDI or unicodedata.category(ch) == "Cc":
            return None
    return name


def _is_mp3(head: bytes) -> bool:
    # An ID3 tag, or straight into an MPEG audio frame (11 sync bits set).
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


def _ooxml(part: str) -> Callable[[bytes, Path], bool]:
    def check(head: bytes, path: Path) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        return "[Content_Types].xml" in names and part in names

    return check


def _is_utf8_text(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        with path.open("rb") as f:
            while block := f.read(1024 * 1024):
                if b"\x00" in block:
                    return False
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


_CHECKS: dict[str, Callable[[bytes, Path], bool]] = {
    "application/pdf": lambda head, _: head.startswith(b"%PDF-"),
    "image/png": lambda head, _: head.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": lambda head, _: head.startswith(b"\xff\xd8\xff"),
    "video/mp4": lambda head, _: head[4:8] == b"ftyp",
    "audio/mpeg": lambda head, _: _is_mp3(head),
    "text/plain": lambda _, path: _is_utf8_text(path),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _ooxml("word/document.xml"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _ooxml(
        "ppt/presentation.xml"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _ooxml("xl/workbook.xml"),
}
HEAD_BYTES = 16


def content_matches(media_type: str, head: bytes, path: Path) -> bool:
    """True when the stored file's content is what `media_type` claims. A type configured as allowed
    but unknown here is refused: nothing is accepted on its label alone."""
    check = _CHECKS.get(media_type)
    return check is not None and check(head, path)
