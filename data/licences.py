"""Licence inheritance: a model's licence judged against its ancestors' by the rule table.

The rules are data (data/licence_rules.toml, explained in docs/licences.md). Their expansion,
one row per (base licence, derivative licence), is copied into `licence_rule_pairs` before each
refresh of the `licence_conflicts` materialized view (migration 0014), which holds every
(model, ancestor) pair that some rule condemns: what the `licence_conflict` filter, the model
page and the analytics read. The chain that causes a conflict is walked when it is asked for.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import Boolean, Connection, Integer, Row, SmallInteger, Text, column, table, text
from sqlalchemy.orm import Session

from data.vocabulary import MAX_LINEAGE_DEPTH

RULES_FILE = Path(__file__).with_name("licence_rules.toml")
NONE_GROUP = "none"  # the reserved group: a derivative that declares no licence
UNSPECIFIED_GROUP = "unspecified"  # the Hub's catch-alls (other, unknown): a licence that says nothing checkable
NO_LICENCE = ""  # how the view compares a missing licence (the Hub has no empty licence)

conflicts_view = table(
    "licence_conflicts",
    column("model_id", Integer),
    column("ancestor", Integer),
    column("rule", Text),
    column("depth", SmallInteger),
    column("declared", Boolean),
)


@dataclass(frozen=True)
class Rule:
    id: str
    base: str  # the group of restricted base licences
    derivative: str  # the group of licences a derivative may not declare under them
    reason: str
    base_licences: frozenset[str]
    derivative_licences: frozenset[str]  # NO_LICENCE for "declares none"


@dataclass(frozen=True)
class ChainLink:
    """A model on the chain from the conflicting ancestor down to the model."""

    id: str
    licence: str | None
    relation_type: str | None  # of the edge from the link before; None for the ancestor
    declared: bool | None  # whether that edge was declared by its author; None for the ancestor


@dataclass(frozen=True)
class LicenceConflict:
    ancestor: str
    ancestor_licence: str
    licence: str | None  # the model's own
    rule: str
    reason: str
    depth: int  # generations between the ancestor and the model (the shortest chain)
    declared: bool  # the ancestor is reached along declared edges alone
    path: list[ChainLink]  # ancestor first, the model last


# --- the rule table --------------------------------------------------------------------------


@cache
def rules() -> dict[str, Rule]:
    """The rule table by id; raises ValueError when the file contradicts itself."""
    return parse_rules(tomllib.loads(RULES_FILE.read_text(encoding="utf-8")))


def parse_rules(document: dict) -> dict[str, Rule]:
    groups = document.get("groups", {})
    if NONE_GROUP in groups:
        raise ValueError(f"the group {NONE_GROUP!r} is reserved")
    found: dict[str, Rule] = {}
    judged: dict[tuple[str, str], str] = {}
    for entry in document.get("rules", []):
        rule = Rule(
            id=entry["id"],
            base=entry["base"],
            derivative=entry["derivative"],
            reason=entry["reason"],
            base_licences=_expand(groups, entry["base"]),
            derivative_licences=_expand(groups, entry["derivative"]),
        )
        if rule.id in found:
            raise ValueError(f"rule {rule.id!r} is defined twice")
        if rule.base_licences & rule.derivative_licences:
            raise ValueError(f"rule {rule.id!r} condemns a derivative for keeping its base's licence")
        for pair in _pairs(rule):
            if pair in judged:
                raise ValueError(f"rules {judged[pair]!r} and {rule.id!r} both judge {pair}")
            judged[pair] = rule.id
        found[rule.id] = rule
    return found


@cache
def recognised_licences() -> frozenset[str]:
    """The licences the rule file names in its groups, except the unspecified catch-alls: the
    ones a reader can look up (the quality score's licence component, data/quality.py)."""
    groups = tomllib.loads(RULES_FILE.read_text(encoding="utf-8")).get("groups", {})
    named = frozenset().union(*(_expand(groups, name) for name in groups))
    return named - (_expand(groups, UNSPECIFIED_GROUP) if UNSPECIFIED_GROUP in groups else frozenset())


def _expand(groups: dict[str, list[str]], name: str, seen: tuple[str, ...] = ()) -> frozenset[str]:
    if name == NONE_GROUP:
        return frozenset({NO_LICENCE})
    if name not in groups or name in seen:
        raise ValueError(f"unknown or circular licence group {name!r}")
    members: set[str] = set()
    for member in groups[name]:
        if member.startswith("@"):
            members |= _expand(groups, member[1:], (*seen, name))
        else:
            members.add(member.lower())
    return frozenset(members)


def _pairs(rule: Rule) -> list[tuple[str, str]]:
    return [(base, derivative) for base in rule.base_licences for derivative in rule.derivative_licences]


def rule_pairs() -> list[dict[str, str]]:
    """The table's rows: one per (base licence, derivative licence) some rule judges."""
    return [
        {"base_licence": base, "derivative_licence": derivative, "rule": rule.id}
        for rule in rules().values()
        for base, derivative in sorted(_pairs(rule))
    ]


def store_rules(session: Session | Connection) -> None:
    """Replace the pairs the view reads by the rule file's."""
    session.execute(text("DELETE FROM licence_rule_pairs"))
    session.execute(
        text(
            "INSERT INTO licence_rule_pairs (base_licence, derivative_licence, rule) "
            "VALUES (:base_licence, :derivative_licence, :rule)"
        ),
        rule_pairs(),
    )


def refresh_licence_conflicts(session: Session, *, concurrently: bool = True) -> None:
    """Judge every model again, with the rule file as it is now; after `lineage_closure`."""
    store_rules(session)
    how = "CONCURRENTLY " if concurrently else ""
    session.execute(text(f"REFRESH MATERIALIZED VIEW {how}licence_conflicts"))
    session.execute(text("ANALYZE licence_conflicts"))  # the filter's estimates


# --- one model's conflicts -------------------------------------------------------------------

CONFLICTS_SQL = """
SELECT a.id, a.repo_id, a.license, c.rule, c.depth, c.declared
FROM licence_conflicts c JOIN models a ON a.id = c.ancestor
WHERE c.model_id = :model
ORDER BY c.depth, a.repo_id
"""

# Every chain upwards, one per (model reached, all edges declared) and level: merges of merges
# would otherwise multiply the paths. A chain lists the models from the start upwards, and the
# relation type and declaredness of each edge taken.
CHAINS_SQL = """
WITH RECURSIVE up (node, depth, all_declared, nodes, relations, declared) AS (
    SELECT CAST(:model AS integer), 0, true, ARRAY[CAST(:model AS integer)], ARRAY[]::text[], ARRAY[]::boolean[]
  UNION ALL
    SELECT DISTINCT ON (r.base_model_ref, u.all_declared AND r.declared)
           r.base_model_ref, u.depth + 1, u.all_declared AND r.declared, u.nodes || r.base_model_ref,
           u.relations || r.relation_type, u.declared || r.declared
    FROM up u
    JOIN base_model_relations r ON r.model_id = u.node
    WHERE u.depth < :bound AND r.base_model_ref IS NOT NULL AND r.base_model_ref <> ALL (u.nodes)
)
SELECT node, depth, all_declared, nodes, relations, declared FROM up
WHERE node = ANY(CAST(:ancestors AS integer[]))
ORDER BY depth, all_declared DESC
"""


def model_conflicts(session: Session, model_id: int) -> list[LicenceConflict]:
    """The conflicts of one model (catalog id), nearest ancestor first, each with its chain."""
    rows = session.execute(text(CONFLICTS_SQL), {"model": model_id}).all()
    if not rows:
        return []
    chains = _chains(session, model_id, rows)
    links = _links(session, {model_id} | {node for chain in chains.values() for node in chain.nodes})
    table_of_rules = rules()
    return [
        LicenceConflict(
            ancestor=row.repo_id,
            ancestor_licence=row.license,
            licence=links[model_id].licence,
            rule=row.rule,
            reason=table_of_rules[row.rule].reason if row.rule in table_of_rules else "",
            depth=row.depth,
            declared=row.declared,
            path=_path(chains[row.id], links) if row.id in chains else [],
        )
        for row in rows
    ]


def _chains(session: Session, model_id: int, conflicts: Sequence[Row]) -> dict[int, Row]:
    """Per conflicting ancestor, the shortest chain to it: of declared edges when the view says
    there is one, else any (a declared one first among equals)."""
    bound = MAX_LINEAGE_DEPTH if any(c.declared for c in conflicts) else max(c.depth for c in conflicts)
    found = session.execute(
        text(CHAINS_SQL), {"model": model_id, "bound": bound, "ancestors": [c.id for c in conflicts]}
    ).all()
    wants_declared = {c.id: c.declared for c in conflicts}
    chains: dict[int, Row] = {}
    for chain in found:  # shortest first
        if chain.node not in chains and (chain.all_declared or not wants_declared[chain.node]):
            chains[chain.node] = chain
    return chains


def _links(session: Session, ids: set[int]) -> dict[int, ChainLink]:
    rows = session.execute(
        text("SELECT id, repo_id, license FROM models WHERE id = ANY(CAST(:ids AS integer[]))"), {"ids": list(ids)}
    )
    return {row.id: ChainLink(row.repo_id, row.license, None, None) for row in rows}


def _path(chain: Row, links: dict[int, ChainLink]) -> list[ChainLink]:
    """Ancestor first: each link with the edge it was reached by from the link before."""
    nodes = list(reversed(chain.nodes))
    relations, declared = list(reversed(chain.relations)), list(reversed(chain.declared))
    path = [links[nodes[0]]]
    for node, relation, was_declared in zip(nodes[1:], relations, declared, strict=True):
        link = links[node]
        path.append(ChainLink(link.id, link.licence, relation, was_declared))
    return path
