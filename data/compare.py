"""Models side by side (`/compare?ids=a,b,c`): their fields, row by row with whether they differ,
and how each pair is related in the lineage (one descends from the other, or their nearest
common ancestors, with the path and relation types down to each).

Cheap whatever the models: a fixed number of statements for up to MAX_MODELS, each a lookup by
key. Ancestors come from the lineage closure (`descendant = ANY`, one index range per model);
the paths are walked in Python over the few edges among those ancestors, read in one statement.
Shared by the API and the dashboard; results are plain dataclasses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from data.models import Model
from data.query import QueryError

MIN_MODELS, MAX_MODELS = 2, 6
MAX_ID_CHARS = 200  # far above any Hub id (96 + "/" + 96)
PARAMETER = "ids"
NEAREST_SHOWN = 3  # nearest common ancestors named per pair (ties); the first one's paths are given

# What a card can hold, as the completeness row counts it: the README, then card data's keys.
CARD_DATA_PARTS = {
    "license": "licence",
    "base_model": "base model",
    "datasets": "datasets",
    "language": "languages",
    "model-index": "evaluation results",
    "tags": "tags",
}
README = "README"
CARD_PARTS = (README, *CARD_DATA_PARTS.values())


# --- the URL grammar -------------------------------------------------------------------------


def parse_ids(values: str | Iterable[str]) -> list[str]:
    """The ids of `ids=a,b,c` (a comma list, or repeated): blanks dropped, each once whatever its
    case (the first spelling kept), in order; QueryError unless MIN_MODELS to MAX_MODELS."""
    raw = [values] if isinstance(values, str) else list(values)
    found: dict[str, str] = {}
    for value in raw:
        for part in value.split(","):
            repo_id = part.strip()
            if not repo_id:
                continue
            if "\x00" in repo_id or len(repo_id) > MAX_ID_CHARS:
                raise QueryError(PARAMETER, f"{repo_id[:40]!r}… is no model id")
            found.setdefault(repo_id.lower(), repo_id)
    if not MIN_MODELS <= len(found) <= MAX_MODELS:
        raise QueryError(
            PARAMETER, f"give {MIN_MODELS} to {MAX_MODELS} distinct model ids, comma-separated (got {len(found)})"
        )
    return list(found.values())


def ids_text(repo_ids: Sequence[str]) -> str:
    """`ids=`'s value for these ids, as parse_ids reads it back."""
    return ",".join(repo_ids)


# --- the result ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparedModel:
    """What the comparison shows of one model."""

    repo_id: str
    author: str
    pipeline_tag: str | None
    library_name: str | None
    license: str | None
    licence_warnings: list[str]  # one per conflicting ancestor (data/licences.py), nearest first
    downloads: int
    likes: int
    created_at: datetime | None
    last_modified: datetime | None
    file_count: int
    total_file_size: int | None  # the files' sizes, or the Hub's used storage when it lists none
    params: int | None
    params_source: str | None  # declared / inferred
    quant: str | None
    datasets: list[str]
    card_readme_chars: int | None  # the README's length; None without one
    card_parts: list[str]  # of CARD_PARTS, those the card has
    derivative_count: int
    quality: int | None  # data/quality.py's score; None until the catalog computed it


@dataclass(frozen=True)
class Row:
    """One field across the models, in their order; `differs` when the values are not all equal."""

    field: str
    label: str
    values: list[Any]
    differs: bool


# (field, label, value of a model): the rows in their order. A new row is one more line here.
ROWS: tuple[tuple[str, str, Callable[[ComparedModel], Any]], ...] = (
    ("pipeline_tag", "Task", lambda m: m.pipeline_tag),
    ("library_name", "Library", lambda m: m.library_name),
    ("license", "Licence", lambda m: m.license),
    ("licence_warnings", "Licence warnings", lambda m: m.licence_warnings),
    ("downloads", "Downloads", lambda m: m.downloads),
    ("likes", "Likes", lambda m: m.likes),
    ("created_at", "Created", lambda m: m.created_at),
    ("last_modified", "Updated", lambda m: m.last_modified),
    ("file_count", "Files", lambda m: m.file_count),
    ("total_file_size", "Total size (bytes)", lambda m: m.total_file_size),
    ("params", "Parameters", lambda m: m.params),
    ("params_source", "Parameters from", lambda m: m.params_source),
    ("quant", "Quantization", lambda m: m.quant),
    ("datasets", "Datasets", lambda m: m.datasets),
    ("card_completeness", f"Card completeness (of {len(CARD_PARTS)})", lambda m: len(m.card_parts)),
    ("card_parts", "Card has", lambda m: m.card_parts),
    ("card_readme_chars", "README length (characters)", lambda m: m.card_readme_chars),
    ("derivative_count", "Direct derivatives", lambda m: m.derivative_count),
    ("quality", "Quality (0–100)", lambda m: m.quality),
)


