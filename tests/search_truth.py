"""The search specification in plain Python, for tests to hold the catalog against.

Written from the specification (issue #10), not from the code under test: ids and typed words
are lower-cased with every one of `-_./` and space mapped to one separator, and a model matches
when every word is a substring of its id. Rankings are plain sorts; equal sort values may come
in any order, so comparisons are by value (see `assert_top`).
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

SEPARATORS = re.compile(r"[-_./ ]")


def normalise(text: str) -> str:
    return SEPARATORS.sub("-", text.lower())


def id_matches(repo_id: str, q: str) -> bool:
    """Every whitespace-separated word of `q` occurs in the id (separators interchangeable)."""
    words = q.split()
    return bool(words) and all(normalise(word) in normalise(repo_id) for word in words)


def tier(repo_id: str, q: str) -> int:
    """Relevance tier of a matching id: 3 equal, 2 name starts with, 1 contains as typed, 0 words."""
    typed, whole = normalise(" ".join(q.split())), normalise(repo_id)
    if whole == typed:
        return 3
    if normalise(repo_id.split("/", 1)[-1]).startswith(typed):
        return 2
    return 1 if typed in whole else 0


@dataclass(frozen=True)
class RawModel:
    repo_id: str
    downloads: int
    likes: int
    created_at: str | None
    pipeline_tag: str | None
    library_name: str | None


def raw_pages(files: Iterable[Path]) -> dict[str, RawModel]:
    """The models of Hub `/api/models` pages (gzipped JSON arrays), by id."""
    found = {}
    for path in files:
        for record in json.loads(gzip.decompress(path.read_bytes())):
            found[record["id"]] = RawModel(
                record["id"],
                record.get("downloads") or 0,
                record.get("likes") or 0,
                record.get("createdAt"),
                record.get("pipeline_tag"),
                record.get("library_name"),
            )
    return found


def truth(models: dict[str, RawModel], q: str) -> set[str]:
    return {repo_id for repo_id in models if id_matches(repo_id, q)}


def assert_top(
    found: list[str],
    matches: set[str],
    value: Callable[[str], object],
    *,
    descending: bool = True,
    context: object = None,
) -> None:
    """`found` is the first len(found) of `matches` ranked by `value`, ties in any order.

    Holds exactly when every found id matches, none repeats, and the sequence of their values
    equals the sequence of the best values (for the expected length: all matches up to the
    page size the caller asked for).
    """
    strangers = [repo_id for repo_id in found if repo_id not in matches]
    assert not strangers, (context, "not a match", strangers[:5])
    assert len(set(found)) == len(found), (context, "repeated", found)
    best = sorted((value(repo_id) for repo_id in matches), reverse=descending)[: len(found)]
    got = [value(repo_id) for repo_id in found]
    assert got == best, (context, "values differ", list(zip(found, got, best, strict=False)))  # best may be shorter


def assert_page_is_top(
    found: list[str],
    matches: set[str],
    value: Callable[[str], object],
    size: int,
    *,
    descending: bool = True,
    context: object = None,
) -> None:
    """A first page of `size`: exactly min(size, matches) models, the best by `value`."""
    assert len(found) == min(size, len(matches)), (context, len(found), len(matches))
    assert_top(found, matches, value, descending=descending, context=context)


# Card text: what PostgreSQL's English full-text search must find, bounded from both sides.
FRONT_MATTER = re.compile(r"\A\s*---\n.*?\n---\s*\n", re.S)
HTML_TAG = re.compile(r"<[^>]*>")
NOT_PROSE = re.compile(r"\S*[/@\\._=:]\S*")  # urls, paths, hosts, file names: tokens of their own
SURE_WITHIN = 10_000  # characters of body text a match must fall in to count as certain


def card_body(card: str) -> str:
    """The card's prose: no YAML front matter, no HTML tags, no url- or path-like chunks."""
    body = FRONT_MATTER.sub("", card, count=1)[:SURE_WITHIN]
    return NOT_PROSE.sub(" ", HTML_TAG.sub(" ", body))


def surely_has(card: str, phrase: str) -> bool:
    """The words of `phrase`, adjacent and separated by single spaces, as whole words of the prose."""
    pattern = r"(?<![\w-])" + " +".join(re.escape(w) for w in phrase.split()) + r"(?![\w-])"
    return re.search(pattern, card_body(card), re.I) is not None


def possibly_has(card: str, stems: Iterable[str]) -> bool:
    """Every stem occurs somewhere in the card (English stems are prefixes of the words here)."""
    lowered = card.lower()
    return all(stem in lowered for stem in stems)


@dataclass(frozen=True)
class RawCard:
    repo_id: str
    card: str
    pipeline_tag: str | None
    library_name: str | None
    downloads: int | None


def raw_model_tree_cards(files: Iterable[Path]) -> list[RawCard]:
    """Cards of the model-tree files: {"models": [{"model_id", "card", "metadata": "<json>"}]}."""
    found = []
    for path in files:
        for record in json.loads(path.read_text())["models"]:
            if not record.get("card"):
                continue
            try:
                metadata = json.loads(record.get("metadata") or "")
            except ValueError:
                metadata = {}
            found.append(
                RawCard(
                    record["model_id"],
                    record["card"],
                    _stated(metadata.get("pipeline_tag")),
                    _stated(metadata.get("library_name")),
                    _count(metadata.get("downloads")),
                )
            )
    return found


def _stated(value) -> str | None:
    """The model-tree metadata writes Python's repr of everything: 'None' is no value."""
    return None if value in (None, "", "None") else str(value)


def _count(value) -> int | None:
    return int(value) if str(value).isdigit() else None


def raw_jsonl_cards(files: Iterable[Path]) -> list[RawCard]:
    """Cards of JSONL records carrying `card_text` (the trust-claims files)."""
    found = []
    for path in files:
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if record.get("card_text"):
                found.append(
                    RawCard(
                        record["id"],
                        record["card_text"],
                        _stated(record.get("pipeline_tag")),
                        _stated(record.get("library_name")),
                        _count(record.get("downloads")),
                    )
                )
    return found
