"""Reading the Hub API's own JSON from files, and writing the catalog back out as JSONL.

Accepted: arrays of `/api/models` items and single `/api/models/{id}` objects (`.json`),
model-tree crawl files (`{"models": [...]}`, data/ingest/model_trees.py),
one record per line (`.jsonl`), either gzipped (`.gz`), zips of such files, and folders.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.ingest.model_trees import is_model_tree, model_tree_records
from data.ingest.pipeline import Skip
from data.models import Model, ModelSibling

READABLE_SUFFIXES = (".json", ".jsonl", ".json.gz", ".jsonl.gz", ".zip")


class FileSource:
    """The records of `paths`, in order; tracks how many files are done (for progress)."""

    def __init__(self, paths: list[Path]):
        self.files = [f for p in paths for f in _expand(Path(p))]
        self.done = 0

    @property
    def total(self) -> int:
        return len(self.files)

    def __iter__(self) -> Iterator[dict | Skip]:
        for path in self.files:
            try:
                yield from _read_file(path)
            except OSError as error:
                yield Skip(str(path), f"unreadable file: {error}")
            self.done += 1


def _natural_key(path: Path) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(path))]


def _expand(path: Path) -> list[Path]:
    if path.is_dir():
        found = [p for p in path.rglob("*") if p.is_file() and p.name.endswith(READABLE_SUFFIXES)]
        return sorted(found, key=_natural_key)
    return [path]


def _read_file(path: Path) -> Iterator[dict | Skip]:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            for name in sorted(archive.namelist(), key=lambda n: _natural_key(Path(n))):
                if name.endswith(READABLE_SUFFIXES) and not name.endswith(".zip"):
                    yield from _read_bytes(f"{path}!{name}", name, archive.read(name))
        return
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as stream:
        if path.name.removesuffix(".gz").endswith(".jsonl"):
            yield from _read_lines(str(path), stream)
        else:
            yield from _read_bytes(str(path), path.name, stream.read())


def _read_bytes(where: str, name: str, data: bytes) -> Iterator[dict | Skip]:
    if name.removesuffix(".gz").endswith(".jsonl"):
        yield from _read_lines(where, io.BytesIO(data))
        return
    try:
        document = _loads(data)
    except orjson.JSONDecodeError as error:
        yield Skip(where, f"invalid JSON: {error}")
        return
    if isinstance(document, list):
        yield from document
    elif is_model_tree(document):
        yield from model_tree_records(where, document)
    elif isinstance(document, dict):
        yield document
    else:
        yield Skip(where, "invalid JSON: expected an array of models or one model object")


def _read_lines(where: str, stream) -> Iterator[dict | Skip]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            yield _loads(line)
        except orjson.JSONDecodeError as error:
            yield Skip(f"{where}:{number}", f"invalid JSON: {error}")


def _loads(data: bytes):
    """orjson; when it refuses, the lenient standard parser, as the Hub's clients read pages.

    NaN and lone surrogates then reach the mapping, which skips just their record with the
    reason, instead of a whole file of records going as invalid JSON.
    """
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as strict:
        try:
            return json.loads(data)
        except (ValueError, RecursionError):
            raise strict from None


def export_jsonl(session: Session, path: Path) -> int:
    """Write every model as one API-shaped JSON line (gzipped when `path` ends in .gz)."""
    files = (
        select(
            func.json_agg(
                func.json_build_object(
                    "rfilename", ModelSibling.rfilename, "size", ModelSibling.size, "blobId", ModelSibling.blob_id
                )
            )
        )
        .where(ModelSibling.model_id == Model.id)
        .scalar_subquery()
    )
    rows = session.execute(select(Model, files).order_by(Model.id).execution_options(yield_per=2000))
    opener = gzip.open if path.suffix == ".gz" else open
    count = 0
    with opener(path, "wb") as out:
        for model, siblings in rows:
            out.write(orjson.dumps(api_record(model, siblings)) + b"\n")
            count += 1
    return count


def api_record(model: Model, siblings: list[dict] | None) -> dict:
    """The model in the Hub API's JSON shape (what `map_record` reads back)."""
    record = {
        "id": model.repo_id,
        "modelId": model.repo_id,
        "author": model.author,
        "sha": model.sha,
        "pipeline_tag": model.pipeline_tag,
        "library_name": model.library_name,
        "tags": model.tags,
        "downloads": model.downloads,
        "downloadsAllTime": model.downloads_all_time,
        "likes": model.likes,
        "trendingScore": model.trending_score,
        "createdAt": _iso(model.created_at),
        "lastModified": _iso(model.last_modified),
        "gated": model.gated or False,
        "private": model.private,
        "disabled": model.disabled,
        "cardData": model.card_data,
        "usedStorage": model.used_storage,
        "siblings": siblings,
    }
    return {key: value for key, value in record.items() if value is not None}


def _iso(moment) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None
