"""Custom scalars name their standard (@specifiedBy); the schema says how nullability is chosen."""

import pytest

SPECS = {
    "UUID": "https://www.rfc-editor.org/rfc/rfc9562",
    "Date": "https://www.rfc-editor.org/rfc/rfc3339#section-5.6",
    "DateTime": "https://www.rfc-editor.org/rfc/rfc3339#section-5.6",
    "Decimal": "https://speleotrove.com/decimal/decarith.html",
}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_custom_scalar_is_specified_by_its_standard(app, name):
    scalar = app.state.graphql_schema._schema.type_map[name]
    assert scalar.specified_by_url == SPECS[name]
    assert scalar.description


def test_the_committed_contract_carries_specified_by():
    from pathlib import Path

    sdl = Path(__file__).parents[2].joinpath("graphql", "schema.graphql").read_text()
    for name, url in SPECS.items():
        assert f'scalar {name} @specifiedBy(url: "{url}")' in sdl


async def test_schema_description_documents_nullability(client, auth):
    body = (
        await client.post("/graphql", json={"query": "{ __schema { description } }"}, headers=auth("hoc"))
    ).json()
    description = body["data"]["__schema"]["description"]
    assert "root fields are nullable" in description and "list items are non-null" in description
