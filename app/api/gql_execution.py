"""GraphQL execution with a short path for leaf fields that have no resolver of their own.

graphql-core completes every value the same general way: a resolve-info object, a resolver call, a
non-null check, a list walk with a path per item, a leaf check, then the leaf's serialiser. For a
dense result (the cohort grid: 300 rows × 11 criterion statuses and 7 fields, issue 18) that general
walk, not the data, was most of the request. A field that Strawberry marks as basic (no resolver:
the value is the attribute) whose type is a scalar or enum, or a list of non-null ones, needs only
the attribute and the serialiser: this context does exactly that. So does an object, or a list of
non-null objects, whose every selected field is such a field or such an object in turn (the grid's
`rows`, returned by a resolver, and their `unitGrades`): each becomes its dict directly, without a
resolve-info, a path or a completion call per value.

Anything unusual takes graphql-core's own path, which then reports it as it always has: arguments,
directives on the field (`@stream`, `@defer` below it), a resolve middleware, an object type with an
`is_type_of` check, `__typename`, a value that is an error, awaitable or null where the type says
non-null, or a serialiser that refuses the value. The short path is only
taken where its answer is the one the general path gives; tests/api/test_graphql_fast_leaves.py holds
the two equal, errors included.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, NamedTuple

from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
    is_leaf_type,
)

_Complete = Callable[[Any], Any]  # a value -> its serialised form, or Undefined: take the general path


def _leaf(coerce: Callable[[Any], Any], nullable: bool) -> _Complete:
    def complete(value: Any) -> Any:
        if value is None:
            return None if nullable else Undefined
        if isinstance(value, BaseException):
            return Undefined
        out = coerce(value)
        return Undefined if out is None else out

    return complete


def _leaf_list(coerce: Callable[[Any], Any], nullable: bool) -> _Complete:
    def complete(value: Any) -> Any:
        if value is None:
            return None if nullable else Undefined
        if not isinstance(value, (list, tuple)):
            return Undefined  # iterators, strings, errors: the general path knows what to do
        out = []
        for item in value:
            if item is None or isinstance(item, BaseException):
                return Undefined
            done = coerce(item)
            if done is None or done is Undefined:
                return Undefined
            out.append(done)
        return out

    return complete


def _serialiser(leaf: Any) -> Callable[[Any], Any]:
    """The leaf type's serialiser; for a Strawberry enum, remembered per member: its own looks the
    member's name up by a scan of the values, the same answer every time for the same member."""
    coerce = leaf.coerce_output_value
    members = getattr(leaf, "wrapped_cls", None)
    if members is None:
        return coerce
    names: dict[Any, Any] = {}

    def serialise(value: Any) -> Any:
        if value.__class__ is not members:
            return coerce(value)
        name = names.get(value)
        if name is None:
            name = names[value] = coerce(value)
        return name

    return serialise


_SHAPES: dict[GraphQLOutputType, _Complete | None] = {}


def _shape(return_type: GraphQLOutputType) -> _Complete | None:
    """How to complete a value of `return_type` on the short path, or None where there is none."""
    if return_type in _SHAPES:
        return _SHAPES[return_type]
    nullable = not isinstance(return_type, GraphQLNonNull)
    inner = return_type if nullable else return_type.of_type  # type: ignore[union-attr]
    shape: _Complete | None = None
    if is_leaf_type(inner):
        shape = _leaf(_serialiser(inner), nullable)
    elif isinstance(inner, GraphQLList) and isinstance(inner.of_type, GraphQLNonNull):
        item = inner.of_type.of_type
        if is_leaf_type(item):
            shape = _leaf_list(_serialiser(item), nullable)
    _SHAPES[return_type] = shape
    return shape


def _object_of(return_type: GraphQLOutputType) -> tuple[bool, bool, GraphQLObjectType] | None:
    """(nullable, is a list, object type) for an object type or a list of non-null ones, else None."""
    nullable = not isinstance(return_type, GraphQLNonNull)
    inner = return_type if nullable else return_type.of_type  # type: ignore[union-attr]
    if isinstance(inner, GraphQLObjectType):
        return nullable, False, inner
    if (
        isinstance(inner, GraphQLList)
        and isinstance(inner.of_type, GraphQLNonNull)
        and isinstance(inner.of_type.of_type, GraphQLObjectType)
    ):
        return nullable, True, inner.of_type.of_type
    return None


def _reader(field_def: Any) -> Callable[[Any], Any]:
    """A basic field's value from its source object. Strawberry's resolver for it takes three calls to
    reach `getattr(source, name)` (issue 18: ~9,000 of them for a 300-learner grid); the attribute read
    directly where the field's default resolver is `getattr`, else the resolver itself."""
    field = field_def.extensions.get("strawberry-definition")
    name = getattr(field, "python_name", None)
    if name and getattr(field, "default_resolver", None) is getattr:
        return attrgetter(name)
    resolve = field_def.resolve
    return lambda source: resolve(source, None)


