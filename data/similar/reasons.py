"""Why a suggestion is like the model: a shared base model (lineage), tags, task, library.

Read for the few suggestions of one request: their ancestors from the lineage closure (any
depth, bases in the catalog) and their declared base ids (bases that are not)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import text
from sqlalchemy.orm import Session

ReasonKind = Literal["base_model", "derivative", "shared_base", "tags", "task", "library"]
MAX_NAMED = 5  # tags or bases named in one reason
# Tags nearly every model of a kind carries: no reason to call two models alike.
UNINFORMATIVE_PREFIXES = ("region:", "base_model:", "endpoints_compatible", "autotrain_compatible")


@dataclass(frozen=True)
class Reason:
    kind: ReasonKind
    text: str  # the reason in words
    values: list[str]  # what is shared: base ids, tags, the task or library


@dataclass(frozen=True)
class Facts:
    """What the reasons compare, of one model."""

    repo_id: str
    tags: list[str]
    pipeline_tag: str | None
    library_name: str | None
    bases: list[str]  # its ancestors' ids, nearest first (declared bases outside the catalog too)


BASES_SQL = """
SELECT lc.descendant AS id, m.repo_id AS base, lc.depth FROM lineage_closure lc JOIN models m ON m.id = lc.ancestor
WHERE lc.descendant = ANY(:ids)
UNION
SELECT r.model_id, r.base_model_id, 1 FROM base_model_relations r
WHERE r.model_id = ANY(:ids) AND r.base_model_ref IS NULL
ORDER BY 3, 2
"""


def bases_of(session: Session, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {model: [] for model in ids}
    for row in session.execute(text(BASES_SQL), {"ids": ids}):
        if row.base not in found[row.id]:
            found[row.id].append(row.base)
    return found


def _informative(tags: list[str], facts: Facts) -> list[str]:
    plain = (facts.pipeline_tag, facts.library_name)  # said by their own reasons
    return [tag for tag in tags if not tag.startswith(UNINFORMATIVE_PREFIXES) and tag not in plain]


def reasons(model: Facts, other: Facts) -> list[Reason]:
    """The reasons, lineage first."""
    found: list[Reason] = []
    lowered = {base.lower() for base in model.bases}
    if other.repo_id.lower() in lowered:
        found.append(Reason("base_model", "is one of its base models", [other.repo_id]))
    elif model.repo_id.lower() in {base.lower() for base in other.bases}:
        found.append(Reason("derivative", "derives from it", [model.repo_id]))
    shared_bases = [base for base in other.bases if base.lower() in lowered][:MAX_NAMED]
    if shared_bases:
        found.append(Reason("shared_base", "shares its base model " + ", ".join(shared_bases), shared_bases))
    own_tags = set(model.tags)
    shared_tags = [tag for tag in _informative(other.tags, other) if tag in own_tags][:MAX_NAMED]
    if shared_tags:
        found.append(Reason("tags", "tags in common: " + ", ".join(shared_tags), shared_tags))
    if model.pipeline_tag and model.pipeline_tag == other.pipeline_tag:
        found.append(Reason("task", f"same task: {model.pipeline_tag}", [model.pipeline_tag]))
    if model.library_name and model.library_name == other.library_name:
        found.append(Reason("library", f"same library: {model.library_name}", [model.library_name]))
    return found
