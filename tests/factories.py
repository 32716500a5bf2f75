"""Rows written straight through the ORM, for tests that are not about ingestion."""

from __future__ import annotations

from data.db import Database
from data.models import Model


def add_models(db: Database, *repo_ids: str, **fields) -> None:
    with db.session() as session:
        for rank, repo_id in enumerate(repo_ids):
            author, _, name = repo_id.partition("/")
            values = {"downloads": 1000 * (len(repo_ids) - rank), "likes": rank} | fields
            session.add(Model(repo_id=repo_id, author=author, name=name, **values))
        session.commit()
