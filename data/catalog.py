"""Read queries over the catalog, shared by the API and the dashboard; results are dataclasses
(the API writes them as JSON in one place, app/api/payload.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, literal, select, text, union_all
from sqlalchemy.orm import Session, aliased

from data.licences import LicenceConflict, model_conflicts
from data.meta import is_synthetic
from data.models import BaseModelRelation, DatasetRelation, Model, ModelSibling, ModelTag, SearchRow
from data.quality import Part, breakdown


@dataclass(frozen=True)
class ModelSummary:
    repo_id: str
    author: str
    pipeline_tag: str | None
    library_name: str | None
    license: str | None
    downloads: int
    likes: int
    trending_score: float | None
    created_at: datetime | None
    last_modified: datetime | None
    gated: str | None
    has_base_model: bool
    derivative_count: int
    params: int | None = None  # parameter count; `params_source` says whether declared or inferred
    params_source: str | None = None
    quant: str | None = None  # quantization format (data/ingest/variants.py)
    quality: int | None = None  # the quality score, 0-100 (data/quality.py); None until computed
    snippet: str | None = None  # a highlighted excerpt of the card, for `card` searches
    variants: Variants | None = None  # with group=variants: the variants folded under this model
    trend: Trend | None = None  # on trending lists: the score they are ranked by


# What a trending list can be ranked by: a model's `trend.basis`, and the page's label of it.
TREND_BASES = {
    "hub": "the Hub's trending score",
    "growth": "downloads and likes gained over the last days, from the sync's history",
    "likes_per_day": "likes per day since creation, among the models created in the last "
    "30 days (no trending scores nor history yet)",
}
RECENT_DAYS = 30  # the window of likes_per_day, said in its label above


@dataclass(frozen=True)
class Trend:
    score: float
    basis: str  # a key of TREND_BASES


@dataclass(frozen=True)
class Variants:
    """A group's variants that match the search: how many, and the most downloaded ids."""

    count: int
    ids: list[str]


@dataclass(frozen=True)
class ModelFile:
    name: str
    size: int | None


@dataclass(frozen=True)
class BaseModelLink:
    """A base model of a model, as it declared it or as it was inferred."""

    id: str  # the Hub id; the catalog's spelling when the base is in the catalog
    relation_type: str
    declared: bool
    source: str  # where the relation was read: tag / card_data
    in_catalog: bool


@dataclass(frozen=True)
class ModelDetail:
    """Everything the catalog knows about one model."""

    repo_id: str
    author: str
    name: str
    pipeline_tag: str | None
    library_name: str | None
    license: str | None
    downloads: int
    downloads_all_time: int | None
    likes: int
    trending_score: float | None
    created_at: datetime | None
    last_modified: datetime | None
    gated: str | None
    private: bool | None
    sha: str | None
    card_data: Any
    has_base_model: bool
    derivative_count: int
    params: int | None
    params_source: str | None
    quant: str | None
    variant_of: str | None  # the id of the model this one is a variant of (group=variants)
    quality: int | None  # the quality score, 0-100; None until computed
    quality_breakdown: list[Part]  # its points per component, in data/quality.py's order
    tags: dict[str, list[str]]  # by tag type
    files: list[ModelFile]
    total_file_size: int | None  # the files' sizes, or the Hub's used storage when it lists none
    datasets: list[str]
    base_models: list[BaseModelLink]
    derivatives_by_relation: dict[str, int]
    licence_conflicts: list[LicenceConflict]  # with restricted ancestors, nearest first


@dataclass(frozen=True)
class AuthorProfile:
    """A row of the author_stats view and the author's most downloaded models."""

    author: str
    model_count: int
    total_downloads: int
    total_likes: int
    derived_model_count: int
    first_created_at: datetime | None
    last_created_at: datetime | None
    top_models: list[ModelSummary]


SUMMARY_COLUMNS = (
    Model.repo_id,
    Model.author,
    Model.pipeline_tag,
    Model.library_name,
    Model.license,
    Model.downloads,
    Model.likes,
    Model.trending_score,
    Model.created_at,
    Model.last_modified,
    Model.gated,
    Model.has_base_model,
    Model.derivative_count,
    Model.params,
    Model.params_source,
    Model.quant,
    Model.quality,
)


def summary_of(row: Any) -> ModelSummary:
    """A row of SUMMARY_COLUMNS as a summary."""
    return ModelSummary(*row)


def top_models(session: Session, limit: int = 20) -> list[ModelSummary]:
    rows = session.execute(select(*SUMMARY_COLUMNS).order_by(Model.downloads.desc(), Model.id.desc()).limit(limit))
    return [summary_of(row) for row in rows]


def holds_synthetic_sample(session: Session) -> bool:
    """Whether the catalog holds the generated demo sample rather than the Hub's models."""
    return is_synthetic(session)


