"""Collections: a user's named lists of models, a note per model, private or public (anyone
may read a public one at its URL; a private one is its owner's alone, and no one else learns
that it exists)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.accounts.tables import Collection, CollectionItem
from data.accounts.users import AccountError
from data.catalog import SUMMARY_COLUMNS, ModelSummary, find_model, summary_of
from data.models import Model

MAX_NAME_LENGTH = 100
MAX_NOTE_LENGTH = 2_000
MAX_COLLECTIONS_PER_USER = 100
MAX_ITEMS = 1_000


@dataclass(frozen=True)
class CollectionInfo:
    id: int
    name: str
    public: bool
    item_count: int
    created_at: datetime


@dataclass(frozen=True)
class Item:
    repo_id: str
    note: str
    added_at: datetime
    model: ModelSummary | None  # None: no longer in the catalog


@dataclass(frozen=True)
class CollectionView:
    collection: CollectionInfo
    items: list[Item]  # in the order they were added
    owned: bool  # whether the reader owns it


def check_name(name: object) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > MAX_NAME_LENGTH or "\x00" in name:
        raise AccountError("INVALID_FIELD", "name", f"a name of 1 to {MAX_NAME_LENGTH} characters")
    return name


def check_note(note: object) -> str:
    if not isinstance(note, str) or len(note) > MAX_NOTE_LENGTH or "\x00" in note:
        raise AccountError("INVALID_FIELD", "note", f"a note of at most {MAX_NOTE_LENGTH} characters")
    return note.strip()


def create_collection(session: Session, user_id: int, name: str, public: bool = False) -> CollectionInfo:
    name = check_name(name)
    kept = session.scalar(select(func.count()).where(Collection.user_id == user_id)) or 0
    if kept >= MAX_COLLECTIONS_PER_USER:
        raise AccountError("INVALID_FIELD", "name", f"at most {MAX_COLLECTIONS_PER_USER} collections: delete one first")
    row = Collection(user_id=user_id, name=name, public=public)
    session.add(row)
    session.flush()
    return _info(session, row)


def list_collections(session: Session, user_id: int) -> list[CollectionInfo]:
    rows = session.scalars(select(Collection).where(Collection.user_id == user_id).order_by(Collection.id))
    return [_info(session, row) for row in rows]


def change_collection(
    session: Session, user_id: int, collection_id: int, *, name: str | None = None, public: bool | None = None
) -> CollectionInfo:
    row = _own(session, user_id, collection_id)
    if name is not None:
        row.name = check_name(name)
    if public is not None:
        row.public = public
    session.flush()
    return _info(session, row)


def delete_collection(session: Session, user_id: int, collection_id: int) -> CollectionInfo:
    row = _own(session, user_id, collection_id)
    info = _info(session, row)
    session.delete(row)
    session.flush()
    return info


def put_item(session: Session, user_id: int, collection_id: int, repo_id: str, note: str = "") -> Item:
    """Add a model of the catalog (by its id, any case), or change its note."""
    row, note = _own(session, user_id, collection_id), check_note(note)
    model = find_model(session, repo_id)
    if model is None:
        raise AccountError("COLLECTION_MODEL_NOT_FOUND", "repo_id", f"no model {repo_id!r} in the catalog")
    item = session.get(CollectionItem, (row.id, model.repo_id))
    if item is None:
        if _count(session, row.id) >= MAX_ITEMS:
            raise AccountError("INVALID_FIELD", "repo_id", f"at most {MAX_ITEMS} models a collection")
        item = CollectionItem(collection_id=row.id, repo_id=model.repo_id)
        session.add(item)
    item.note = note
    session.flush()
    session.refresh(item)
    return Item(item.repo_id, item.note, item.added_at, _summaries(session, [item.repo_id]).get(item.repo_id))


def remove_item(session: Session, user_id: int, collection_id: int, repo_id: str) -> None:
    row = _own(session, user_id, collection_id)
    found = session.scalars(
        select(CollectionItem).where(
            CollectionItem.collection_id == row.id, func.lower(CollectionItem.repo_id) == repo_id.lower()
        )
    ).first()
    if found is None:
        raise AccountError("COLLECTION_MODEL_NOT_FOUND", "repo_id", f"{repo_id!r} is not in this collection")
    session.delete(found)
    session.flush()


def read_collection(session: Session, reader_id: int | None, collection_id: int) -> CollectionView:
    """A public collection, or the reader's own; else not found (a private one stays unknown)."""
    row = session.get(Collection, collection_id)
    owned = row is not None and reader_id is not None and row.user_id == reader_id
    if row is None or not (row.public or owned):
        raise AccountError("COLLECTION_NOT_FOUND", "id", f"no collection {collection_id} you may read")
    items = session.scalars(
        select(CollectionItem).where(CollectionItem.collection_id == row.id).order_by(CollectionItem.added_at)
    ).all()
    models = _summaries(session, [item.repo_id for item in items])
    listed = [Item(i.repo_id, i.note, i.added_at, models.get(i.repo_id)) for i in items]
    return CollectionView(_info(session, row), listed, owned)


def _summaries(session: Session, repo_ids: list[str]) -> dict[str, ModelSummary]:
    if not repo_ids:
        return {}
    rows = session.execute(select(*SUMMARY_COLUMNS).where(Model.repo_id.in_(repo_ids)))
    return {summary.repo_id: summary for summary in map(summary_of, rows)}


def _own(session: Session, user_id: int, collection_id: int) -> Collection:
    row = session.get(Collection, collection_id)
    if row is None or row.user_id != user_id:
        raise AccountError("COLLECTION_NOT_FOUND", "id", f"you have no collection {collection_id}")
    return row


def _count(session: Session, collection_id: int) -> int:
    return session.scalar(select(func.count()).where(CollectionItem.collection_id == collection_id)) or 0


def _info(session: Session, row: Collection) -> CollectionInfo:
    return CollectionInfo(row.id, row.name, row.public, _count(session, row.id), row.created_at)
