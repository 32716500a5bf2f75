"""Initial schema: models, tags, files, lineage, datasets, catalog facts, author_stats.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 11:00:21.259936
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

AUTHOR_STATS = (
    """
    CREATE MATERIALIZED VIEW author_stats AS
    SELECT author,
           count(*) AS model_count,
           coalesce(sum(downloads), 0)::bigint AS total_downloads,
           coalesce(sum(likes), 0)::bigint AS total_likes,
           count(*) FILTER (WHERE has_base_model) AS derived_model_count,
           min(created_at) AS first_created_at,
           max(created_at) AS last_created_at
    FROM models
    GROUP BY author
    """,
    # The unique index lets the view refresh CONCURRENTLY (reads are not blocked).
    "CREATE UNIQUE INDEX ux_author_stats_author ON author_stats (author)",
    "CREATE INDEX ix_author_stats_total_downloads ON author_stats (total_downloads DESC)",
)


def upgrade() -> None:
    op.create_table(
        "catalog_meta",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_catalog_meta")),
    )
    op.create_table(
        "models",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("repo_id", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("pipeline_tag", sa.Text(), nullable=True),
        sa.Column("library_name", sa.Text(), nullable=True),
        sa.Column("license", sa.Text(), nullable=True),
        sa.Column("tags", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("downloads", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("downloads_all_time", sa.BigInteger(), nullable=True),
        sa.Column("likes", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("trending_score", sa.Double(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column("gated", sa.Text(), nullable=True),
        sa.Column("private", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("disabled", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("sha", sa.Text(), nullable=True),
        sa.Column("card_data", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("used_storage", sa.BigInteger(), nullable=True),
        sa.Column("has_base_model", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("derivative_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("record_hash", sa.Text(), nullable=True),
        sa.Column("search_document", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed("CAST(search_document AS tsvector)", persisted=True),
            nullable=False,
        ),
        sa.CheckConstraint("downloads >= 0", name=op.f("ck_models_downloads_non_negative")),
        sa.CheckConstraint("likes >= 0", name=op.f("ck_models_likes_non_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_models")),
    )
    op.create_index("ix_models_author", "models", ["author"], unique=False)
    op.create_index(
        "ix_models_created_at",
        "models",
        [sa.literal_column("created_at DESC NULLS LAST"), sa.literal_column("id DESC")],
        unique=False,
    )
    op.create_index(
        "ix_models_downloads",
        "models",
        [sa.literal_column("downloads DESC"), sa.literal_column("id DESC")],
        unique=False,
    )
    op.create_index(
        "ix_models_last_modified",
        "models",
        [sa.literal_column("last_modified DESC NULLS LAST"), sa.literal_column("id DESC")],
        unique=False,
    )
    op.create_index("ix_models_library_name", "models", ["library_name"], unique=False)
    op.create_index(
        "ix_models_likes", "models", [sa.literal_column("likes DESC"), sa.literal_column("id DESC")], unique=False
    )
    op.create_index("ix_models_pipeline_tag", "models", ["pipeline_tag"], unique=False)
    op.create_index(
        "ix_models_search_vector",
        "models",
        ["search_vector"],
        unique=False,
        postgresql_using="gin",
        postgresql_with={"gin_pending_list_limit": 16384},
    )
    op.create_index(
        "ix_models_tags",
        "models",
        ["tags"],
        unique=False,
        postgresql_using="gin",
        postgresql_with={"gin_pending_list_limit": 16384},
    )
    op.create_index(
        "ix_models_trending",
        "models",
        [sa.literal_column("trending_score DESC NULLS LAST"), sa.literal_column("id DESC")],
        unique=False,
    )
    op.create_index("uq_models_repo_id_lower", "models", [sa.literal_column("lower(repo_id)")], unique=True)
    op.create_table(
        "base_model_relations",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("base_model_id", sa.Text(), nullable=False),
        sa.Column("base_model_ref", sa.Integer(), nullable=True),
        sa.Column("relation_type", sa.Text(), nullable=False),
        sa.Column("declared", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "relation_type IN ('finetune', 'adapter', 'quantized', 'merge')",
            name=op.f("ck_base_model_relations_relation_type_known"),
        ),
        sa.CheckConstraint(
            "source IN ('typed_tag', 'card_data', 'untyped_tag')", name=op.f("ck_base_model_relations_source_known")
        ),
        sa.ForeignKeyConstraint(
            ["base_model_ref"],
            ["models.id"],
            name=op.f("fk_base_model_relations_base_model_ref_models"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_base_model_relations_model_id_models"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("model_id", "base_model_id", name=op.f("pk_base_model_relations")),
    )
    op.create_index("ix_base_model_relations_base_model_id", "base_model_relations", ["base_model_id"], unique=False)
    op.create_index("ix_base_model_relations_base_model_ref", "base_model_relations", ["base_model_ref"], unique=False)
    op.create_index(
        "ix_base_model_relations_unresolved",
        "base_model_relations",
        [sa.literal_column("lower(base_model_id)")],
        unique=False,
        postgresql_where=sa.text("base_model_ref IS NULL"),
    )
    op.create_table(
        "dataset_relations",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_dataset_relations_model_id_models"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("model_id", "dataset_id", name=op.f("pk_dataset_relations")),
    )
    op.create_index("ix_dataset_relations_dataset_id", "dataset_relations", ["dataset_id"], unique=False)
    op.create_table(
        "model_siblings",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("rfilename", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("blob_id", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_model_siblings_model_id_models"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("model_id", "rfilename", name=op.f("pk_model_siblings")),
    )
    op.create_table(
        "model_tags",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.Text(), nullable=False),
        sa.Column("tag_type", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "tag_type IN ('license', 'language', 'dataset', 'arxiv', 'region', 'library', 'base_model', 'other')",
            name=op.f("ck_model_tags_tag_type_known"),
        ),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_model_tags_model_id_models"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("model_id", "tag", name=op.f("pk_model_tags")),
    )
    # Staging tables for ingestion: UNLOGGED, their rows are transient.
    op.create_table(
        "stage_datasets",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("repo_id", sa.Text(), nullable=True),
        sa.Column("dataset_id", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        prefixes=["UNLOGGED"],
    )
    op.create_index("ix_stage_datasets_batch_id", "stage_datasets", ["batch_id"], unique=False)
    op.create_table(
        "stage_models",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("repo_id", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("pipeline_tag", sa.Text(), nullable=True),
        sa.Column("library_name", sa.Text(), nullable=True),
        sa.Column("license", sa.Text(), nullable=True),
        sa.Column("tags", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("downloads", sa.BigInteger(), nullable=True),
        sa.Column("downloads_all_time", sa.BigInteger(), nullable=True),
        sa.Column("likes", sa.Integer(), nullable=True),
        sa.Column("trending_score", sa.Double(), nullable=True),
        sa.Column("created_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("last_modified", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("gated", sa.Text(), nullable=True),
        sa.Column("private", sa.Boolean(), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=True),
        sa.Column("sha", sa.Text(), nullable=True),
        sa.Column("card_data", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("used_storage", sa.BigInteger(), nullable=True),
        sa.Column("has_base_model", sa.Boolean(), nullable=True),
        sa.Column("record_hash", sa.Text(), nullable=True),
        sa.Column("search_document", sa.Text(), nullable=True),
        sa.Column("has_siblings", sa.Boolean(), nullable=True),
        sa.Column("tag_set", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("tag_kinds", postgresql.ARRAY(sa.Text()), nullable=True),
        prefixes=["UNLOGGED"],
    )
    op.create_index("ix_stage_models_batch_id", "stage_models", ["batch_id"], unique=False)
    op.create_table(
        "stage_relations",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("repo_id", sa.Text(), nullable=True),
        sa.Column("base_model_id", sa.Text(), nullable=True),
        sa.Column("relation_type", sa.Text(), nullable=True),
        sa.Column("declared", sa.Boolean(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        prefixes=["UNLOGGED"],
    )
    op.create_index("ix_stage_relations_batch_id", "stage_relations", ["batch_id"], unique=False)
    op.create_table(
        "stage_siblings",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("repo_id", sa.Text(), nullable=True),
        sa.Column("rfilename", sa.Text(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("blob_id", sa.Text(), nullable=True),
        prefixes=["UNLOGGED"],
    )
    op.create_index("ix_stage_siblings_batch_id", "stage_siblings", ["batch_id"], unique=False)
    for statement in AUTHOR_STATS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP MATERIALIZED VIEW author_stats")
    op.drop_index("ix_stage_siblings_batch_id", table_name="stage_siblings")
    op.drop_table("stage_siblings")
    op.drop_index("ix_stage_relations_batch_id", table_name="stage_relations")
    op.drop_table("stage_relations")
    op.drop_index("ix_stage_models_batch_id", table_name="stage_models")
    op.drop_table("stage_models")
    op.drop_index("ix_stage_datasets_batch_id", table_name="stage_datasets")
    op.drop_table("stage_datasets")
    op.drop_table("model_tags")
    op.drop_table("model_siblings")
    op.drop_index("ix_dataset_relations_dataset_id", table_name="dataset_relations")
    op.drop_table("dataset_relations")
    op.drop_index(
        "ix_base_model_relations_unresolved",
        table_name="base_model_relations",
        postgresql_where=sa.text("base_model_ref IS NULL"),
    )
    op.drop_index("ix_base_model_relations_base_model_ref", table_name="base_model_relations")
    op.drop_index("ix_base_model_relations_base_model_id", table_name="base_model_relations")
    op.drop_table("base_model_relations")
    op.drop_index("uq_models_repo_id_lower", table_name="models")
    op.drop_index("ix_models_trending", table_name="models")
    op.drop_index("ix_models_tags", table_name="models", postgresql_using="gin")
    op.drop_index("ix_models_search_vector", table_name="models", postgresql_using="gin")
    op.drop_index("ix_models_pipeline_tag", table_name="models")
    op.drop_index("ix_models_likes", table_name="models")
    op.drop_index("ix_models_library_name", table_name="models")
    op.drop_index("ix_models_last_modified", table_name="models")
    op.drop_index("ix_models_downloads", table_name="models")
    op.drop_index("ix_models_created_at", table_name="models")
    op.drop_index("ix_models_author", table_name="models")
    op.drop_table("models")
    op.drop_table("catalog_meta")
