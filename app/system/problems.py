"""The pages that problem `type` URIs name: /problems/{slug} explains each problem the API answers
with, generated from the error classes (app/core/errors.py), so a new class gets its page."""

from __future__ import annotations

from html import escape

from fastapi.responses import HTMLResponse

from app.core.errors import NotFound, problem_catalogue
from app.core.routing import DomainRouter

router = DomainRouter(tags=["system"])


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
        f"<body>{body}</body></html>"
    )


@router.get("/problems", operation_id="listProblemTypes", response_class=HTMLResponse)
async def problem_index() -> HTMLResponse:
    """Every problem type, with its status."""
    items = "".join(
        f"<li><a href='/problems/{escape(slug)}'>{escape(slug)}</a>: {status} {escape(title)}</li>"
        for slug, (status, title, _) in sorted(problem_catalogue().items())
    )
    return _page("Problem types", f"<h1>Problem types</h1><ul>{items}</ul>")


@router.get("/problems/{slug}", operation_id="getProblemType", response_class=HTMLResponse)
async def problem_page(slug: str) -> HTMLResponse:
    """What a problem `type` means (RFC 9457 §3.1.1)."""
    found = problem_catalogue().get(slug)
    if found is None:
        raise NotFound(f"No problem type {slug!r}.")
    status, title, explanation = found
    return _page(
        title,
        f"<h1>{escape(title)}</h1><p>HTTP status {status}. Type <code>/problems/{escape(slug)}</code>.</p>"
        f"<p>{escape(explanation)}</p><p>The body's <code>detail</code> says what happened, "
        "<code>errors[]</code> which field or rule; GraphQL reports the same slug as "
        "<code>extensions.code</code>.</p><p><a href='/problems'>All problem types</a></p>",
    )