@dataclass(frozen=True)
class PathStep:
    """A model on a lineage path, reached from the step before by `relation_type`."""

    id: str
    relation_type: str | None  # None for the path's first model (the ancestor)
    declared: bool | None  # whether that edge was declared by its author; None for the first
    in_catalog: bool


@dataclass(frozen=True)
class Relation:
    """How two compared models are related. `kind`: `ancestor` (one descends from the other:
    `ancestor` is that one), `common_ancestor` (`ancestor` is the nearest model both descend
    from) or `unrelated`. Both paths start at `ancestor`: one is `[ancestor]` itself when the
    other model descends from it."""

    a: str
    b: str
    kind: str
    ancestor: str | None
    nearest_common_ancestors: list[str]  # ties for nearest (by generations to both), a few
    common_ancestors: int  # every model both descend from
    path_to_a: list[PathStep]
    path_to_b: list[PathStep]
    summary: str


@dataclass(frozen=True)
class GraphNode:
    id: str
    compared: bool
    in_catalog: bool
    downloads: int | None


@dataclass(frozen=True)
class GraphEdge:
    source: str  # the base
    target: str  # the derivative
    relation_type: str
    declared: bool


@dataclass(frozen=True)
class Comparison:
    ids: list[str]  # the catalog's spelling, in the order asked
    missing: list[str]  # asked ids the catalog does not have
    models: list[ComparedModel]
    rows: list[Row]
    relations: list[Relation]  # each pair once, in the order asked
    nodes: list[GraphNode]  # the compared models and the ancestors on the relations' paths
    edges: list[GraphEdge]


def compare(session: Session, repo_ids: Sequence[str]) -> Comparison:
    """The comparison of the models named (any case); unknown ones listed in `missing`."""
    found = _models(session, repo_ids)
    by_lower = {model.repo_id.lower(): model for model in found}
    ordered = [by_lower[r.lower()] for r in repo_ids if r.lower() in by_lower]
    missing = [r for r in repo_ids if r.lower() not in by_lower]
    keys = [model.id for model in ordered]
    files = _files(session, keys)
    datasets = _datasets(session, keys)
    readmes = _readmes(session, keys)
    warnings = _licence_warnings(session, keys)
    models = [
        _compared(model, files.get(model.id), datasets.get(model.id, []), readmes.get(model.id), warnings)
        for model in ordered
    ]
    graph = _Graph.read(session, {model.id: model.repo_id for model in ordered}, {m.id: m.downloads for m in ordered})
    relations = [graph.relation(a, b) for i, a in enumerate(keys) for b in keys[i + 1 :]]
    nodes, edges = graph.drawing(keys, relations)
    return Comparison(
        ids=[model.repo_id for model in ordered],
        missing=missing,
        models=models,
        rows=rows_of(models),
        relations=relations,
        nodes=nodes,
        edges=edges,
    )


def rows_of(models: Sequence[ComparedModel]) -> list[Row]:
    rows = []
    for field, label, value_of in ROWS:
        values = [value_of(model) for model in models]
        rows.append(Row(field, label, values, differs=any(value != values[0] for value in values[1:])))
    return rows


# --- the fields: one statement each, for every model at once --------------------------------


def _models(session: Session, repo_ids: Sequence[str]) -> list[Model]:
    lowered = [repo_id.lower() for repo_id in repo_ids]
    return list(session.scalars(select(Model).where(func.lower(Model.repo_id).in_(lowered))))


def _files(session: Session, keys: list[int]) -> dict[int, tuple[int, int | None]]:
    """(file count, summed size) per model that lists files."""
    rows = session.execute(
        text("""
        SELECT model_id, count(*) AS files, sum(size) AS size FROM model_siblings
        WHERE model_id = ANY(CAST(:ids AS integer[])) GROUP BY model_id"""),
        {"ids": keys},
    )
    return {row.model_id: (row.files, None if row.size is None else int(row.size)) for row in rows}


def _datasets(session: Session, keys: list[int]) -> dict[int, list[str]]:
    rows = session.execute(
        text("""
        SELECT model_id, array_agg(dataset_id ORDER BY dataset_id) AS datasets FROM dataset_relations
        WHERE model_id = ANY(CAST(:ids AS integer[])) GROUP BY model_id"""),
        {"ids": keys},
    )
    return {row.model_id: list(row.datasets) for row in rows}


def _readmes(session: Session, keys: list[int]) -> dict[int, int]:
    rows = session.execute(
        text("SELECT id, length(card) AS chars FROM model_cards WHERE id = ANY(CAST(:ids AS integer[]))"),
        {"ids": keys},
    )
    return {row.id: row.chars for row in rows}


