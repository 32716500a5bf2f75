"""Words for full-text search, the same for what is indexed and what is typed.

PostgreSQL's parser keeps `Qwen/Qwen2.5-7B-Instruct` or `qwen2.5` as single odd tokens, so
ids are split here instead: lower case, on every non-alphanumeric character, and again at
letter/digit boundaries ("qwen2" → "qwen2", "qwen", "2"). Prefix matching on the query side
then finds "qwen2.5-7b" in "Qwen/Qwen2.5-7B-Instruct".
"""

from __future__ import annotations

import re
from functools import lru_cache

_SEPARATORS = re.compile(r"[\W_]+")
_PARTS = re.compile(r"[^\W\d_]+|\d+")
MAX_WORD_LENGTH = 100  # a tsvector lexeme must stay under 2 KB
MAX_POSITION = 16383  # tsvector positions stop there


def words(text: str) -> list[str]:
    """Lower-case alphanumeric runs of `text`, in order."""
    return [word[:MAX_WORD_LENGTH] for word in _SEPARATORS.split(text.lower()) if word]


def search_words(text: str) -> list[str]:
    """The words of `text` plus their letter/digit parts, each once."""
    found = dict.fromkeys(words(text))
    for word in list(found):
        if not (word.isalpha() or word.isdigit()):
            found.update(dict.fromkeys(_PARTS.findall(word)))
    return list(found)


@lru_cache(maxsize=200_000)
def _tag_words(tag: str) -> tuple[str, ...]:
    return tuple(search_words(tag))  # the same few thousand tags recur on most models


def tag_words(tags: list[str]) -> list[str]:
    """Searchable words of a model's tags; lineage tags name other models, so they are left out."""
    return list(dict.fromkeys(
        word for tag in tags if not tag.startswith("base_model:") for word in _tag_words(tag)
    ))


def search_document(
    repo_id: str, author: str, task: str | None, library: str | None, tags: list[str]
) -> str:
    """A tsvector literal: id words weigh A, author B, task and library C, tags D.

    Words are alphanumeric only, so they need no quoting beyond the enclosing quotes.
    """
    weighted = (
        (search_words(repo_id), "A"),
        (search_words(author), "B"),
        (search_words(f"{task or ''} {library or ''}"), "C"),
        (tag_words(tags), ""),  # D is the default weight
    )
    entries, position = [], 0
    for found, weight in weighted:
        for word in found:
            position = min(position + 1, MAX_POSITION)
            entries.append(f"'{word}':{position}{weight}")
    return " ".join(entries)