class _Step(NamedTuple):
    """One selected field on the short path: its response name, value reader, leaf completion (None
    for an object or a list of objects, completed by its own plan), type and selection."""

    name: str
    read: Callable[[Any], Any]
    complete: _Complete | None
    type: GraphQLOutputType
    details: Any


class FastLeavesExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def _basic(self, parent_type: GraphQLObjectType, field_details_list: Any) -> Any:
        """The field's definition when the short path may take it (a basic field: the attribute), else
        None."""
        node = field_details_list[0].node
        field_def = self.schema.get_field(parent_type, node.name.value)
        if (
            field_def is not None
            and getattr(field_def.resolve, "_is_default", False)  # Strawberry's basic field
            and not field_def.args
            and all(not d.node.arguments and not d.node.directives for d in field_details_list)
            and (self.middleware_manager is None or not self.middleware_manager.middlewares)
        ):
            return field_def
        return None

    def _field(self, parent_type: GraphQLObjectType, source: Any, field_details_list: Any) -> Any:
        """A basic field's completed value on the short path, or Undefined."""
        field_def = self._basic(parent_type, field_details_list)
        if field_def is None:
            return Undefined
        try:
            value = field_def.resolve(source, None)
            complete = _shape(field_def.type)
            if complete is not None:
                return complete(value)
        except Exception:
            return Undefined  # the general path raises it again, with its location
        return self._objects(field_def.type, field_details_list, value)

    def _objects(self, return_type: GraphQLOutputType, field_details_list: Any, value: Any) -> Any:
        """An object, or a list of non-null objects, whose every selected field is a basic one,
        completed on the short path (issue 18: the grid's rows and their unit grades); else
        Undefined, and the general path completes it as it always has."""
        shape = _object_of(return_type)
        if shape is None:
            return Undefined
        nullable, is_list, object_type = shape
        if value is None:
            return None if nullable else Undefined
        plan = self._plan(object_type, field_details_list)
        if plan is None:
            return Undefined
        if not is_list:
            return self._object(plan, value)
        if not isinstance(value, (list, tuple)):
            return Undefined
        out = []
        for item in value:
            done = self._object(plan, item)
            if done is Undefined:
                return Undefined
            out.append(done)
        return out

    def _plan(self, object_type: GraphQLObjectType, field_details_list: Any) -> list[_Step] | None:
        """How to complete each selected field of `object_type` on the short path, worked out once
        per selection of the request, not once per object (for 300 rows × 7 fields that was most of
        the short path's time); None when a field is not a basic one."""
        plans: dict[tuple[str, int], list[_Step] | None] = self.__dict__.setdefault("_plans", {})
        key = (object_type.name, id(field_details_list))
        if key in plans:
            return plans[key]
        plan: list[_Step] | None = None
        if object_type.is_type_of is None:
            grouped, new_defer_usages, _ = self.collect_subfields(object_type, field_details_list)
            if not new_defer_usages:  # @defer: incremental delivery is the general path's
                plan = []
                for response_name, details in grouped.items():
                    field_def = self._basic(object_type, details)
                    if field_def is None:
                        plan = None
                        break
                    plan.append(
                        _Step(
                            response_name, _reader(field_def), _shape(field_def.type), field_def.type, details
                        )
                    )
        # The key's list is kept alive by the plan's entry, so its id is not reused in the request.
        plans[key] = plan
        self.__dict__.setdefault("_kept", []).append(field_details_list)
        return plan

    def _object(self, plan: list[_Step], value: Any) -> Any:
        if value is None or isinstance(value, BaseException):
            return Undefined
        out = {}
        for step in plan:
            try:
                resolved = step.read(value)
                if step.complete is not None:
                    done = step.complete(resolved)  # Undefined: the general path's (a null in a non-null)
                else:
                    done = self._objects(step.type, step.details, resolved)
            except Exception:
                return Undefined  # the general path raises it again, with its location
            if done is Undefined:
                return Undefined
            out[step.name] = done
        return out

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        done = self._field(parent_type, source, field_details_list)
        if done is not Undefined:
            return done
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: Any,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        # A resolver's list of objects (the grid's `rows`): the short path when every selected field
        # of every item is a basic one. A directive on the field (`@stream`) keeps the general path.
        if (
            isinstance(result, (list, tuple))
            and all(not d.node.directives for d in field_details_list)
            and (self.middleware_manager is None or not self.middleware_manager.middlewares)
        ):
            done = self._objects(return_type, field_details_list, result)
            if done is not Undefined:
                return done
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)
