"""An explainable quality score from 0 to 100: the sum of weighted components, each in one table.

`COMPONENTS` is that table: each component's name (its key in `models.quality_parts` and the
API's breakdown), its label, its weight (the most points it gives; the weights add up to 100),
its rule in words (the API docs and the model page show it) and the function that judges it,
giving the fraction of the weight earned (points: the weight times that fraction, rounded).

Two kinds of component:
- **the record's own** (card, licence, lineage, datasets, evaluations, safetensors), judged from
  what the catalog stores about the model alone (`ModelFacts`): computed at ingest for every
  model a batch changed (`score_models`, in the batch's transaction, from the stored rows, so a
  list record that lacks the card keeps the stored card's points);
- **the catalog's** (recent, downloads, likes), judged against the other models (`Standing`):
  percentiles within the model's task and the age against the catalog's newest date. They move
  when other models change, so they are set for the whole catalog at once at the end of an
  ingest that changed data (`refresh_quality`: one UPDATE with percent_rank() over
  `model_search`, writing only the rows whose points changed).

`models.quality` is the total (NULL until the catalog's components were computed), mirrored to
`model_search.quality` by its triggers for `sort=quality` and `min_quality=`; the parts are the
jsonb `models.quality_parts` (read only by a model's detail: one column, no join, and a new
component needs no migration). Migration 0020 computed them for the models stored before it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from data.licences import recognised_licences

CARD_DATA_ONLY = 0.25  # a card's share for its metadata alone (no README text known)
CARD_FULL_CHARS = 3000  # README characters that earn the whole card component
UNRECOGNISED_LICENCE = 0.3  # a licence declared, but other, unknown or not one the rule file names
INFERRED_LINEAGE = 0.5  # a base model named by an untyped tag: the relation type was guessed
FRESH_DAYS, STALE_DAYS = 90, 730  # updated within FRESH_DAYS: all of `recent`; none after STALE_DAYS
SCORE_BUCKET = 10  # the analytics histogram's bucket width (90–100 is the last bucket)
MAX_SCORE = 100
Lineage = Literal["declared", "inferred"]


@dataclass(frozen=True)
class ModelFacts:
    """What the record's own components read about a model (`FACTS_SQL` reads it from the rows)."""

    card_chars: int | None = None  # the README text's length; None: no README text known
    card_data: bool = False  # the Hub gave the card's metadata (its YAML header)
    licence: str | None = None
    lineage: Lineage | None = None  # the edge into the model: declared if any is, None without a base
    datasets: int = 0  # datasets named (tags, card data)
    model_index: Any = None  # the card data's model-index
    tags: Sequence[str] = ()
    safetensors_files: bool = False  # a *.safetensors file among the repository's files


@dataclass(frozen=True)
class Standing:
    """What the catalog's components read: a model among the others (`STANDING_SQL`)."""

    age_days: float | None = None  # since last modified (else created), to the catalog's newest date
    downloads_rank: float = 0.0  # percent_rank of downloads within the task (0: the fewest, 1: the most)
    likes_rank: float = 0.0


def card(facts: ModelFacts) -> float:
    if facts.card_chars is not None:
        return CARD_DATA_ONLY + (1 - CARD_DATA_ONLY) * min(1.0, facts.card_chars / CARD_FULL_CHARS)
    return CARD_DATA_ONLY if facts.card_data else 0.0


def licence(facts: ModelFacts) -> float:
    if not facts.licence:
        return 0.0
    return 1.0 if facts.licence.lower() in recognised_licences() else UNRECOGNISED_LICENCE


def lineage(facts: ModelFacts) -> float:
    return {"declared": 1.0, "inferred": INFERRED_LINEAGE, None: 0.0}[facts.lineage]


def datasets(facts: ModelFacts) -> float:
    return 1.0 if facts.datasets else 0.0


def evaluations(facts: ModelFacts) -> float:
    """Results in the card data's model-index; without card data, the Hub's `model-index` tag
    (the Hub tags a model whose card holds one)."""
    entries = facts.model_index if isinstance(facts.model_index, list) else []
    if any(isinstance(entry, dict) and entry.get("results") for entry in entries):
        return 1.0
    return 1.0 if not facts.card_data and "model-index" in facts.tags else 0.0


def safetensors(facts: ModelFacts) -> float:
    return 1.0 if facts.safetensors_files or "safetensors" in facts.tags else 0.0


def recent(standing: Standing) -> float:
    if standing.age_days is None:
        return 0.0
    return max(0.0, min(1.0, (STALE_DAYS - standing.age_days) / (STALE_DAYS - FRESH_DAYS)))


def downloads(standing: Standing) -> float:
    return standing.downloads_rank


def likes(standing: Standing) -> float:
    return standing.likes_rank


# The catalog components' fractions in SQL, over STANDING_SQL's columns: the same formulas as
# `recent`, `downloads` and `likes` above (tests/test_quality.py checks both on the same rows).
RECENT_SQL = (
    f"CASE WHEN age_days IS NULL THEN 0.0 ELSE greatest(0.0, least(1.0, "
    f"({STALE_DAYS} - age_days) / {STALE_DAYS - FRESH_DAYS}.0)) END"
)


