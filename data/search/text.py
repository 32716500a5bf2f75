"""How `q` matches ids, and how `card` matches model cards.

`q` is split on whitespace into words; a model matches when every word occurs in its id,
case-insensitively, where `-`, `_`, `.`, `/` and space are interchangeable: both the id and
the words are compared as keys (lower case, each of those separators written `-`), the
id's key being `model_search.key` (the SQL function `search_key` of migration 0009).

With relevance order, id matches come in tiers, each by downloads: the id equal to the
text, the name starting with it, the id containing it as typed, the id holding all its words.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, not_

from data.models import ModelCard, SearchRow

SEPARATORS = "-_./ "
KEY_SEPARATOR = "-"
_TO_KEY = str.maketrans({character: KEY_SEPARATOR for character in SEPARATORS})
CARD_LANGUAGE = "english"
SNIPPET_START, SNIPPET_STOP = "\x02", "\x03"  # ingestion strips these from cards (mapping)
SNIPPET_OPTIONS = f"StartSel={SNIPPET_START}, StopSel={SNIPPET_STOP}, MaxWords=30, MinWords=12, MaxFragments=0"
SNIPPET_SOURCE_CHARS = 30_000  # headlines come from the card's start: ts_headline parses all it is given
TRIGRAM = 3  # words shorter than this cannot use the trigram index


def key(text: str) -> str:
    """`text` as ids are compared: lower case, separators all `-` (as SQL `search_key`)."""
    return text.lower().translate(_TO_KEY)


def id_words(q: str | None) -> list[str]:
    """The keys of the words of `q`, each once, in order."""
    return list(dict.fromkeys(key(word) for word in (q or "").split()))


def text_key(q: str | None) -> str:
    """The whole text as one key: words joined by a separator, as typed."""
    return KEY_SEPARATOR.join(key(word) for word in (q or "").split())


def contains(word_key: str) -> ColumnElement:
    return SearchRow.key.like(f"%{_escaped(word_key)}%", escape="\\")


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def word_conditions(q: str | None) -> list[ColumnElement]:
    """One condition per word (the estimates weigh each on its own)."""
    return [contains(word) for word in id_words(q)]


def indexable(q: str | None) -> bool:
    """Whether the trigram index can find the matches: some word is long enough (the
    others are then checked on the rows it finds); without words, other indexes serve."""
    words = id_words(q)
    return not words or any(len(word) >= TRIGRAM for word in words)


@dataclass(frozen=True)
class Tier:
    rank: int
    conditions: list[ColumnElement]  # in place of the words' conditions, which they imply


def tiers(q: str) -> list[Tier]:
    """Relevance tiers, most relevant first, each exclusive of those before it."""
    whole, words = text_key(q), id_words(q)
    equal = SearchRow.key == whole
    starts = SearchRow.name_key.like(f"{_escaped(whole)}%", escape="\\")
    has_whole = contains(whole)
    found = [
        Tier(3, [equal]),  # the id is the text
        Tier(2, [starts, not_(equal)]),  # the name starts with it
        Tier(1, [has_whole, not_(starts), not_(equal)]),  # the id contains it as typed
    ]
    if words != [whole]:  # one word: containing it is containing the text
        found.append(Tier(0, [*word_conditions(q), not_(has_whole)]))  # the id has all its words
    return found


def tier_of(q: str) -> ColumnElement:
    """The tier of a row as an expression (for cursors), 0 when none of the above holds."""
    return case(*((and_(*tier.conditions), literal(tier.rank)) for tier in tiers(q) if tier.rank), else_=literal(0))


def card_query(card: str):
    return func.websearch_to_tsquery(CARD_LANGUAGE, card)


def card_condition(card: str) -> ColumnElement:
    matches = ModelCard.vector.op("@@")(card_query(card))
    return exists().where(ModelCard.id == SearchRow.id, matches).correlate(SearchRow)


def describe_match(q: str | None, card: str | None, sort: str) -> str:
    """How the text was matched, in a sentence (the API's meta and the page say it)."""
    parts = []
    words = id_words(q)
    if words:
        listed = " and ".join(f"“{word}”" for word in words)
        parts.append(f"ids containing {listed} (case and the separators - _ . / ignored)")
    if card:
        parts.append(f"model cards matching “{card}” (English full text)")
    if not parts:
        return "every model"
    if sort != "relevance":
        order = f"sorted by {sort}"
    elif card:
        order = "ranked by card relevance, then downloads"
    else:
        order = (
            "ranked: id equal to the text, name starting with it, id containing it as typed, "
            "then the rest; each by downloads"
        )
    return "; ".join(parts) + f"; {order}"
