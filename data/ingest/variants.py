"""Size, quantization and variant name of a model, read from its record (the one rule of each).

Ingestion calls these for every record (data/ingest/mapping.py), and migration 0015 calls
them to backfill the rows stored before it; nothing else decides them.

- **Quantization** (`quant_of`): the first format of QUANT_RULES that the model's tags, its
  library or a word of its name shows. The order settles models showing two (a GGUF repo
  whose config also names bitsandbytes is `gguf`): the file formats first, then the methods,
  then bitsandbytes, whose Hub tags (`4-bit`, `8-bit`) and bare `4bit`/`8bit` name words are
  the least specific sign.
- **Parameters from the name** (`params_from_name`): the first size (billions before millions:
  `Infinity-Instruct-3M-0613-Llama3-70B` is 70B, 3M are its examples) written in the name as a
  number with `M` or `B` standing alone between separators (`7b`, `1.5B`, `350M`, `70b`),
  not after a letter (`A2.7B` is a mixture's active size, `q4` a GGUF level) nor before one
  (`4bit`). `NxM` sizes of mixtures of experts (`8x7B`) count N×M: an upper bound, since the
  experts share their attention layers (Mixtral 8x7B has 46.7B, not 56B). `1_8B` is 1.8B
  unless the word before is a versioned family (`llama_2_7b`, `LLAMA-3_8B`: version 2, 7B).
  No `K` nor `T`: they are context lengths (`4k`) and token counts (`3T`) in names.
- **Variant name** (`variant_base`): the id with quantization and format suffixes stripped
  from the end of its name (`-GGUF`, `-AWQ`, `-4bit`, `-Q4_K_M`, `-4.0bpw-h6-exl2`, `-fp16`,
  ...), lower-cased: the same author's model of that id, if there is one, is the one this
  is a variant of. None when nothing was stripped.
- **Variant of** (`models.variant_of`, VARIANT_HEADS_SQL): a *variant* is a model with a
  quantization, a stripped name or a lineage edge of relation `quantized`
  (`model_is_variant`, migration 0015). It folds under its *head*: its quantized base when
  that is in the catalog and no variant itself, else the same author's model named by its
  `variant_base` if that is no variant. Heads are never variants, so groups are one level
  deep and every model is in exactly one group (its own or its head's). A variant without a
  head (TheBloke's GGUF of a base not in the catalog) heads its own group.
"""

from __future__ import annotations

import re

from data.vocabulary import PARAMS_SUFFIXES

# (format, tags, libraries, name words): a model shows a format by any of the three.
QUANT_RULES: tuple[tuple[str, frozenset[str], frozenset[str], re.Pattern[str]], ...] = tuple(
    (name, frozenset(tags.split()), frozenset(libraries.split()), re.compile(words))
    for name, tags, libraries, words in (
        ("gguf", "gguf gguf-my-repo", "gguf llama.cpp", r"gguf|imatrix|i?q[1-8]_(?:k(?:_[sml]|_xl)?|[01]|xxs|xs|nl)"),
        ("ggml", "ggml", "ggml", r"ggml"),
        ("exl2", "exl2 exl3", "exllamav2", r"exl2|exl3|exllamav2|\d+(?:\.\d+)?bpw"),
        ("gptq", "gptq", "auto-gptq gptqmodel", r"gptq|marlin"),
        ("awq", "awq", "autoawq", r"awq"),
        ("aqlm", "aqlm", "aqlm", r"aqlm"),
        ("hqq", "hqq", "hqq", r"hqq"),
        ("quanto", "quanto optimum-quanto", "quanto", r"quanto"),
        ("mlx", "mlx", "mlx mlx-lm", r"mlx"),
        ("mlc", "mlc-llm", "mlc-llm", r"mlc|q[0-9]f(?:16|32)_[0-9]"),
        ("openvino", "openvino", "openvino", r"openvino|ov"),
        ("onnx", "onnx", "onnx", r"onnx"),
        ("fp8", "fp8", "", r"fp8|f8"),
        ("bnb", "bitsandbytes 4-bit 8-bit", "bitsandbytes", r"bnb|nf4|[48]bits?"),
    )
)
NAME_WORD = re.compile(r"[-_.]+")