@dataclass(frozen=True)
class Component:
    name: str  # its key in models.quality_parts and the API's breakdown
    label: str
    weight: int  # the most points it gives
    rule: str  # how it is judged, in words
    judge: Callable[[Any], float]  # ModelFacts or Standing → the fraction of the weight earned
    sql: str | None = None  # the catalog's components: the same fraction over STANDING_SQL's columns

    @property
    def of_catalog(self) -> bool:
        return self.sql is not None


COMPONENTS: tuple[Component, ...] = (
    Component(
        "card",
        "Model card",
        20,
        f"a README: {CARD_DATA_ONLY:.0%} of the points, the rest in proportion to its length up to "
        f"{CARD_FULL_CHARS:,} characters; card metadata alone: {CARD_DATA_ONLY:.0%}; none: 0",
        card,
    ),
    Component(
        "licence",
        "Licence",
        10,
        f"declared and one the licence rules name (apache-2.0, mit, llama3…): all; declared but other, unknown "
        f"or unnamed: {UNRECOGNISED_LICENCE:.0%}; none: 0",
        licence,
    ),
    Component(
        "lineage",
        "Lineage declared",
        10,
        f"a base model declared with its relation (typed base_model tag or card data): all; named by an untyped "
        f"tag, the relation inferred: {INFERRED_LINEAGE:.0%}; no base model named: 0",
        lineage,
    ),
    Component("datasets", "Datasets named", 10, "at least one training dataset named (tags or card data)", datasets),
    Component(
        "evaluations",
        "Evaluation results",
        15,
        "results in the card's model-index (without card data: the Hub's model-index tag)",
        evaluations,
    ),
    Component(
        "safetensors",
        "Safetensors weights",
        10,
        "weights as safetensors (a .safetensors file, or the Hub's safetensors tag)",
        safetensors,
    ),
    Component(
        "recent",
        "Updated recently",
        10,
        f"last modified (else created) within {FRESH_DAYS} days of the catalog's newest date: all, then "
        f"linearly less, none after {STALE_DAYS} days",
        recent,
        RECENT_SQL,
    ),
    Component(
        "downloads",
        "Downloads within its task",
        10,
        "the percentile of its downloads among the models of its task (percent_rank: the fewest 0, the most all)",
        downloads,
        "downloads_rank",
    ),
    Component(
        "likes",
        "Likes within its task",
        5,
        "the percentile of its likes among the models of its task",
        likes,
        "likes_rank",
    ),
)
BY_NAME = {component.name: component for component in COMPONENTS}
RECORD_COMPONENTS = tuple(c for c in COMPONENTS if not c.of_catalog)
CATALOG_COMPONENTS = tuple(c for c in COMPONENTS if c.of_catalog)
assert sum(c.weight for c in COMPONENTS) == MAX_SCORE, "the weights add up to 100"


def points(component: Component, fraction: float) -> int:
    """The weight times the fraction, rounded half up (as POINTS_SQL does)."""
    return math.floor(component.weight * fraction + 0.5)


def record_parts(facts: ModelFacts) -> dict[str, int]:
    """The points of the record's own components."""
    return {c.name: points(c, c.judge(facts)) for c in RECORD_COMPONENTS}


def catalog_parts(standing: Standing) -> dict[str, int]:
    return {c.name: points(c, c.judge(standing)) for c in CATALOG_COMPONENTS}


@dataclass(frozen=True)
class Part:
    """A component's share of one model's score (the model page and the API's breakdown)."""

    component: str
    label: str
    points: int | None  # None: not computed yet
    weight: int


def breakdown(parts: dict[str, int] | None) -> list[Part]:
    """Every component in table order, with the model's points where known."""
    parts = parts or {}
    return [Part(c.name, c.label, parts.get(c.name), c.weight) for c in COMPONENTS]


def describe() -> str:
    """The table in Markdown, for the API's documentation."""
    rows = [f"| `{c.name}` | {c.weight} | {c.rule} |" for c in COMPONENTS]
    return "\n".join(["| component | weight | rule |", "|---|---|---|", *rows])


# --- the record's own components, at ingest ---------------------------------------------------

# The stored facts of the models in {changed} (a table or subquery with an `id` column). Children
# are joined as sets, not probed per model: a bulk load drops their indexes.
FACTS_SQL = """
SELECT m.id, m.license, m.tags, length(c.card) AS card_chars, m.card_data IS NOT NULL AS card_data,
       m.card_data -> 'model-index' AS model_index, l.declared, coalesce(d.datasets, 0) AS datasets,
       f.model_id IS NOT NULL AS safetensors_files
FROM {changed} x JOIN models m ON m.id = x.id
LEFT JOIN model_cards c ON c.id = m.id
LEFT JOIN (SELECT r.model_id, bool_or(r.declared) AS declared FROM base_model_relations r
           JOIN {changed} x ON x.id = r.model_id GROUP BY r.model_id) l ON l.model_id = m.id
LEFT JOIN (SELECT d.model_id, count(*) AS datasets FROM dataset_relations d
           JOIN {changed} x ON x.id = d.model_id GROUP BY d.model_id) d ON d.model_id = m.id
LEFT JOIN (SELECT DISTINCT s.model_id FROM model_siblings s JOIN {changed} x ON x.id = s.model_id
           WHERE s.rfilename LIKE '%.safetensors') f ON f.model_id = m.id
"""