def find_model(session: Session, repo_id: str) -> Model | None:
    """The model with this id, whatever its case (as on the Hub)."""
    if "\x00" in repo_id:  # PostgreSQL text cannot hold NUL: no model has it
        return None
    return session.scalars(select(Model).where(func.lower(Model.repo_id) == repo_id.lower())).first()


def model_detail(session: Session, repo_id: str) -> ModelDetail | None:
    model = find_model(session, repo_id)
    if model is None:
        return None
    key = [model.repo_id]
    files = files_of(session, key).get(model.repo_id.lower(), [])
    return ModelDetail(
        repo_id=model.repo_id,
        author=model.author,
        name=model.name,
        pipeline_tag=model.pipeline_tag,
        library_name=model.library_name,
        license=model.license,
        downloads=model.downloads,
        downloads_all_time=model.downloads_all_time,
        likes=model.likes,
        trending_score=model.trending_score,
        created_at=model.created_at,
        last_modified=model.last_modified,
        gated=model.gated,
        private=model.private,
        sha=model.sha,
        card_data=model.card_data,
        has_base_model=model.has_base_model,
        derivative_count=model.derivative_count,
        params=model.params,
        params_source=model.params_source,
        quant=model.quant,
        variant_of=session.scalar(select(Model.repo_id).where(Model.id == model.variant_of))
        if model.variant_of
        else None,
        quality=model.quality,
        quality_breakdown=breakdown(model.quality_parts),
        tags=tags_of(session, key).get(model.repo_id.lower(), {}),
        files=files,
        total_file_size=sum(f.size or 0 for f in files) if files else model.used_storage,
        datasets=datasets_of(session, key).get(model.repo_id.lower(), []),
        base_models=base_models_of(session, key).get(model.repo_id.lower(), []),
        derivatives_by_relation=dict(
            session.execute(
                select(BaseModelRelation.relation_type, func.count())
                .where(BaseModelRelation.base_model_ref == model.id)
                .group_by(BaseModelRelation.relation_type)
            ).all()
        ),
        licence_conflicts=model_conflicts(session, model.id),
    )


# --- by many ids at once: the model page reads one, GraphQL's loaders a page of them ----------
# Each takes Hub ids in any case and answers by lower-cased id, one statement whatever their number.


def _lowered(repo_ids: Iterable[str]) -> list[str]:
    return list({repo_id.lower() for repo_id in repo_ids if "\x00" not in repo_id})


def _of_models(statement, repo_ids: Iterable[str]):
    """`statement` (its first column the model's lower-cased id) joined to the models asked for."""
    return statement.where(func.lower(Model.repo_id).in_(_lowered(repo_ids)))


def summaries_of(session: Session, repo_ids: Iterable[str]) -> dict[str, ModelSummary]:
    rows = session.execute(_of_models(select(func.lower(Model.repo_id), *SUMMARY_COLUMNS), repo_ids))
    return {key: summary_of(rest) for key, *rest in rows}


def tags_of(session: Session, repo_ids: Iterable[str]) -> dict[str, dict[str, list[str]]]:
    """Each model's tags by tag type, sorted."""
    statement = select(func.lower(Model.repo_id), ModelTag.tag, ModelTag.tag_type).join(
        Model, Model.id == ModelTag.model_id
    )
    found: dict[str, dict[str, list[str]]] = {}
    for key, tag, kind in session.execute(_of_models(statement, repo_ids).order_by(ModelTag.tag)):
        found.setdefault(key, {}).setdefault(kind, []).append(tag)
    return found


def files_of(session: Session, repo_ids: Iterable[str]) -> dict[str, list[ModelFile]]:
    statement = select(func.lower(Model.repo_id), ModelSibling.rfilename, ModelSibling.size).join(
        Model, Model.id == ModelSibling.model_id
    )
    found: dict[str, list[ModelFile]] = {}
    for key, name, size in session.execute(_of_models(statement, repo_ids).order_by(ModelSibling.rfilename)):
        found.setdefault(key, []).append(ModelFile(name, size))
    return found


def datasets_of(session: Session, repo_ids: Iterable[str]) -> dict[str, list[str]]:
    statement = select(func.lower(Model.repo_id), DatasetRelation.dataset_id).join(
        Model, Model.id == DatasetRelation.model_id
    )
    found: dict[str, list[str]] = {}
    for key, dataset in session.execute(_of_models(statement, repo_ids).order_by(DatasetRelation.dataset_id)):
        found.setdefault(key, []).append(dataset)
    return found


