"""The conditions a `SearchQuery` puts on `model_search` rows (search, counts, facets, charts).

Columns of the narrow table are filtered directly; what only the wide tables hold (tags,
datasets, lineage, cards) through EXISTS on the same model id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, cast, exists, false, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY, TEXT
from sqlalchemy.sql.util import ClauseAdapter

from data.models import BaseModelRelation, DatasetRelation, Model, SearchRow
from data.query import SearchQuery
from data.search.text import card_condition, word_conditions

COLUMN_FILTERS = (  # (SearchQuery field, column): any of the values
    ("author", SearchRow.author),
    ("pipeline_tag", SearchRow.pipeline_tag),
    ("library", SearchRow.library_name),
    ("license", SearchRow.license),
    ("quant", SearchRow.quant),
)


def filters(query: SearchQuery) -> list[ColumnElement]:
    conditions = [*text_filters(query), *field_filters(query)]
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
    """The id words' and the card's: checked on each row, found by the trigram and card indexes."""
    return [*word_conditions(query.q), *([card_condition(query.card)] if query.card else [])]


def field_filters(query: SearchQuery) -> list[ColumnElement]:
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
    if query.base_model:
        conditions.append(_derivative_of(query.base_model, query.relation))
    if query.gated is not None:
        conditions.append(SearchRow.gated.isnot(None) if query.gated else SearchRow.gated.is_(None))
    if query.has_base_model is not None:
        conditions.append(SearchRow.has_base_model.is_(query.has_base_model))
    conditions += _created_between(query.created_from, query.created_to)
    if query.min_downloads is not None:
        conditions.append(SearchRow.downloads >= query.min_downloads)
    if query.min_likes is not None:
        conditions.append(SearchRow.likes >= query.min_likes)
    conditions += _params_between(query.min_params, query.max_params)
    return conditions


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


def _derivative_of(base_id: str, relations: Sequence[str]) -> ColumnElement:
    edge = exists().where(
        BaseModelRelation.model_id == SearchRow.id,
        func.lower(BaseModelRelation.base_model_id) == base_id.lower(),
    )
    if relations:
        edge = edge.where(BaseModelRelation.relation_type.in_(relations))
    return edge


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
