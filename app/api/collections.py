"""Collections: yours under /api/v1/me/collections (by session or API key); any public one, or
your own, at /api/v1/collections/{id} as JSON or CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Literal

from flask import Response, g
from pydantic import BaseModel, Field

from app.api import bp, database, envelope
from app.api.accounts import BODY_ERRORS, ID, SIGNED_IN_ERRORS
from app.api.catalog import csv_cell
from app.api.docs import documented, parse_body, parse_query
from app.api.payload import payload
from app.auth.identity import current_identity, requires
from data.accounts import collections
from data.accounts.collections import CollectionView

NOT_FOUND = [*SIGNED_IN_ERRORS, "COLLECTION_NOT_FOUND"]
CSV_COLUMNS = ("repo_id", "note", "added_at", "in_catalog", "pipeline_tag", "library_name", "downloads", "likes")


class NewCollection(BaseModel):
    name: str = Field(description="1–100 characters.")
    public: bool = Field(False, description="Readable by anyone at its URL.")


class CollectionChange(BaseModel):
    name: str | None = None
    public: bool | None = None


class ItemNote(BaseModel):
    note: str = Field("", description="At most 2,000 characters.")


class Summary(BaseModel):
    id: int
    name: str
    public: bool
    item_count: int
    created_at: datetime


class ReadFormat(BaseModel):
    format: Literal["json", "csv"] = "json"


def _user_id() -> int:
    user_id = current_identity().user_id
    assert user_id is not None  # @requires saw to it
    return user_id


@bp.get("/me/collections")
@documented(summary="Your collections", response=list[Summary], errors=SIGNED_IN_ERRORS, tags=["collections"])
@requires("analyst")
def my_collections():
    with database().session(read_only=True) as session:
        found = collections.list_collections(session, _user_id())
    return envelope(payload(found), count=len(found))


@bp.post("/me/collections")
@documented(
    summary="Make a collection",
    body=NewCollection,
    response=Summary,
    status=201,
    errors=[*BODY_ERRORS, *SIGNED_IN_ERRORS],
    tags=["collections"],
)
@requires("analyst")
def make_collection():
    body = parse_body(NewCollection)
    with database().session() as session:
        info = collections.create_collection(session, _user_id(), body.name, body.public)
        session.commit()
    return envelope(payload(info)), 201


@bp.patch(f"/me/collections/<{ID}:collection_id>")
@documented(
    summary="Rename a collection or make it public or private",
    body=CollectionChange,
    response=Summary,
    errors=[*BODY_ERRORS, *NOT_FOUND],
    tags=["collections"],
)
@requires("analyst")
def change_collection(collection_id: int):
    body = parse_body(CollectionChange)
    with database().session() as session:
        info = collections.change_collection(session, _user_id(), collection_id, name=body.name, public=body.public)
        session.commit()
    return envelope(payload(info))


@bp.delete(f"/me/collections/<{ID}:collection_id>")
@documented(summary="Delete a collection", response=Summary, errors=NOT_FOUND, tags=["collections"])
@requires("analyst")
def delete_collection(collection_id: int):
    with database().session() as session:
        info = collections.delete_collection(session, _user_id(), collection_id)
        session.commit()
    return envelope(payload(info))


@bp.put(f"/me/collections/<{ID}:collection_id>/models/<path:repo_id>")
@documented(
    summary="Add a model to a collection, or change its note",
    body=ItemNote,
    errors=[*BODY_ERRORS, *NOT_FOUND, "COLLECTION_MODEL_NOT_FOUND"],
    tags=["collections"],
)
@requires("analyst")
def put_item(collection_id: int, repo_id: str):
    body = parse_body(ItemNote)
    with database().session() as session:
        item = collections.put_item(session, _user_id(), collection_id, repo_id, body.note)
        session.commit()
    return envelope(payload(item))


@bp.delete(f"/me/collections/<{ID}:collection_id>/models/<path:repo_id>")
@documented(
    summary="Take a model out of a collection",
    errors=[*NOT_FOUND, "COLLECTION_MODEL_NOT_FOUND"],
    tags=["collections"],
)
@requires("analyst")
def remove_item(collection_id: int, repo_id: str):
    with database().session() as session:
        collections.remove_item(session, _user_id(), collection_id, repo_id)
        session.commit()
    return envelope({"id": repo_id, "removed": True})


@bp.get(f"/collections/<{ID}:collection_id>")
@documented(
    summary="A public collection (or one of yours): its models with their notes",
    params=ReadFormat,
    other_formats={"text/csv": "format=csv: a header row, then a row a model"},
    errors=["INVALID_PARAMETER", "COLLECTION_NOT_FOUND"],
    tags=["collections"],
)
def read_collection(collection_id: int):
    wanted = parse_query(ReadFormat)
    g.catalog_private = True  # made private later, it must not be served from a cache
    with database().session(read_only=True) as session:
        view = collections.read_collection(session, current_identity().user_id, collection_id)
    if wanted.format == "csv":
        return _csv(view)
    return envelope(payload(view.items), collection=payload(view.collection), owned=view.owned)


def _csv(view: CollectionView) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for item in view.items:
        model = item.model
        facts = (model.pipeline_tag, model.library_name, model.downloads, model.likes) if model else ("",) * 4
        writer.writerow(
            [csv_cell(value) for value in (item.repo_id, item.note, item.added_at, model is not None, *facts)]
        )
    response = Response(buffer.getvalue().encode(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="collection-{view.collection.id}.csv"'
    return response
