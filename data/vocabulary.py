"""The catalog's own words, shared by the read path and the write path.

Each vocabulary is one `Literal` (for types and pydantic) with its values in order from
`get_args` (for loops, SQL and messages). The Hub's words that classify its tags are
elsewhere: data/ingest/vocabulary.py.
"""

from __future__ import annotations

from typing import Literal, get_args

# How a derivative relates to its base model, in the order lists and charts show them.
RelationType = Literal["finetune", "adapter", "quantized", "merge"]
RELATION_TYPES: tuple[RelationType, ...] = get_args(RelationType)

# Bounds the schema's column types set, for the grammar and for ingestion alike.
MAX_LIKES = 2**31 - 1  # likes are 32-bit integers in staging and in the catalog
