"""House rule 8: the committed contracts are exactly what the app serves."""

from __future__ import annotations

import json
import re
from pathlib import Path

from app.cli import current_contracts

ROOT = Path(__file__).resolve().parents[2]


def test_committed_contracts_match_the_app():
    openapi, sdl = current_contracts()
    committed_openapi = (ROOT / "openapi" / "openapi.json").read_text()
    committed_sdl = (ROOT / "graphql" / "schema.graphql").read_text()
    assert json.loads(committed_openapi) == json.loads(openapi), "run `verity contracts export` and commit"
    assert committed_sdl == sdl, "run `verity contracts export` and commit"


def test_operation_ids_are_unique_and_every_error_is_problem_json():
    document = json.loads(current_contracts()[0])
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    for item in document["paths"].values():
        for op in item.values():
            for status, response in op["responses"].items():
                if not status.startswith("2") and status != "304":  # 304 has no body (RFC 9110)
                    assert list(response["content"]) == ["application/problem+json"], (
                        op["operationId"],
                        status,
                    )
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_no_constraint_is_published_under_a_pydantic_name():
    """`ge`/`le` are not JSON Schema: a bound published that way is no bound at all for a client."""
    document = current_contracts()[0]
    assert not re.search(r'"(ge|le|gt|lt)":', document)


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_every_ref_in_the_committed_contract_resolves() -> None:
    """openapi-typescript refuses a dangling $ref (other validators accept it): every one must resolve."""
    import json
    from pathlib import Path

    document = json.loads((Path(__file__).resolve().parents[2] / "openapi" / "openapi.json").read_text())
    dangling = []
    for ref in sorted(set(_refs(document))):
        assert ref.startswith("#/"), f"{ref} points outside the document"
        node: object = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                dangling.append(ref)
                break
            node = node[part]
    assert dangling == []
