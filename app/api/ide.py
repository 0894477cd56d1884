"""GraphiQL served from this host: strawberry's own page, its CDN URLs pointed at the npm packages
installed into app/api/graphiql/node_modules (`npm ci` at install time; the versions strawberry pins).

The page keeps strawberry's Subresource Integrity hashes, so a file that differs from the published
package is refused by the browser. No Python package ships GraphiQL (docs/architecture.md).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from strawberry.http.ides import get_graphql_ide_html

ASSETS_URL = "/graphiql-assets"
ASSETS_DIR = Path(__file__).parent / "graphiql" / "node_modules"
_CDN = re.compile(r"https://unpkg\.com/((?:@[^/@]+/)?[^/@]+)@[^/]+/")

log = logging.getLogger("verity.docs")


def local_graphiql_html() -> str:
    """Strawberry's GraphiQL page with every CDN URL rewritten to ASSETS_URL."""
    html = _CDN.sub(lambda m: f"{ASSETS_URL}/{m.group(1)}/", get_graphql_ide_html(graphql_ide="graphiql"))
    return html.replace("crossorigin\n", "\n")


def mount_graphiql_assets(app: FastAPI) -> None:
    if not (ASSETS_DIR / "graphiql").is_dir():
        # The page would render blank: say why (install with `npm ci --prefix app/api/graphiql`).
        log.warning("GraphiQL assets are missing from %s: run `npm ci --prefix app/api/graphiql`", ASSETS_DIR)
        return
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="graphiql-assets")