def _licence_warnings(session: Session, keys: list[int]) -> dict[int, list[str]]:
    """Per model, its conflicts with restricted ancestors (the licence_conflicts view), nearest first."""
    rows = session.execute(
        text("""
        SELECT c.model_id, a.repo_id, a.license, c.rule, c.depth FROM licence_conflicts c
        JOIN models a ON a.id = c.ancestor
        WHERE c.model_id = ANY(CAST(:ids AS integer[]))
        ORDER BY c.model_id, c.depth, a.repo_id"""),
        {"ids": keys},
    )
    warnings: dict[int, list[str]] = {}
    for row in rows:
        up = f"{row.depth} generation{'s' if row.depth != 1 else ''} up"
        warnings.setdefault(row.model_id, []).append(f"{row.rule}: {row.repo_id} ({row.license}), {up}")
    return warnings


def _compared(
    model: Model,
    files: tuple[int, int | None] | None,
    datasets: list[str],
    readme_chars: int | None,
    warnings: dict[int, list[str]],
) -> ComparedModel:
    file_count, file_size = files or (0, None)
    return ComparedModel(
        repo_id=model.repo_id,
        author=model.author,
        pipeline_tag=model.pipeline_tag,
        library_name=model.library_name,
        license=model.license,
        licence_warnings=warnings.get(model.id, []),
        downloads=model.downloads,
        likes=model.likes,
        created_at=model.created_at,
        last_modified=model.last_modified,
        file_count=file_count,
        total_file_size=file_size if file_count else model.used_storage,  # as the model page says it
        params=model.params,
        params_source=model.params_source,
        quant=model.quant,
        datasets=datasets,
        card_readme_chars=readme_chars,
        card_parts=card_parts(readme_chars, model.card_data),
        derivative_count=model.derivative_count,
        quality=model.quality,
    )


def card_parts(readme_chars: int | None, card_data: Any) -> list[str]:
    """Which of CARD_PARTS a card has: a README, and card data's keys with a value."""
    parts = [README] if readme_chars else []
    data = card_data if isinstance(card_data, dict) else {}
    return parts + [part for key, part in CARD_DATA_PARTS.items() if data.get(key) not in (None, "", [], {})]


# --- relations: the ancestors from the closure, the paths over their edges ------------------

Node = int | str  # a catalog model's id, or the lowered Hub id of a base missing from the catalog


@dataclass(frozen=True)
class _Edge:
    parent: Node
    child: Node
    relation_type: str
    declared: bool