def _catalog_sum(parts: str) -> str:
    return " + ".join(f"coalesce(({parts} ->> '{c.name}')::integer, 0)" for c in CATALOG_COMPONENTS)


# The record's parts replace its earlier ones; the total follows once the catalog's are known.
WRITE_PARTS_SQL = f"""
UPDATE models m SET quality_parts = coalesce(m.quality_parts, '{{}}') || f.parts,
    quality = CASE WHEN m.quality IS NULL THEN NULL ELSE f.points + {_catalog_sum("m.quality_parts")} END
FROM unnest(CAST(:ids AS integer[]), CAST(:parts AS jsonb[]), CAST(:points AS integer[])) AS f (id, parts, points)
WHERE m.id = f.id AND (m.quality_parts IS NULL OR NOT m.quality_parts @> f.parts)
"""


def facts_of(row: Any) -> ModelFacts:
    lineage_of: Lineage | None = None if row.declared is None else "declared" if row.declared else "inferred"
    return ModelFacts(
        card_chars=row.card_chars,
        card_data=row.card_data,
        licence=row.license,
        lineage=lineage_of,
        datasets=row.datasets,
        model_index=row.model_index,
        tags=row.tags or (),
        safetensors_files=row.safetensors_files,
    )


def score_models(session: Session | Connection, changed: str = "merge_changed", **parameters) -> int:
    """Judge the record's own components of the models in `changed` (a table, or a subquery
    reading `parameters`) from their stored rows and write them; the number of models written."""
    rows = session.execute(text(FACTS_SQL.format(changed=changed)), parameters).all()
    return write_parts(session, ((row.id, record_parts(facts_of(row))) for row in rows))


def write_parts(session: Session | Connection, scored: Iterable[tuple[int, dict[str, int]]]) -> int:
    ids, parts, totals = [], [], []
    for model_id, found in scored:
        ids.append(model_id)
        parts.append(json.dumps(found))
        totals.append(sum(found.values()))
    if not ids:
        return 0
    result = session.execute(text(WRITE_PARTS_SQL), {"ids": ids, "parts": parts, "points": totals})
    return result.rowcount  # type: ignore[attr-defined]


# --- the catalog's components, after an ingest ------------------------------------------------

# The reference date is the catalog's newest (never past now): a snapshot's "recent" is its own.
STANDING_SQL = """
SELECT id,
       percent_rank() OVER (PARTITION BY pipeline_tag ORDER BY downloads) AS downloads_rank,
       percent_rank() OVER (PARTITION BY pipeline_tag ORDER BY likes) AS likes_rank,
       extract(epoch FROM (SELECT least(now(), greatest(
                  (SELECT max(last_modified) FROM model_search), (SELECT max(created_at) FROM model_search))))
               - coalesce(last_modified, created_at))::double precision / 86400 AS age_days
FROM model_search
"""


def _points_sql(component: Component) -> str:
    return f"floor({component.weight} * ({component.sql}) + 0.5)::integer"


def _record_sum(parts: str) -> str:
    return " + ".join(f"coalesce(({parts} ->> '{c.name}')::integer, 0)" for c in RECORD_COMPONENTS)


CATALOG_POINTS = ", ".join(f"'{c.name}', {_points_sql(c)}" for c in CATALOG_COMPONENTS)
REFRESH_SQL = f"""
WITH standing AS ({STANDING_SQL}),
scored AS (SELECT id, jsonb_build_object({CATALOG_POINTS}) AS parts FROM standing)
UPDATE models m SET quality_parts = coalesce(m.quality_parts, '{{}}') || s.parts,
    quality = {_record_sum("m.quality_parts")} + {_catalog_sum("s.parts")}
FROM scored s
WHERE m.id = s.id AND (m.quality IS NULL OR m.quality_parts IS NULL OR NOT m.quality_parts @> s.parts)
"""


def refresh_quality(session: Session | Connection) -> int:
    """Set the catalog's components and every total (each model against the catalog as it is
    now); writes only the models whose points changed and returns how many."""
    return session.execute(text(REFRESH_SQL)).rowcount  # type: ignore[attr-defined]


def stale_scores(session: Session | Connection) -> bool:
    """Whether some model has no total yet (a run cut short before `refresh_quality`): the
    quality index holds them last, so one probe answers."""
    return session.execute(text("SELECT EXISTS (SELECT 1 FROM model_search WHERE quality IS NULL)")).scalar_one()