def base_models_of(session: Session, repo_ids: Iterable[str]) -> dict[str, list[BaseModelLink]]:
    """Each model's base models as declared or inferred, by the base's id."""
    derivative, base = aliased(Model), aliased(Model)
    statement = (
        select(
            func.lower(derivative.repo_id),
            BaseModelRelation.base_model_id,
            base.repo_id,
            BaseModelRelation.relation_type,
            BaseModelRelation.declared,
            BaseModelRelation.source,
        )
        .join(derivative, derivative.id == BaseModelRelation.model_id)
        .outerjoin(base, base.id == BaseModelRelation.base_model_ref)
        .where(func.lower(derivative.repo_id).in_(_lowered(repo_ids)))
        .order_by(BaseModelRelation.base_model_id)
    )
    found: dict[str, list[BaseModelLink]] = {}
    for key, given, stored, kind, declared, source in session.execute(statement):
        link = BaseModelLink(
            id=stored or given, relation_type=kind, declared=declared, source=source, in_catalog=stored is not None
        )
        found.setdefault(key, []).append(link)
    return found


def trending(session: Session, limit: int, pipeline_tag: list[str]) -> list[ModelSummary]:
    """By the Hub's trending score; then models the Hub scores not, by our own (data/sync.py);
    in a catalog with neither (a snapshot, no sync yet), recent models by likes per day.

    Each ranking walks its own index and stops at `limit`, so none reads the whole catalog.
    """
    if not has_trend_scores(session):
        return _by_likes_per_day(session, limit, pipeline_tag)

    def ranked(group: int, score, condition):
        statement = select(*SUMMARY_COLUMNS, Model.id, literal(group).label("group"), score.label("score")).where(
            condition
        )
        if pipeline_tag:
            statement = statement.where(Model.pipeline_tag.in_(pipeline_tag))
        order = (score.desc(), Model.downloads.desc(), Model.id.desc())
        return statement.order_by(*order).limit(limit)

    by_hub = ranked(0, Model.trending_score, Model.trending_score > 0)
    by_us = ranked(1, Model.computed_trending, Model.trending_score.is_(None) & (Model.computed_trending > 0))
    both = union_all(by_hub, by_us).subquery()
    columns = [both.c[column.key] for column in SUMMARY_COLUMNS]
    order = (both.c.group, both.c.score.desc(), both.c.downloads.desc(), both.c.id.desc())
    rows = session.execute(select(*columns, both.c.group, both.c.score).order_by(*order).limit(limit))
    return [_trending(row, ("hub", "growth")[row.group]) for row in rows]


def has_trend_scores(session: Session) -> bool:
    """Whether any model has the Hub's trending score or ours (two index probes)."""
    hub = select(Model.id).where(Model.trending_score > 0).limit(1)
    ours = select(Model.id).where(Model.computed_trending > 0).limit(1)
    return session.scalar(select(hub.exists() | ours.exists())) or False


def recent_window(session: Session) -> tuple[datetime, datetime] | None:
    """The RECENT_DAYS up to the newest creation date (never past now): a snapshot's "recent"
    is its own last month, not the reader's. Read from model_search, whose index has the order."""
    newest = session.scalar(
        select(SearchRow.created_at)
        .where(SearchRow.created_at.isnot(None))
        .order_by(SearchRow.created_at.desc().nulls_last(), SearchRow.id.desc())
        .limit(1)
    )
    if newest is None:
        return None
    end = min(newest, datetime.now(UTC))
    return end - timedelta(days=RECENT_DAYS), end


def _by_likes_per_day(session: Session, limit: int, pipeline_tag: list[str]) -> list[ModelSummary]:
    """The window's models ranked over model_search (an index range of created_at), then the
    `limit` best joined to their summaries."""
    window = recent_window(session)
    if window is None:
        return []
    start, end = window
    days = func.greatest(func.extract("epoch", literal(end) - SearchRow.created_at) / 86400.0, 1.0)
    score, pace = (SearchRow.likes / days).label("score"), (SearchRow.downloads / days).label("pace")
    ranked = select(SearchRow.id, score, pace).where(SearchRow.created_at.between(start, end))
    if pipeline_tag:
        ranked = ranked.where(SearchRow.pipeline_tag.in_(pipeline_tag))
    best = ranked.order_by(score.desc(), pace.desc(), SearchRow.id.desc()).limit(limit).subquery()
    rows = session.execute(
        select(*SUMMARY_COLUMNS, best.c.score)
        .join(best, best.c.id == Model.id)
        .order_by(best.c.score.desc(), best.c.pace.desc(), best.c.id.desc())
    )
    return [_trending(row, "likes_per_day") for row in rows]


def _trending(row: Any, basis: str) -> ModelSummary:
    return replace(summary_of(row[: len(SUMMARY_COLUMNS)]), trend=Trend(float(row.score), basis))


def author_profile(session: Session, author: str, top: int = 10) -> AuthorProfile | None:
    row = (
        session.execute(
            text(
                "SELECT author, model_count, total_downloads, total_likes, derived_model_count, "
                "first_created_at, last_created_at FROM author_stats WHERE lower(author) = lower(:author)"
            ),
            {"author": author},
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    models = session.execute(
        select(*SUMMARY_COLUMNS)
        .where(Model.author == row["author"])
        .order_by(Model.downloads.desc(), Model.id.desc())
        .limit(top)
    )
    return AuthorProfile(**row, top_models=[summary_of(m) for m in models])
