"""A minimal, valid PDF 1.4 of text pages (no dependency carries a PDF library): Helvetica, A4, lines
wrapped and paginated, a cross-reference table with exact byte offsets. Enough for a report a person
reads, prints and signs."""

from __future__ import annotations

import textwrap

WIDTH, HEIGHT, MARGIN, LEADING, SIZE = 595, 842, 56, 14, 10
LINES_PER_PAGE = (HEIGHT - 2 * MARGIN) // LEADING
WRAP = 95


def _escape(text: str) -> str:
    text = text.encode("latin-1", "replace").decode("latin-1")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _wrapped(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        out += textwrap.wrap(line, WRAP, replace_whitespace=True, drop_whitespace=True) or [""]
    return out


def render(title: str, lines: list[str]) -> bytes:
    body = _wrapped(lines)
    pages = [body[i : i + LINES_PER_PAGE] for i in range(0, len(body), LINES_PER_PAGE)] or [[]]
    objects: list[bytes] = []
    # 1 catalog, 2 pages, 3 font, 4 info; then per page: page object, content stream
    kids = [5 + 2 * i for i in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(
        f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(pages)} >>".encode()
    )
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    objects.append(f"<< /Title ({_escape(title)}) /Producer (Verity) >>".encode("latin-1"))
    for n, page in enumerate(pages):
        stream = [f"BT /F1 {SIZE} Tf {LEADING} TL {MARGIN} {HEIGHT - MARGIN} Td"]
        stream += [f"({_escape(line)}) '" for line in page]
        stream.append(f"({_escape(f'Page {n + 1} of {len(pages)}')}) '")
        stream.append("ET")
        content = "\n".join(stream).encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {kids[n] + 1} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
