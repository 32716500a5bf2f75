"""What a record lists: its tags in the Hub's order, its cardData, a GGUF repository's files."""

from __future__ import annotations

from .attributes import Attrs
from .kinds import RELATIONS
from .vocabulary import GGUF_LEVELS

_GGUF_FILES = 3  # quantization levels (consecutive in GGUF_LEVELS) a GGUF repository holds,
_GGUF_LOWEST_LEVELS = 4  # the lowest of them one of the first four
# cardData: present on a derivative, on a root; then each field's chance of being there.
_P_CARD_DERIVED, _P_CARD_ROOT = 0.8, 0.5
_P_CARD_LICENSE = 0.9
_P_CARD_LANGUAGE = 0.85
_P_CARD_LIBRARY = 0.5
_P_CARD_PIPELINE = 0.3
_P_CARD_TAGS = 0.6
_P_CARD_BASE_MODEL = 0.75
_P_CARD_BASE_AS_STRING = 0.9  # one parent is written as a string (else a one-item list)
_P_CARD_RELATION = 0.35  # base_model_relation beside base_model


def record_tags(attrs: Attrs, parents, typed: str | None, datasets, arxivs) -> list[str]:
    """Tags in the Hub's order: the head (library, arch, task, flavour, languages), datasets,
    papers, lineage (untyped, then typed when `typed` is the "base_model:{relation}:" prefix),
    then the tail (license, serving, quantization, region, chat)."""
    tags = list(attrs.head)
    if datasets:
        tags += ["dataset:" + d for d in datasets]
    if arxivs:
        tags += ["arxiv:" + a for a in arxivs]
    if parents:
        tags += ["base_model:" + p for p in parents]
        if typed:
            tags += [typed + p for p in parents]
    tags += attrs.tail
    return tags


def card_data(r, kind: int, attrs: Attrs, parents, datasets) -> dict | None:
    """The record's cardData, or None for a record without one."""
    if r() >= (_P_CARD_DERIVED if parents else _P_CARD_ROOT):
        return None
    card: dict = {}
    if attrs.license and r() < _P_CARD_LICENSE:
        card["license"] = attrs.license
        if attrs.license == "other":
            card["license_name"] = "other"
    if attrs.languages and r() < _P_CARD_LANGUAGE:
        card["language"] = list(attrs.languages)
    if datasets:
        card["datasets"] = list(datasets)
    if attrs.library and r() < _P_CARD_LIBRARY:
        card["library_name"] = attrs.library
    if attrs.pipeline and r() < _P_CARD_PIPELINE:
        card["pipeline_tag"] = attrs.pipeline
    if attrs.kind_tags and r() < _P_CARD_TAGS:
        card["tags"] = list(attrs.kind_tags)
    if parents and r() < _P_CARD_BASE_MODEL:
        single = len(parents) == 1 and r() < _P_CARD_BASE_AS_STRING
        card["base_model"] = parents[0] if single else list(parents)
        if r() < _P_CARD_RELATION:
            card["base_model_relation"] = RELATIONS[kind] or "finetune"
    return card


def gguf_siblings(r, name: str) -> list[dict[str, str]]:
    """GGUF repositories name their files after the model, one per quantization level."""
    start = int(r() * _GGUF_LOWEST_LEVELS)
    files = (
        ".gitattributes",
        "README.md",
        *(f"{name}.{level}.gguf" for level in GGUF_LEVELS[start : start + _GGUF_FILES]),
    )
    return [{"rfilename": f} for f in files]
