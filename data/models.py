"""The catalog's tables. The schema itself is created by Alembic migrations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    Text,
    column,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from data.vocabulary import PARAMS_SOURCES, QUANTIZATIONS, RELATION_TYPES

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TAG_TYPES = (
    "license",
    "language",
    "dataset",
    "arxiv",
    "region",
    "library",
    "base_model",
    "other",
)

ModelRef = Annotated[int, mapped_column(Integer, ForeignKey("models.id", ondelete="CASCADE"), primary_key=True)]
Timestamp = Annotated[datetime, mapped_column(DateTime(timezone=True))]


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Model(Base):
    """One Hub repository of type model. `id` is a surrogate key; `repo_id` is the Hub's id."""

    __tablename__ = "models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    repo_id: Mapped[str] = mapped_column(Text)  # unique regardless of case, as on the Hub
    author: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    pipeline_tag: Mapped[str | None] = mapped_column(Text)
    library_name: Mapped[str | None] = mapped_column(Text)
    license: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    downloads: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    downloads_all_time: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    trending_score: Mapped[float | None] = mapped_column(Double)
    # Our own score from model_history where the Hub gives none (data/sync.py, migration 0007).
    computed_trending: Mapped[float | None] = mapped_column(Double)
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_modified: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    gated: Mapped[str | None] = mapped_column(Text)  # NULL/'auto'/'manual'; NULL = not gated
    private: Mapped[bool] = mapped_column(server_default=text("false"))
    disabled: Mapped[bool] = mapped_column(server_default=text("false"))
    sha: Mapped[str | None] = mapped_column(Text)
    card_data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    used_storage: Mapped[int | None] = mapped_column(BigInteger)
    has_base_model: Mapped[bool] = mapped_column(server_default=text("false"))
    derivative_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # A digest of the source record: re-ingesting an unchanged record is a no-op.
    record_hash: Mapped[str | None] = mapped_column(Text)
    # Size, quantization and variant grouping (migration 0015, data/ingest/variants.py).
    params: Mapped[int | None] = mapped_column(BigInteger)
    params_source: Mapped[str | None] = mapped_column(Text)
    quant: Mapped[str | None] = mapped_column(Text)
    variant_base: Mapped[str | None] = mapped_column(Text)
    variant_of: Mapped[int | None] = mapped_column(Integer, ForeignKey("models.id", ondelete="SET NULL"))
    # The quality score, 0-100 (NULL until computed), and its points per component (data/quality.py).
    quality: Mapped[int | None] = mapped_column(SmallInteger)
    quality_parts: Mapped[dict[str, int] | None] = mapped_column(JSONB)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))

    __table_args__ = (
        CheckConstraint("downloads >= 0", name="downloads_non_negative"),
        CheckConstraint("likes >= 0", name="likes_non_negative"),
        CheckConstraint(_in("quant", QUANTIZATIONS), name="quant_known"),
        CheckConstraint(_in("params_source", PARAMS_SOURCES), name="params_source_known"),
        CheckConstraint("quality BETWEEN 0 AND 100", name="quality_in_range"),
        Index("ix_models_variant_base", "variant_base", postgresql_where=text("variant_base IS NOT NULL")),
        Index("ix_models_variant_of", "variant_of", postgresql_where=text("variant_of IS NOT NULL")),
        Index("ix_models_downloads", text("downloads DESC"), text("id DESC")),
        Index("ix_models_trending", text("trending_score DESC NULLS LAST"), text("id DESC")),
        Index(
            "ix_models_computed_trending",
            text("computed_trending DESC"),
            text("id DESC"),
            postgresql_where=text("computed_trending IS NOT NULL"),
        ),
        Index("uq_models_repo_id_lower", text("lower(repo_id)"), unique=True),
        Index("ix_models_author", "author"),
        Index("ix_models_pipeline_tag", "pipeline_tag"),
        # A larger pending list makes GIN upkeep far cheaper for batched upserts.
        Index("ix_models_tags", "tags", postgresql_using="gin", postgresql_with={"gin_pending_list_limit": 16384}),
    )


