"""Alembic environment: online migrations only, with timeouts so a deploy never hangs."""

from alembic import context
from sqlalchemy import create_engine, pool, text

from data.accounts import tables as account_tables  # noqa: F401  (their tables belong to the schema too)
from data.ingest import staging  # noqa: F401  (its tables belong to the schema too)
from data.models import Base

config = context.config
target_metadata = Base.metadata


# Managed by hand: a materialized view, and the similarity's tables, which a rebuild replaces
# whole (data/similar/store.py; migration 0021), the vector one only where pgvector exists.
BY_HAND = {"author_stats", "similar_vectors", "similar_neighbours", "similar_vectors_next", "similar_neighbours_next"}


def include_name(name, type_, parent_names):
    # Not even reflected: SQLAlchemy knows no `vector` type, and would warn of it.
    return not (type_ == "table" and name in BY_HAND and name not in target_metadata.tables)


def include_object(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and reflected and compare_to is None and name in BY_HAND)


def run_migrations_online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        connection.execute(text("SET lock_timeout = '10s'"))
        connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_name=include_name,
            include_object=include_object,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
