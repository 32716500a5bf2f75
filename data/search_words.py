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
# Tags on nearly every model (or naming other models) find nothing and bloat the index.
UNSEARCHABLE_TAGS = frozenset(
    {"endpoints_compatible", "autotrain_compatible", "text-generation-inference", "has_space"}
)
UNSEARCHABLE_PREFIXES = ("base_model:", "region:")
VALUE_ONLY_PREFIXES = frozenset({"license", "dataset", "arxiv", "doi"})  # "license:mit" → "mit"


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


def searchable_tags(tags: list[str]) -> list[str]:
    """The text of the tags worth searching: prefixes like "license:" dropped, noise left out."""
    found = []
    for tag in tags:
        if tag in UNSEARCHABLE_TAGS or tag.startswith(UNSEARCHABLE_PREFIXES):
            continue
        prefix, colon, value = tag.partition(":")
        found.append(value if colon and prefix in VALUE_ONLY_PREFIXES else tag)
    return found


def tag_words(tags: list[str]) -> list[str]:
    """Searchable words of a model's tags."""
    return list(dict.fromkeys(word for tag in searchable_tags(tags) for word in search_words(tag)))


def search_document(
    repo_id: str, author: str, task: str | None, library: str | None, tags: list[str]
) -> str:
    """A tsvector literal: id words weigh A, author B, task and library C, tags D.

    Words are alphanumeric only, so they need no quoting beyond the enclosing quotes. Each
    weight class shares one position: nothing here searches phrases, and shared positions
    let the fragments of recurring authors and tags be cached.
    """
    fragments = [
        _fragment(search_words(repo_id), "1A"),
        _cached_fragment(author, "2B"),
        _cached_fragment(f"{task or ''} {library or ''}", "3C"),
        *(_cached_fragment(tag, "4") for tag in searchable_tags(tags)),
    ]
    return " ".join(fragment for fragment in fragments if fragment)


def _fragment(found: list[str], position: str) -> str:
    return " ".join(f"'{word}':{position}" for word in found)


@lru_cache(maxsize=200_000)
def _cached_fragment(text: str, position: str) -> str:
    return _fragment(search_words(text), position)  # the same authors and tags recur a lot