class SearchRow(Base):
    """What search filters and sorts on, one narrow row per model (migration 0009).

    Kept current by statement triggers on `models`. `key` is the id as search compares it
    (`search_key`: lower case, `-_./ ` all `-`), `name_key` the same of the name alone.
    """

    __tablename__ = "model_search"

    id: Mapped[int] = mapped_column(Integer, ForeignKey("models.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(Text)
    name_key: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(Text)
    pipeline_tag: Mapped[str | None] = mapped_column(Text)
    library_name: Mapped[str | None] = mapped_column(Text)
    license: Mapped[str | None] = mapped_column(Text)
    downloads: Mapped[int] = mapped_column(BigInteger)
    likes: Mapped[int] = mapped_column(Integer)
    trending_score: Mapped[float | None] = mapped_column(Double)
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_modified: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    gated: Mapped[str | None] = mapped_column(Text)
    has_base_model: Mapped[bool]
    # A model card (README text or card data) is known; kept by triggers of migration 0012.
    has_card: Mapped[bool] = mapped_column(server_default=text("false"))
    params: Mapped[int | None] = mapped_column(BigInteger)
    quant: Mapped[str | None] = mapped_column(Text)
    variant_of: Mapped[int | None] = mapped_column(Integer)  # the group's head (models.variant_of)
    quality: Mapped[int | None] = mapped_column(SmallInteger)  # models.quality (migration 0020)

    __table_args__ = (
        Index("ix_model_search_key", "key", postgresql_using="gin", postgresql_ops={"key": "gin_trgm_ops"}),
        Index("ix_model_search_key_equal", "key"),
        Index("ix_model_search_name_key", "name_key", postgresql_ops={"name_key": "text_pattern_ops"}),
        Index("ix_model_search_downloads", text("downloads DESC"), text("id DESC")),
        Index("ix_model_search_likes", text("likes DESC"), text("id DESC")),
        Index("ix_model_search_trending", text("trending_score DESC NULLS LAST"), text("id DESC")),
        Index("ix_model_search_created_at", text("created_at DESC NULLS LAST"), text("id DESC")),
        Index("ix_model_search_last_modified", text("last_modified DESC NULLS LAST"), text("id DESC")),
        Index("ix_model_search_task", "pipeline_tag", text("downloads DESC"), text("id DESC")),
        Index("ix_model_search_library", "library_name", text("downloads DESC"), text("id DESC")),
        Index("ix_model_search_task_likes", "pipeline_tag", text("likes DESC"), text("id DESC")),
        Index("ix_model_search_library_likes", "library_name", text("likes DESC"), text("id DESC")),
        Index("ix_model_search_author", "author", text("downloads DESC"), text("id DESC")),
        Index("ix_model_search_license", "license"),
        Index("ix_model_search_has_card", "has_card", text("downloads DESC"), text("id DESC")),
        # sort=params both ways, missing counts last either way.
        Index("ix_model_search_params", text("params DESC NULLS LAST"), text("id DESC")),
        Index("ix_model_search_params_up", text("params ASC NULLS LAST"), text("id ASC")),
        Index(
            "ix_model_search_quant",
            "quant",
            text("downloads DESC"),
            text("id DESC"),
            postgresql_where=text("quant IS NOT NULL"),
        ),
        Index("ix_model_search_variant_of", "variant_of", postgresql_where=text("variant_of IS NOT NULL")),
        Index("ix_model_search_quality", text("quality DESC NULLS LAST"), text("id DESC")),
    )


class ModelCard(Base):
    """A model card's text (its README) and the English tsvector that `card=` searches."""

    __tablename__ = "model_cards"

    id: Mapped[int] = mapped_column(Integer, ForeignKey("models.id", ondelete="CASCADE"), primary_key=True)
    card: Mapped[str] = mapped_column(Text)
    vector: Mapped[str] = mapped_column(TSVECTOR, Computed("to_tsvector('english'::regconfig, card)", persisted=True))

    __table_args__ = (Index("ix_model_cards_vector", "vector", postgresql_using="gin"),)


class ModelTag(Base):
    __tablename__ = "model_tags"

    model_id: Mapped[ModelRef]
    tag: Mapped[str] = mapped_column(Text, primary_key=True)
    tag_type: Mapped[str] = mapped_column(Text)

    # models.tags (GIN) answers "which models have tag X"; arXiv tags have their own small index
    # (migration 0012): the ids of a paper's models without reading the wide rows.
    __table_args__ = (
        CheckConstraint(_in("tag_type", TAG_TYPES), name="tag_type_known"),
        Index("ix_model_tags_arxiv", "tag", "model_id", postgresql_where=text("tag_type = 'arxiv'")),
    )


class ModelSibling(Base):
    """A file in the model's repository."""

    __tablename__ = "model_siblings"

    model_id: Mapped[ModelRef]
    rfilename: Mapped[str] = mapped_column(Text, primary_key=True)
    size: Mapped[int | None] = mapped_column(BigInteger)
    blob_id: Mapped[str | None] = mapped_column(Text)


class BaseModelRelation(Base):
    """An edge base → derivative. The base is a Hub id that may not be in the catalog."""

    __tablename__ = "base_model_relations"

    model_id: Mapped[ModelRef]
    base_model_id: Mapped[str] = mapped_column(Text, primary_key=True)
    # models.id of the base when it is in the catalog (kept current by ingestion).
    base_model_ref: Mapped[int | None] = mapped_column(Integer, ForeignKey("models.id", ondelete="SET NULL"))
    relation_type: Mapped[str] = mapped_column(Text)
    declared: Mapped[bool]
    source: Mapped[str] = mapped_column(Text)  # typed_tag / card_data / untyped_tag

    __table_args__ = (
        CheckConstraint(_in("relation_type", RELATION_TYPES), name="relation_type_known"),
        CheckConstraint(_in("source", ("typed_tag", "card_data", "untyped_tag")), name="source_known"),
        Index("ix_base_model_relations_base_model_id", "base_model_id"),
        Index("ix_base_model_relations_base_model_ref", "base_model_ref"),
        # Edges whose base is not (yet) in the catalog, found again when it arrives.
        Index(
            "ix_base_model_relations_unresolved",
            text("lower(base_model_id)"),
            postgresql_where=text("base_model_ref IS NULL"),
        ),
    )


class LicenceRulePair(Base):
    """The licence rule table expanded (data/licences.py writes it from data/licence_rules.toml;
    migration 0014): a derivative licensed `derivative_licence` ('' for none) under an ancestor
    licensed `base_licence` breaks `rule`."""

    __tablename__ = "licence_rule_pairs"

    base_licence: Mapped[str] = mapped_column(Text, primary_key=True)
    derivative_licence: Mapped[str] = mapped_column(Text, primary_key=True)
    rule: Mapped[str] = mapped_column(Text)


class DatasetRelation(Base):
    __tablename__ = "dataset_relations"

    model_id: Mapped[ModelRef]
    dataset_id: Mapped[str] = mapped_column(Text, primary_key=True)
    source: Mapped[str] = mapped_column(Text)  # tag / card_data

    __table_args__ = (Index("ix_dataset_relations_dataset_id", "dataset_id"),)


class CatalogMeta(Base):
    """Small facts about the catalog itself: ingestion high-water marks, demo-data flag."""

    __tablename__ = "catalog_meta"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[Any] = mapped_column(JSONB)
    updated_at: Mapped[Timestamp] = mapped_column(server_default=text("now()"))


class ModelHistory(Base):
    """Downloads and likes of a model as a sync saw them; a row only when they changed."""

    __tablename__ = "model_history"

    model_id: Mapped[ModelRef]
    observed_at: Mapped[Timestamp] = mapped_column(primary_key=True)
    downloads: Mapped[int] = mapped_column(BigInteger)
    likes: Mapped[int] = mapped_column(Integer)

    # Rows arrive in time order: a BRIN index finds the recent ones at almost no cost.
    __table_args__ = (Index("ix_model_history_observed_at", "observed_at", postgresql_using="brin"),)


# Materialized views (migrations 0002, 0011): queried, never written, so outside the ORM's
# metadata (Alembic's comparison leaves them alone).
lineage_closure = table(
    "lineage_closure",
    column("ancestor", Integer),
    column("descendant", Integer),
    column("depth", SmallInteger),
    column("relation_type", Text),
    column("declared", Boolean),
    column("downloads", BigInteger),
)
lineage_counts = table(
    "lineage_counts",
    column("ancestor", Integer),
    column("relation_type", Text),
    column("depth", SmallInteger),
    column("declared", Boolean),
    column("pipeline_tag", Text),
    column("library_name", Text),
    column("descendants", Integer),
)
