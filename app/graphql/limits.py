"""How much one query may ask: its depth (fields nested in fields) and its cost (about how many
items it could read), both measured on the query before it runs, fragments included.

A field costs 1, and its selection is counted once per item it can return: `first` (or its
default) of a list with one, LIST_ITEMS of another list. Fields that run statements of their own
for each parent (searches, lineage walks, neighbours) cost STATEMENT more. Introspection
(`__schema`, `__type`) is bounded by the schema itself and is not counted."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    SelectionSetNode,
    ValidationRule,
    get_named_type,
    get_nullable_type,
    is_list_type,
)

from app.api.errors import ApiError
from app.graphql.grammar import MAX_FIRST

MAX_DEPTH = 10
MAX_COST = 25_000
LIST_ITEMS = 10  # a list without `first`: tags, files, base models, ancestors
STATEMENT = 10
STATEMENT_FIELDS = frozenset(
    {"models", "derivatives", "ancestors", "descendants", "similar", "stats", "author", "trending"}
)
PAGE_ARGUMENT = "first"


@dataclass(frozen=True)
class Measure:
    cost: int
    depth: int


class QueryMeasure(ValidationRule):
    def enter_operation_definition(self, node, *_args) -> None:
        root = self.context.schema.get_root_type(node.operation)
        fragments = {
            definition.name.value: definition
            for definition in self.context.document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        if root is None:
            return
        found = _measure(node.selection_set, root, fragments, frozenset())
        if found.depth > MAX_DEPTH:
            self._refuse(ApiError("QUERY_TOO_DEEP", {"depth": found.depth, "max_depth": MAX_DEPTH}), node)
        elif found.cost > MAX_COST:
            self._refuse(ApiError("QUERY_TOO_COMPLEX", {"cost": found.cost, "max_cost": MAX_COST}), node)

    def _refuse(self, error: ApiError, node) -> None:
        extensions = {"code": error.code, "details": error.details}
        self.report_error(GraphQLError(error.message, node, extensions=extensions))


def _measure(selections: SelectionSetNode | None, parent, fragments: dict, seen: frozenset[str]) -> Measure:
    cost = depth = 0
    for selection in selections.selections if selections else ():
        if isinstance(selection, FieldNode):
            found = _field(selection, parent, fragments, seen)
        elif isinstance(selection, InlineFragmentNode):
            found = _measure(selection.selection_set, parent, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            name = selection.name.value
            if name in seen:
                continue  # a cycle: GraphQL's own validation refuses it
            found = _measure(fragments[name].selection_set, parent, fragments, seen | {name})
        else:
            continue
        cost, depth = cost + found.cost, max(depth, found.depth)
    return Measure(cost, depth)


def _field(node: FieldNode, parent, fragments: dict, seen: frozenset[str]) -> Measure:
    name = node.name.value
    if name.startswith("__") or not isinstance(parent, GraphQLObjectType) or name not in parent.fields:
        return Measure(0, 0)  # introspection, or a field GraphQL's own validation refuses
    definition = parent.fields[name]
    inner = _measure(node.selection_set, get_named_type(definition.type), fragments, seen)
    own = 1 + (STATEMENT if name in STATEMENT_FIELDS else 0)
    return Measure(own + _items(node, definition, parent) * inner.cost, 1 + inner.depth)


def _items(node: FieldNode, definition, parent: GraphQLObjectType) -> int:
    """How many items the field may return, each of which its selection is read for."""
    if PAGE_ARGUMENT in definition.args:
        given = next(
            (argument.value for argument in node.arguments or () if argument.name.value == PAGE_ARGUMENT), None
        )
        if isinstance(given, IntValueNode):
            return max(int(given.value), 1)
        if given is None and isinstance(definition.args[PAGE_ARGUMENT].default_value, int):
            return definition.args[PAGE_ARGUMENT].default_value
        return MAX_FIRST  # a variable: the largest it may be
    if is_list_type(get_nullable_type(definition.type)) and not parent.name.endswith("Connection"):
        return LIST_ITEMS  # a connection's nodes are its `first`, counted on the connection
    return 1
