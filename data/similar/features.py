"""The words a model is made of for the similarity: its id's words, tags, task, library, card.

Fields share one vocabulary with a prefix each (`tag:`, `task:`, `lib:`) so that a tag never
counts as an id word; the card's words are a vocabulary of their own (data.similar.train)."""

from __future__ import annotations

import re

# An id splits at its separators and where letters meet digits after a separator-free run:
# `Qwen2.5-7B-Instruct` -> qwen2, 5, 7b, instruct. Size words (`7b`) stay whole, as the Hub writes them.
ID_WORD = re.compile(r"[a-z0-9]+")
CARD_WORD = re.compile(r"[a-z][a-z0-9]{2,24}")
CARD_CHARS = 4_000  # the card's start says what the model is; the rest (tables, code) mostly noise


def id_words(repo_id: str) -> list[str]:
    """The id's words, lower case: `TheBloke/Llama-2-7B-GGUF` -> thebloke llama 2 7b gguf."""
    return ID_WORD.findall(repo_id.lower())


def metadata_document(repo_id: str, tags: list[str] | None, task: str | None, library: str | None) -> str:
    """One space-separated string of tokens (the vectorizer splits on spaces)."""
    tokens = id_words(repo_id)
    tokens += ["tag:" + tag.lower().replace(" ", "_") for tag in tags or ()]
    if task:
        tokens.append("task:" + task)
    if library:
        tokens.append("lib:" + library)
    return " ".join(tokens)


def card_document(card: str | None) -> str:
    """The card's words (its first CARD_CHARS characters), or '' when it has none."""
    return " ".join(CARD_WORD.findall(card[:CARD_CHARS].lower())) if card else ""
