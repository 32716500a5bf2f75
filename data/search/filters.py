"""The conditions a `SearchQuery` puts on `model_search` rows (search, counts, facets, charts).

Columns of the narrow table are filtered directly; what only the wide tables hold (tags,
datasets, lineage, cards) through EXISTS or IN on the same model id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, cast, exists, false, or_, select
from sqlalchemy.dialects.postgresql import ARRAY, TEXT
from sqlalchemy.sql.util import ClauseAdapter

from data.arxiv import paper_tag
from data.licences import conflicts_view
from data.models import DatasetRelation, Model, ModelTag, SearchRow
from data.query import SearchQuery
from data.search.lineage import Roots, lineage_filters
from data.search.text import card_condition, word_conditions

COLUMN_FILTERS = (  # (SearchQuery field, column): any of the values
    ("author", SearchRow.author),
    ("pipeline_tag", SearchRow.pipeline_tag),
    ("library", SearchRow.library_name),
    ("license", SearchRow.license),
    ("quant", SearchRow.quant),
)


def filters(query: SearchQuery, roots: Roots | None = None) -> list[ColumnElement]:
    """Every condition; `roots` (resolve_roots) gives the planner the lineage roots' ids."""
    lineage, family = lineage_filters(query, roots)
    conditions = [*text_filters(query), *field_filters(query), *lineage, *([family.condition] if family else [])]
    return [*conditions, *folding(query, conditions)]


def folding(query: SearchQuery, conditions: list[ColumnElement]) -> list[ColumnElement]:
    """group=variants: a variant is folded under its head (data/ingest/variants.py), so it is no
    result of its own, when the head matches `conditions` too; the result is one row a group."""
    if query.group != "variants":
        return []
    if not conditions:
        return [SearchRow.variant_of.is_(None)]
    head = SearchRow.__table__.alias("head")
    adapt = ClauseAdapter(head).traverse
    # A scalar subquery, not NOT EXISTS: the planner would hash every matching head first (33 ms
    # for `llama` at 760,000 models); this looks up the head of each variant met (2% of rows).
    matching_head = select(head.c.id).where(head.c.id == SearchRow.variant_of, *(adapt(c) for c in conditions))
    return [or_(SearchRow.variant_of.is_(None), matching_head.scalar_subquery().is_(None))]


def text_filters(query: SearchQuery) -> list[ColumnElement]:
    """The id words', the card's and the cited papers': checked on each row met walking the sort
    order, found by their own indexes (trigrams, card vectors, arXiv tags) when gathering. The
    planner, left to choose, walks for a paper cited by 0.15% of the models (32,000 probes)."""
    papers = [_cites(query.arxiv)] if query.arxiv else []
    return [*word_conditions(query.q), *([card_condition(query.card)] if query.card else []), *papers]


def field_filters(query: SearchQuery) -> list[ColumnElement]:
    """The conditions on the model's own fields (lineage ones: data/search/lineage.py)."""
    conditions: list[ColumnElement] = []
    for name, column in COLUMN_FILTERS:
        if values := getattr(query, name):
            conditions.append(column.in_(values))
    if query.language:
        conditions.append(_model_has(Model.tags.overlap(cast(query.language, ARRAY(TEXT)))))
    if query.tag:
        conditions.append(_model_has(Model.tags.contains(cast(query.tag, ARRAY(TEXT)))))
    if query.dataset:
        conditions.append(
            exists().where(DatasetRelation.model_id == SearchRow.id, DatasetRelation.dataset_id.in_(query.dataset))
        )
    if query.has_card is not None:
        conditions.append(SearchRow.has_card == query.has_card)  # `=`, not IS: the index reads `=`
    if query.gated is not None:
        conditions.append(SearchRow.gated.isnot(None) if query.gated else SearchRow.gated.is_(None))
    if query.has_base_model is not None:
        conditions.append(SearchRow.has_base_model.is_(query.has_base_model))
    conditions += _created_between(query.created_from, query.created_to)
    if query.min_downloads is not None:
        conditions.append(SearchRow.downloads >= query.min_downloads)
    if query.min_likes is not None:
        conditions.append(SearchRow.likes >= query.min_likes)
    if query.min_quality is not None:
        conditions.append(SearchRow.quality >= query.min_quality)
    conditions += _licence_conflict(query.licence_conflict)
    conditions += _params_between(query.min_params, query.max_params)
    return conditions


def _cites(papers: Sequence[str]) -> ColumnElement:
    """Through the arXiv tags' own small index (migration 0012): a probe per row walked, the
    citing models' ids alone when gathered (models.tags' GIN index rechecks each wide row)."""
    tags = [paper_tag(paper) for paper in papers]
    return exists().where(ModelTag.model_id == SearchRow.id, ModelTag.tag_type == "arxiv", ModelTag.tag.in_(tags))


def _licence_conflict(wanted: bool | None) -> list[ColumnElement]:
    """Models whose licence some rule condemns under an ancestor's (data/licences.py), or not."""
    if wanted is None:
        return []
    condemned = exists().where(conflicts_view.c.model_id == SearchRow.id)
    return [condemned if wanted else ~condemned]


def _params_between(least: int | None, most: int | None) -> list[ColumnElement]:
    """Models of known size within the bounds (a model of unknown size matches no bound)."""
    if least is not None and most is not None and least > most:
        return [false()]
    return [
        *([SearchRow.params >= least] if least is not None else []),
        *([SearchRow.params <= most] if most is not None else []),
    ]


def _model_has(condition: ColumnElement) -> ColumnElement:
    return exists(select(Model.id).where(Model.id == SearchRow.id, condition))


def _created_between(first: date | None, last: date | None) -> list[ColumnElement]:
    """Whole UTC days; a range past the calendar's ends is open there (9999-12-31 has no next day)."""
    if first and last and first > last:
        return [false()]
    conditions = []
    if first:
        conditions.append(SearchRow.created_at >= _start_of(first))
    if last and last < date.max:
        conditions.append(SearchRow.created_at < _start_of(last + timedelta(days=1)))
    return conditions


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