SIZE = re.compile(
    r"(?<![a-z0-9.])(?:(?P<experts>\d{1,3})x)?(?P<whole>\d+)(?:(?P<dot>[._])(?P<part>\d+))?(?P<unit>[mb])(?![a-z0-9])"
)
VERSIONED_FAMILIES = ("llama", "gemma", "mistral", "phi", "falcon")  # `llama_2_7b`: version, size
MAX_NAME_PARAMS = 10**13  # no name says more than 10T; a bigger number is not a size

# Suffixes naming a quantization or a storage format, stripped from the end of a name.
SUFFIX = re.compile(
    r"[-_.](?:gguf|ggml|gptq|awq|exl2|exl3|mlx|onnx|openvino|ov|hqq|aqlm|quanto|bnb|nf4|fp8|fp16|bf16|f16|fp32|"
    r"int4|int8|w4a16|w8a8|[1-8](?:\.\d+)?bpw|h[68]|\d+[-_]?bits?|q[0-9]f(?:16|32)_[0-9]|mlc|i?q[1-8]_k(?:_[sml])?|"
    r"i?q[1-8]_[01]|iq[1-4]_(?:xxs|xs|s|m|nl)|imatrix|i1|gemm|gemv|marlin|quantized|smashed|\d+g|act[-_]?order)$",
    re.IGNORECASE,
)


def quant_of(name: str, tags: list[str], library: str | None) -> str | None:
    """The quantization format a model shows, or None."""
    tag_set = {tag.lower() for tag in tags}
    words = [word for word in NAME_WORD.split(name.lower()) if word]
    library = (library or "").lower()
    for format_name, format_tags, libraries, pattern in QUANT_RULES:
        if tag_set & format_tags or library in libraries or any(pattern.fullmatch(word) for word in words):
            return format_name
    return None


def params_from_name(name: str) -> int | None:
    """The parameter count a model's name states (see the module's rule), or None."""
    lowered = name.lower()
    billions_first = sorted(SIZE.finditer(lowered), key=lambda found: found["unit"] != "b")  # `3M-…-70B`: 70B
    for found in billions_first:
        whole, part, unit = found["whole"], found["part"], found["unit"]
        if part is not None and found["dot"] == "_" and _after_family(lowered, found.start()):
            whole, part = part, None  # `llama_2_7b`: version 2, size 7b
        number = float(f"{whole}.{part}") if part is not None else float(whole)
        count = round(number * int(found["experts"] or 1) * PARAMS_SUFFIXES[unit.upper()])
        if 0 < count <= MAX_NAME_PARAMS:
            return count
    return None


def _after_family(name: str, start: int) -> bool:
    before = NAME_WORD.split(name[:start].rstrip("-_."))
    return bool(before) and before[-1] in VERSIONED_FAMILIES


def variant_base(repo_id: str) -> str | None:
    """The lower-case id this model is a variant of by name, or None (nothing to strip)."""
    author, slash, name = repo_id.rpartition("/")
    stripped = name
    while True:
        shorter = SUFFIX.sub("", stripped)
        if shorter == stripped or not shorter:
            break
        stripped = shorter
    if stripped == name:
        return None
    return f"{author}{slash}{stripped}".lower()


# Recomputes `models.variant_of` of the model ids in table {candidates}; ingestion runs it per
# batch, migration 0015 once over every variant.
VARIANT_HEADS_SQL = """
UPDATE models m SET variant_of = found.head
FROM (
    SELECT v.id, CASE WHEN model_is_variant(v) THEN coalesce(
        (SELECT r.base_model_ref FROM base_model_relations r JOIN models b ON b.id = r.base_model_ref
          WHERE r.model_id = v.id AND r.relation_type = 'quantized' AND b.id <> v.id AND NOT model_is_variant(b)
          ORDER BY b.downloads DESC, b.id LIMIT 1),
        (SELECT h.id FROM models h
          WHERE lower(h.repo_id) = v.variant_base AND h.id <> v.id AND NOT model_is_variant(h))
    ) END AS head
    FROM models v JOIN {candidates} c ON c.id = v.id
) found
WHERE m.id = found.id AND m.variant_of IS DISTINCT FROM found.head
"""