class _Graph:
    """The compared models with all their ancestors and the edges among them."""

    def __init__(self, names: dict[Node, str], downloads: dict[Node, int | None], edges: list[_Edge]):
        self.names, self.downloads = names, downloads
        self.parents: dict[Node, list[_Edge]] = {}
        # Among equally short paths, declared edges first, then by relation type, then by name.
        for edge in sorted(edges, key=lambda e: (not e.declared, e.relation_type, names[e.parent])):
            self.parents.setdefault(edge.child, []).append(edge)
        self._up: dict[Node, dict[Node, _Edge | None]] = {}

    @classmethod
    def read(cls, session: Session, compared: dict[int, str], downloads: dict[int, int]) -> _Graph:
        """Two statements: the ancestors (lineage_closure), then every edge into the compared
        models and those ancestors, from one of them or from a base missing from the catalog."""
        keys = list(compared)
        ancestors = session.scalars(
            text("SELECT DISTINCT ancestor FROM lineage_closure WHERE descendant = ANY(CAST(:ids AS integer[]))"),
            {"ids": keys},
        ).all()
        nodes = sorted(set(keys) | set(ancestors))
        rows = session.execute(
            text("""
            SELECT r.model_id, r.base_model_ref, r.base_model_id, r.relation_type, r.declared,
                   b.repo_id AS base_repo_id, b.downloads AS base_downloads, m.repo_id, m.downloads
            FROM base_model_relations r
            JOIN models m ON m.id = r.model_id
            LEFT JOIN models b ON b.id = r.base_model_ref
            WHERE r.model_id = ANY(CAST(:nodes AS integer[]))
              AND (r.base_model_ref IS NULL OR r.base_model_ref = ANY(CAST(:nodes AS integer[])))
              AND r.base_model_ref IS DISTINCT FROM r.model_id"""),
            {"nodes": nodes},
        ).all()
        names: dict[Node, str] = {key: name for key, name in compared.items()}
        counts: dict[Node, int | None] = {key: count for key, count in downloads.items()}
        edges = []
        for row in rows:
            # A missing base is known by its Hub id, whatever case each derivative wrote it in.
            parent: Node = row.base_model_ref if row.base_model_ref is not None else row.base_model_id.lower()
            names[row.model_id], counts[row.model_id] = row.repo_id, row.downloads
            names.setdefault(parent, row.base_repo_id or row.base_model_id)
            counts[parent] = row.base_downloads
            edges.append(_Edge(parent, row.model_id, row.relation_type, row.declared))
        return cls(names, counts, edges)

    def up(self, node: Node) -> dict[Node, _Edge | None]:
        """Every ancestor of `node` (and itself) with the edge down from it on a shortest path to
        `node`, found breadth-first: the order of `self.parents` breaks ties."""
        if node not in self._up:
            toward: dict[Node, _Edge | None] = {node: None}
            level = [node]
            while level:
                found = []
                for child in level:
                    for edge in self.parents.get(child, ()):
                        if edge.parent not in toward:
                            toward[edge.parent] = edge
                            found.append(edge.parent)
                level = found
            self._up[node] = toward
        return self._up[node]

    def path(self, ancestor: Node, node: Node) -> list[_Edge]:
        """The edges of the shortest path from `ancestor` down to `node`."""
        toward, edges = self.up(node), []
        edge = toward[ancestor]
        while edge is not None:
            edges.append(edge)
            edge = toward[edge.child]
        return edges

    def generations(self, ancestor: Node, node: Node) -> int:
        return len(self.path(ancestor, node))

    def relation(self, a: int, b: int) -> Relation:
        up_a, up_b = self.up(a), self.up(b)
        if b in up_a or a in up_b:
            ancestor = b if b in up_a else a
            return self._related(a, b, "ancestor", ancestor, [], len((up_a.keys() & up_b.keys()) - {a, b}))
        common = up_a.keys() & up_b.keys()
        if not common:
            return Relation(self.names[a], self.names[b], "unrelated", None, [], 0, [], [], "not related")
        distance = {c: self.generations(c, a) + self.generations(c, b) for c in common}
        nearest = sorted(common, key=lambda c: (distance[c], self.names[c]))
        ties = [c for c in nearest if distance[c] == distance[nearest[0]]][:NEAREST_SHOWN]
        return self._related(a, b, "common_ancestor", ties[0], ties, len(common))

    def _related(self, a: int, b: int, kind: str, ancestor: Node, ties: list[Node], common: int) -> Relation:
        to_a, to_b = self._steps(ancestor, a), self._steps(ancestor, b)
        return Relation(
            a=self.names[a],
            b=self.names[b],
            kind=kind,
            ancestor=self.names[ancestor],
            nearest_common_ancestors=[self.names[c] for c in ties],
            common_ancestors=common,
            path_to_a=to_a,
            path_to_b=to_b,
            summary=_summary(kind, self.names[a], self.names[b], to_a, to_b),
        )

    def _steps(self, ancestor: Node, node: Node) -> list[PathStep]:
        steps = [PathStep(self.names[ancestor], None, None, isinstance(ancestor, int))]
        for edge in self.path(ancestor, node):
            steps.append(PathStep(self.names[edge.child], edge.relation_type, edge.declared, True))
        return steps

    def drawing(self, compared: list[int], relations: list[Relation]) -> tuple[list[GraphNode], list[GraphEdge]]:
        """The compared models and the models on the relations' paths, with those paths' edges."""
        edges: dict[tuple[str, str], GraphEdge] = {}
        for relation in relations:
            for path in (relation.path_to_a, relation.path_to_b):
                for before, step in zip(path, path[1:], strict=False):
                    edge = GraphEdge(before.id, step.id, step.relation_type or "", bool(step.declared))
                    edges.setdefault((before.id, step.id), edge)
        shown = {self.names[key] for key in compared}
        on_paths = {name for edge in edges for name in edge} - shown
        by_name = {name: node for node, name in self.names.items()}
        nodes = [GraphNode(self.names[key], True, True, self.downloads.get(key)) for key in compared]
        nodes += [
            GraphNode(name, False, isinstance(by_name[name], int), self.downloads.get(by_name[name]))
            for name in sorted(on_paths)
        ]
        return nodes, sorted(edges.values(), key=lambda e: (e.source, e.target))


def _summary(kind: str, a: str, b: str, to_a: list[PathStep], to_b: list[PathStep]) -> str:
    """The relation in words: "b ← finetune ← a" style chains from the ancestor down."""
    if kind == "ancestor":
        chain = to_a if len(to_a) > 1 else to_b
        return f"{chain[-1].id} descends from {chain[0].id}: {chain_text(chain)}"
    ancestor = to_a[0].id
    return f"both descend from {ancestor}: {chain_text(to_a)}; {chain_text(to_b)}"


def chain_text(path: Sequence[PathStep]) -> str:
    """`acme/base → finetune → lab/chat → quantized → quant/chat-GGUF`."""
    parts = [path[0].id]
    for step in path[1:]:
        parts += [f"{step.relation_type}{'' if step.declared else ' (inferred)'}", step.id]
    return " → ".join(parts)
