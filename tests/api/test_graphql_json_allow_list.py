"""The GraphQL contract is typed: `JSON` only where the data is genuinely free-form.

Every field or argument of type JSON (in lists, non-null or not) must be listed here with its reason,
so a new untyped field is a decision someone wrote down, not a default.
"""

from graphql import GraphQLInputObjectType, GraphQLObjectType, get_named_type

ALLOWED = {
    "AuditEvent.before": "free-form: the subject's state before, whatever the subject's shape",
    "AuditEvent.after": "free-form: the subject's state after, whatever the subject's shape",
    "WebhookDeliveryDetail.payload": "free-form: the event's payload as signed and sent",
    "CohortGrid.rowsJson": "DESIGN rule 12: dense grid rows as one value each, beside the nested rows",
}


def json_fields(schema) -> set[str]:
    found = set()
    for name, gtype in schema.type_map.items():
        if name.startswith("__"):
            continue
        if isinstance(gtype, (GraphQLObjectType, GraphQLInputObjectType)):
            for fname, field in gtype.fields.items():
                if get_named_type(field.type).name == "JSON":
                    found.add(f"{name}.{fname}")
                for aname, arg in getattr(field, "args", {}).items():
                    if get_named_type(arg.type).name == "JSON":
                        found.add(f"{name}.{fname}({aname})")
    return found


def test_json_only_where_allowed_with_a_reason(app):
    found = json_fields(app.state.graphql_schema._schema)
    assert found <= set(ALLOWED), f"untyped JSON not in the allow-list: {sorted(found - set(ALLOWED))}"


def test_the_allow_list_names_only_fields_that_exist(app):
    found = json_fields(app.state.graphql_schema._schema)
    assert set(ALLOWED) <= found, f"stale allow-list entries: {sorted(set(ALLOWED) - found)}"
    assert all(reason.strip() for reason in ALLOWED.values())
