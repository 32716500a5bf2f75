"""What every resolver of one GraphQL request shares: one read-only session and the request's
loaders, which gather the ids a list of models asks for and read each kind in one statement."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session
from strawberry.dataloader import DataLoader

from data import catalog
from data.db import Database

Batch = Callable[[Session, Iterable[str]], Mapping[str, Any]]


@dataclass
class Context:
    db: Database
    _session: Session | None = None
    _open: ExitStack = field(default_factory=ExitStack)
    _loaders: dict[str, DataLoader] = field(default_factory=dict)

    @property
    def session(self) -> Session:
        """Opened at the first read: a query refused by the limits never touches the database."""
        if self._session is None:
            self._session = self._open.enter_context(self.db.session(read_only=True))
        return self._session

    def close(self) -> None:
        self._open.close()
        self._session = None

    def loader(self, batch: Batch, missing: Any = None) -> DataLoader:
        """The request's loader of `batch` (a `data.catalog` function of many ids), keyed by
        lower-cased id; an id the batch does not answer loads as `missing`."""
        name = batch.__name__
        if name not in self._loaders:

            async def load(keys: list[str]) -> list[Any]:
                found = batch(self.session, keys)
                return [found.get(key.lower(), missing) for key in keys]

            self._loaders[name] = DataLoader(load_fn=load, cache_key_fn=str.lower)
        return self._loaders[name]

    async def summary(self, repo_id: str) -> catalog.ModelSummary | None:
        return await self.loader(catalog.summaries_of).load(repo_id.lower())

    async def detail(self, repo_id: str) -> catalog.ModelDetail | None:
        return await self.loader(details_of).load(repo_id.lower())


def details_of(session: Session, repo_ids: Iterable[str]) -> dict[str, catalog.ModelDetail]:
    """The whole detail, one model at a time (as GET /api/v1/models/{id}): only the fields that
    no lighter read gives (the quality breakdown, card data) ask for it."""
    found = {repo_id: catalog.model_detail(session, repo_id) for repo_id in repo_ids}
    return {repo_id: detail for repo_id, detail in found.items() if detail is not None}
