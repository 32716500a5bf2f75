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

# The deepest lineage walked: the closure's own bound (migration 0002) and the grammar's `depth`.
MAX_LINEAGE_DEPTH = 50

# Whether a lineage edge was declared by the model's author (typed tag, card data) or inferred.
Lineage = Literal["declared", "inferred"]
LINEAGES: tuple[Lineage, ...] = get_args(Lineage)

# Quantization formats, as `quant=` names them (detected from tags, library and id at ingestion,
# data/ingest/variants.py; ggml, mlc, openvino and quanto are formats the real Hub data shows too).
Quantization = Literal[
    "gguf", "gptq", "awq", "exl2", "bnb", "mlx", "hqq", "aqlm", "fp8", "onnx", "ggml", "mlc", "openvino", "quanto"
]
QUANTIZATIONS: tuple[Quantization, ...] = get_args(Quantization)

# Parameter counts: stored as integers, written with these suffixes (`7B`, `1.5B`, `350M`).
PARAMS_SUFFIXES = {"K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}
MAX_PARAMS = 10**15
# Where a parameter count comes from: the Hub's safetensors or GGUF metadata, or the model's id.
ParamsSource = Literal["declared", "inferred"]
PARAMS_SOURCES: tuple[ParamsSource, ...] = get_args(ParamsSource)
# Size buckets of the params facet, smallest first: (label, lower bound inclusive).
PARAMS_BUCKETS: tuple[tuple[str, int], ...] = (
    ("<1B", 0),
    ("1B-3B", 10**9),
    ("3B-10B", 3 * 10**9),
    ("10B-30B", 10**10),
    ("30B-100B", 3 * 10**10),
    (">=100B", 10**11),
)
