"""Synthetic Hugging Face Hub model records, shaped like the Hub's model list API.

`generate(n, seed)` streams `n` dicts shaped like the items of
`GET /api/models?full=true&cardData=true`: `_id`, `id`, `author`, `gated`, `lastModified`,
`likes`, `trendingScore`, `private`, `disabled`, `sha`, `downloads`, `tags`, `pipeline_tag`
(sometimes absent), `library_name` (sometimes absent), `createdAt`, `modelId`, `siblings` and
sometimes `cardData`. The same (n, seed) always yields the same sequence.

Memory stays bounded for n in the millions: a record's id is a pure function of
(seed, index) (`model_id`), so a child can name a parent it never stored; the lineage state
is a few fixed-size pools per model family, and the name tables and attribute variants have
fixed sizes too (about 20 MB all told). Only standard library.

Distributions (approximate, large n):

- authors: Zipf-Mandelbrot (rank k has weight 1/(k+3)^1.05) over 3,000 names: syllable-built
  users plus well-known accounts: quantizers (mradermacher, bartowski, TheBloke, unsloth...)
  near the top, mergers (mlabonne, allknowingroger...), organisations (meta-llama, Qwen,
  mistralai, google, microsoft...) further down. Each author draws names from the table of
  its profile (quantizers publish "-GGUF"/"-AWQ"..., mergers "-slerp"/"-dare-ties"...,
  organisations official-looking names) without repeats, so ids are unique by construction
  (an author's later laps through its table append "-v2", "-2", "-run2"...).
- lineage: ~41% of models name a base model. Of those, finetune ~45%, quantized ~35%,
  adapter ~13%, merge ~7% (merges name 2-4 parents). 48 fixed foundation models
  (meta-llama/Llama-3.1-8B, Qwen/Qwen2.5-7B, mistralai/Mistral-7B-v0.1, google-bert/...)
  head families, some through intermediate foundations (Instruct models, distills).
  Qwen/Qwen2.5-7B and meta-llama/Llama-3.1-8B each have ~30-35% of all derivatives as
  descendants and Qwen/Qwen2.5-7B-Instruct ~27%: three bases with 100,000+ descendants per
  million models. Most derivatives name the foundation itself, the rest a recent family
  member; mergekit-style chains of 12-40 links grow up to MAX_DEPTH (40) deep.
  Lineage is written as typed tags `base_model:{relation}:PARENT` plus the untyped twin
  `base_model:PARENT` for models created from 2024-10, as untyped tags only before, and on
  ~60% also as `cardData.base_model` (a string, or a list for merges; sometimes with
  `base_model_relation`).
- oddities, one of each per 1,000 indexes: a self-loop (a model naming itself as base), a
  cycle of 2-4 models each naming the next, and a derivative whose base is never generated.
  Children precede their parents when they name a foundation placed later in the stream, an
  ordinary root a few hundred records ahead, or the next member of a cycle.
- pipeline_tag: ~47% text-generation, then text-classification, reinforcement-learning,
  text-to-image, automatic-speech-recognition, image-text-to-text, image-classification,
  feature-extraction, sentence-similarity, ...; absent on ~13%.
- library_name: transformers (~64%), then peft, gguf, mlx, diffusers, sentence-transformers,
  stable-baselines3, onnx, timm, ...; absent on ~11%.
- downloads: 40% zero, the rest log-logistic (P(X > x) ~ (5/x)^0.8) capped at 150M: a few
  in the tens of millions; likes: ~78% zero, heavy tail; trendingScore: ~94% zero.
- createdAt: 2020-01-01 ... 2026-10-31, roots growing exponentially (more models in later
  years); a derivative is created after its parents; lastModified >= createdAt.
- gated: False ~97%, else "auto" or "manual"; private and disabled always False;
  cardData on ~62%.
"""

from __future__ import annotations

import math
import random
import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

__all__ = ["MAX_DEPTH", "generate", "model_id"]

MAX_DEPTH = 40

_M64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_START = 1577836800  # 2020-01-01T00:00:00Z
_END = 1793491199  # 2026-10-31T23:59:59Z
_TYPED_SINCE = 1727740800  # 2024-10-01: the Hub writes typed base_model tags from here on
_GROWTH = 2.0  # exponential growth rate of root creation dates over the span

# Record kinds. The derivative kinds double as indexes into _RELATIONS.
_ROOT, _FINETUNE, _ADAPTER, _QUANTIZED, _MERGE = range(5)
_SELF_LOOP, _CYCLE, _MISSING = range(5, 8)
_RELATIONS = (None, "finetune", "adapter", "quantized", "merge")

# Name styles of table entries. Styles 1-4 suggest that relation; GENERIC and ORG are roots.
_GENERIC, _ORG = 0, 5
# How often a name of each style really declares a base model (the rest are undeclared roots).
_P_DERIVED = (0.045, 0.86, 0.9, 0.92, 0.96, 0.0)
_MISC = -1  # family of derivatives of ordinary (non-foundation) roots

_SLOTS = 1 << 16  # author slots per block of indices; see _Authors
_ODDITY_BLOCK = 1000


# ---------------------------------------------------------------------------------------
# Hashing: pure per-(seed, index) randomness, so any index can be recomputed on demand.


def _mix(x: int) -> int:
    """splitmix64's finalizer: a bijection on 64-bit integers."""
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


@dataclass(frozen=True)
class _Keys:
    """Per-seed hash keys, one per independent decision."""

    slot_mult: int
    block: int
    author: int
    index: int
    oddity: int


@lru_cache(maxsize=32)
def _keys(seed: int) -> _Keys:
    base = _mix((seed * _GOLDEN + 0x5EED) & _M64)

    def key(salt: int) -> int:
        return _mix(base ^ (salt * 0xD6E8FEB86659FD93 & _M64))

    return _Keys(
        slot_mult=(key(1) & (_SLOTS - 1)) | 1,  # odd, so a bijection modulo 2^16
        block=key(2), author=key(3), index=key(4), oddity=key(5),
    )


def _chooser(pairs) -> tuple[tuple, list[float]]:
    """(items, cumulative shares) for `items[bisect(cum, u)]` with u in [0, 1)."""
    items = tuple(item for item, _ in pairs)
    total = sum(w for _, w in pairs)
    cum, acc = [], 0.0
    for _, w in pairs:
        acc += w / total
        cum.append(acc)
    cum[-1] = 2.0  # rounding must never push u past the last item
    return items, cum


def _choose(choice: tuple[tuple, list[float]], u: float):
    return choice[0][bisect_right(choice[1], u)]


# ---------------------------------------------------------------------------------------
# Vocabulary.

# group: (pipelines with weights, (finetune, adapter, quantized, merge) name shares,
#         library, quantization types with weights, language style)
_GROUPS = {
    "llm": ((("text-generation", 1.0),), (0.58, 0.22, 0.12, 0.08), "transformers",
            (("gguf", 0.55), ("awq", 0.07), ("gptq", 0.08), ("exl2", 0.07), ("bnb4", 0.1),
             ("bnb8", 0.03), ("mlx", 0.07), ("fp8", 0.03)), "llm"),
    "vlm": ((("image-text-to-text", 1.0),), (0.55, 0.15, 0.3, 0.0), "transformers",
            (("gguf", 0.5), ("awq", 0.15), ("bnb4", 0.2), ("mlx", 0.15)), "llm"),
    "gpt2": ((("text-generation", 1.0),), (0.85, 0.05, 0.1, 0.0), "transformers",
             (("onnx", 0.5), ("gguf", 0.5)), "en"),
    "encoder": ((("text-classification", 0.6), ("token-classification", 0.15),
                 ("question-answering", 0.1), ("fill-mask", 0.1), ("feature-extraction", 0.05)),
                (0.88, 0.07, 0.05, 0.0), "transformers", (("onnx", 1.0),), "nlp"),
    "embed": ((("sentence-similarity", 0.7), ("feature-extraction", 0.3)),
              (0.9, 0.0, 0.1, 0.0), "sentence-transformers", (("onnx", 1.0),), "nlp"),
    "t5": ((("text2text-generation", 0.6), ("summarization", 0.25), ("translation", 0.15)),
           (0.95, 0.05, 0.0, 0.0), "transformers", (("onnx", 1.0),), "nlp"),
    "s2t": ((("automatic-speech-recognition", 1.0),), (0.9, 0.05, 0.05, 0.0), "transformers",
            (("onnx", 1.0),), "speech"),
    "vision": ((("image-classification", 1.0),), (0.95, 0.05, 0.0, 0.0), "transformers",
               (("onnx", 1.0),), None),
    "timm": ((("image-classification", 1.0),), (1.0, 0.0, 0.0, 0.0), "timm", (("onnx", 1.0),),
             None),
    "diffusion": ((("text-to-image", 1.0),), (0.35, 0.65, 0.0, 0.0), "diffusers",
                  (("fp8", 1.0),), "en"),
    "flux": ((("text-to-image", 1.0),), (0.07, 0.85, 0.08, 0.0), "diffusers",
             (("gguf", 0.5), ("bnb4", 0.3), ("fp8", 0.2)), "en"),
}


@dataclass(frozen=True)
class _Foundation:
    key: str
    repo_id: str
    parent: str | None  # key of the foundation it was finetuned from
    weight: float  # share of derivative names that belong to its family
    created: str
    group: str
    arch: str
    license: str
    gated: bool | str
    downloads: int
    likes: int
    stems: tuple[str, ...]  # how derivative names spell it
    short: str
    size: str


def _f(key, repo_id, parent, weight, created, group, arch, license, gated, downloads, likes,
       stems, short, size):
    return _Foundation(key, repo_id, parent, weight, created, group, arch, license, gated,
                       downloads, likes, tuple(stems.split()), short, size)


# Ordered by stream position (see _FOUNDATION_POSITIONS): big families first.
_FOUNDATIONS = (
    _f("qwen25i", "Qwen/Qwen2.5-7B-Instruct", "qwen25", 38.0, "2024-09-16T11:55:40", "llm",
       "qwen2", "apache-2.0", False, 9_800_000, 2400,
       "Qwen2.5-7B-Instruct qwen2.5-7b-instruct Qwen2.5-7B-it qwen2.5-7b-chat "
       "Qwen2.5-Instruct-7B qwen2_5-7b-instruct", "Qwen2.5", "7B"),
    _f("llama31", "meta-llama/Llama-3.1-8B", None, 5.0, "2024-07-14T19:29:01", "llm", "llama",
       "llama3.1", "manual", 1_400_000, 1700,
       "Llama-3.1-8B llama-3.1-8b Llama3.1-8B Meta-Llama-3.1-8B L3.1-8B", "L3.1", "8B"),
    _f("qwen25", "Qwen/Qwen2.5-7B", None, 5.0, "2024-09-15T12:15:39", "llm", "qwen2",
       "apache-2.0", False, 1_100_000, 260,
       "Qwen2.5-7B qwen2.5-7b Qwen2.5-7b qwen2_5-7b", "Qwen2.5", "7B"),
    _f("llama31i", "meta-llama/Llama-3.1-8B-Instruct", "llama31", 31.0, "2024-07-18T08:56:00",
       "llm", "llama", "llama3.1", "manual", 7_300_000, 4600,
       "Llama-3.1-8B-Instruct llama-3.1-8b-instruct Llama3.1-8B-Instruct "
       "Meta-Llama-3.1-8B-Instruct L3.1-8B-Instruct llama3.1-8b-it", "Llama3.1", "8B"),
    _f("mistral7b", "mistralai/Mistral-7B-v0.1", None, 3.0, "2023-09-20T13:03:50", "llm",
       "mistral", "apache-2.0", False, 450_000, 3900,
       "Mistral-7B-v0.1 mistral-7b-v0.1 Mistral-7B mistral-7b", "Mistral", "7B"),
    _f("bert", "google-bert/bert-base-uncased", None, 2.2, "2022-03-02T23:29:04", "encoder",
       "bert", "apache-2.0", False, 61_000_000, 2300,
       "bert-base-uncased bert-base BERT-base-uncased bert_base_uncased", "bert", "base"),
    _f("r1qwen", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "qwen25math", 3.0,
       "2025-01-20T09:16:14", "llm", "qwen2", "mit", False, 1_300_000, 700,
       "DeepSeek-R1-Distill-Qwen-7B deepseek-r1-distill-qwen-7b R1-Distill-Qwen-7B R1-Qwen-7B",
       "R1-Qwen", "7B"),
    _f("llama2", "meta-llama/Llama-2-7b-hf", None, 2.0, "2023-07-13T16:16:13", "llm", "llama",
       "llama2", "manual", 900_000, 2100,
       "Llama-2-7b-hf llama-2-7b Llama-2-7B llama2-7b", "L2", "7B"),
    _f("sdxl", "stabilityai/stable-diffusion-xl-base-1.0", None, 2.0, "2023-07-25T13:25:51",
       "diffusion", "", "openrail++", False, 2_300_000, 6700,
       "stable-diffusion-xl sdxl SDXL sd-xl", "SDXL", "XL"),
    _f("r1llama", "deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "llama31", 3.0,
       "2025-01-20T09:19:00", "llm", "llama", "mit", False, 800_000, 800,
       "DeepSeek-R1-Distill-Llama-8B deepseek-r1-distill-llama-8b R1-Distill-Llama-8B "
       "R1-Llama-8B", "R1-Llama", "8B"),
    _f("flux", "black-forest-labs/FLUX.1-dev", None, 2.5, "2024-07-31T21:13:44", "flux", "",
       "other", "auto", 1_900_000, 11000,
       "FLUX.1-dev flux-dev Flux flux1-dev flux", "Flux", "dev"),
    _f("mistral7bi", "mistralai/Mistral-7B-Instruct-v0.2", "mistral7b", 3.0,
       "2023-12-11T13:18:44", "llm", "mistral", "apache-2.0", False, 2_600_000, 2900,
       "Mistral-7B-Instruct-v0.2 mistral-7b-instruct-v0.2 Mistral-7B-Instruct mistral-7b-it",
       "Mistral", "7B"),
    _f("whispersmall", "openai/whisper-small", None, 1.2, "2022-09-26T06:51:27", "s2t",
       "whisper", "apache-2.0", False, 3_100_000, 400,
       "whisper-small Whisper-Small whisper_small", "whisper", "small"),
    _f("distilbert", "distilbert/distilbert-base-uncased", None, 1.5, "2022-03-02T23:29:04",
       "encoder", "distilbert", "apache-2.0", False, 12_000_000, 700,
       "distilbert-base-uncased distilbert DistilBERT-base-uncased distilbert_base_uncased",
       "distilbert", "base"),
    _f("qwen3", "Qwen/Qwen3-8B", "qwen3b", 3.0, "2025-04-27T03:42:21", "llm", "qwen3",
       "apache-2.0", False, 2_000_000, 700, "Qwen3-8B qwen3-8b Qwen3-8b", "Qwen3", "8B"),
    _f("llama3i", "meta-llama/Meta-Llama-3-8B-Instruct", "llama3", 2.5, "2024-04-17T09:35:12",
       "llm", "llama", "llama3", "manual", 1_500_000, 4000,
       "Meta-Llama-3-8B-Instruct llama-3-8b-instruct Llama-3-8B-Instruct llama3-8b-instruct",
       "Llama3", "8B"),
    _f("qwen25vl", "Qwen/Qwen2.5-VL-7B-Instruct", None, 1.5, "2025-01-26T09:26:37", "vlm",
       "qwen2_5_vl", "apache-2.0", False, 3_000_000, 1100,
       "Qwen2.5-VL-7B-Instruct qwen2.5-vl-7b-instruct Qwen2.5-VL-7B", "Qwen2.5-VL", "7B"),
    _f("minilm", "sentence-transformers/all-MiniLM-L6-v2", None, 0.8, "2022-03-02T23:29:05",
       "embed", "bert", "apache-2.0", False, 90_000_000, 3500,
       "all-MiniLM-L6-v2 all-minilm-l6-v2 MiniLM-L6 minilm-l6", "MiniLM", "L6"),
    _f("llama2chat", "meta-llama/Llama-2-7b-chat-hf", "llama2", 2.0, "2023-07-13T16:45:23",
       "llm", "llama", "llama2", "manual", 1_000_000, 4400,
       "Llama-2-7b-chat-hf llama-2-7b-chat Llama-2-7B-Chat llama2-7b-chat", "Llama2", "7B"),
    _f("qwen25coderi", "Qwen/Qwen2.5-Coder-7B-Instruct", "qwen25coder", 2.5,
       "2024-09-17T13:38:49", "llm", "qwen2", "apache-2.0", False, 900_000, 600,
       "Qwen2.5-Coder-7B-Instruct qwen2.5-coder-7b-instruct Qwen2.5-Coder-7B-it",
       "Qwen-Coder", "7B"),
    _f("hermes3", "NousResearch/Hermes-3-Llama-3.1-8B", "llama31", 2.0, "2024-07-28T04:26:57",
       "llm", "llama", "llama3", False, 250_000, 380,
       "Hermes-3-Llama-3.1-8B hermes-3-llama-3.1-8b Hermes-3-8B", "Hermes3", "8B"),
    _f("sd15", "stable-diffusion-v1-5/stable-diffusion-v1-5", None, 1.2, "2024-08-30T09:52:11",
       "diffusion", "", "creativeml-openrail-m", False, 2_000_000, 800,
       "stable-diffusion-v1-5 sd-1.5 SD15 sd15", "SD15", "1.5"),
    _f("gemma2it", "google/gemma-2-9b-it", "gemma2", 1.2, "2024-06-24T08:05:41", "llm",
       "gemma2", "gemma", "manual", 300_000, 700,
       "gemma-2-9b-it Gemma-2-9B-it gemma2-9b-it", "Gemma2", "9B"),
    _f("whisper", "openai/whisper-large-v3", None, 1.0, "2023-11-07T18:41:14", "s2t", "whisper",
       "apache-2.0", False, 5_200_000, 4700,
       "whisper-large-v3 whisper-large Whisper-Large-V3", "whisper", "large"),
    _f("phi3", "microsoft/Phi-3-mini-4k-instruct", None, 1.0, "2024-04-22T16:18:17", "llm",
       "phi3", "mit", False, 800_000, 1200,
       "Phi-3-mini-4k-instruct phi-3-mini-4k-instruct Phi-3-mini phi3-mini", "Phi3", "3.8B"),
    _f("llama32i", "meta-llama/Llama-3.2-1B-Instruct", "llama32", 1.5, "2024-09-18T15:12:47",
       "llm", "llama", "llama3.2", "manual", 3_000_000, 1000,
       "Llama-3.2-1B-Instruct llama-3.2-1b-instruct Llama3.2-1B-Instruct", "Llama3.2", "1B"),
    _f("qwen25math", "Qwen/Qwen2.5-Math-7B", "qwen25", 0.8, "2024-09-16T12:29:25", "llm",
       "qwen2", "apache-2.0", False, 200_000, 100, "Qwen2.5-Math-7B qwen2.5-math-7b",
       "Qwen2.5-Math", "7B"),
    _f("vit", "google/vit-base-patch16-224-in21k", None, 0.8, "2022-03-02T23:29:05", "vision",
       "vit", "apache-2.0", False, 3_000_000, 300,
       "vit-base-patch16-224-in21k vit-base-patch16-224 vit-base ViT-base", "vit", "base"),
    _f("tinyllama", "TinyLlama/TinyLlama-1.1B-Chat-v1.0", None, 1.0, "2023-12-30T06:27:30",
       "llm", "llama", "apache-2.0", False, 1_200_000, 1300,
       "TinyLlama-1.1B-Chat-v1.0 tinyllama-1.1b-chat TinyLlama-1.1B tinyllama",
       "TinyLlama", "1.1B"),
    _f("gpt2", "openai-community/gpt2", None, 1.2, "2022-03-02T23:29:04", "gpt2", "gpt2", "mit",
       False, 11_000_000, 2800, "gpt2 GPT2 gpt-2", "GPT2", "124M"),
    _f("xlmr", "FacebookAI/xlm-roberta-base", None, 0.8, "2022-03-02T23:29:04", "encoder",
       "xlm-roberta", "mit", False, 8_000_000, 700,
       "xlm-roberta-base XLM-RoBERTa-base xlmr-base xlm_roberta_base", "xlmr", "base"),
    _f("llama3", "meta-llama/Meta-Llama-3-8B", None, 1.5, "2024-04-17T09:35:16", "llm", "llama",
       "llama3", "manual", 600_000, 6100,
       "Meta-Llama-3-8B llama-3-8b Llama-3-8B llama3-8b", "L3", "8B"),
    _f("roberta", "FacebookAI/roberta-base", None, 0.8, "2022-03-02T23:29:04", "encoder",
       "roberta", "mit", False, 9_000_000, 500,
       "roberta-base RoBERTa-base roberta_base", "roberta", "base"),
    _f("gemma3it", "google/gemma-3-4b-it", "gemma3", 1.2, "2025-02-20T21:20:07", "vlm",
       "gemma3", "gemma", "manual", 900_000, 800,
       "gemma-3-4b-it Gemma-3-4B-it gemma3-4b-it", "Gemma3", "4B"),
    _f("qwen3b", "Qwen/Qwen3-8B-Base", None, 0.5, "2025-04-28T05:04:21", "llm", "qwen3",
       "apache-2.0", False, 300_000, 60, "Qwen3-8B-Base qwen3-8b-base", "Qwen3", "8B"),
    _f("phi2", "microsoft/phi-2", None, 1.0, "2023-12-13T21:19:59", "llm", "phi", "mit", False,
       300_000, 3300, "phi-2 Phi-2 phi2", "Phi2", "2.7B"),
    _f("openhermes", "teknium/OpenHermes-2.5-Mistral-7B", "mistral7b", 1.0,
       "2023-10-29T20:36:39", "llm", "mistral", "apache-2.0", False, 60_000, 870,
       "OpenHermes-2.5-Mistral-7B openhermes-2.5-mistral-7b OpenHermes-2.5", "OpenHermes", "7B"),
    _f("deberta", "microsoft/deberta-v3-base", None, 0.6, "2022-03-02T23:29:05", "encoder",
       "deberta-v2", "mit", False, 2_500_000, 350,
       "deberta-v3-base DeBERTa-v3-base deberta-v3", "deberta", "base"),
    _f("zephyr", "HuggingFaceH4/zephyr-7b-beta", "mistral7b", 1.0, "2023-10-26T11:25:49", "llm",
       "mistral", "mit", False, 300_000, 1700, "zephyr-7b-beta Zephyr-7B-beta zephyr-7b",
       "Zephyr", "7B"),
    _f("bgem3", "BAAI/bge-m3", None, 0.5, "2024-01-27T17:07:29", "embed", "xlm-roberta", "mit",
       False, 6_000_000, 2100, "bge-m3 BGE-M3 bge_m3", "bge-m3", "568M"),
    _f("llama32", "meta-llama/Llama-3.2-1B", None, 1.0, "2024-09-18T15:03:14", "llm", "llama",
       "llama3.2", "manual", 1_900_000, 1900, "Llama-3.2-1B llama-3.2-1b Llama3.2-1B",
       "L3.2", "1B"),
    _f("qwen25coder", "Qwen/Qwen2.5-Coder-7B", "qwen25", 1.0, "2024-09-16T11:57:24", "llm",
       "qwen2", "apache-2.0", False, 150_000, 120, "Qwen2.5-Coder-7B qwen2.5-coder-7b",
       "Qwen2.5-Coder", "7B"),
    _f("flant5", "google/flan-t5-base", None, 0.5, "2022-10-21T10:02:31", "t5", "t5",
       "apache-2.0", False, 1_000_000, 900, "flan-t5-base FLAN-T5-base flan_t5_base",
       "flan-t5", "base"),
    _f("gemma2", "google/gemma-2-9b", None, 0.5, "2024-06-24T08:05:17", "llm", "gemma2",
       "gemma", "manual", 50_000, 650, "gemma-2-9b Gemma-2-9B", "Gemma2", "9B"),
    _f("wav2vec2", "facebook/wav2vec2-base", None, 0.4, "2022-03-02T23:29:05", "s2t",
       "wav2vec2", "apache-2.0", False, 900_000, 90, "wav2vec2-base wav2vec2 Wav2Vec2-base",
       "wav2vec2", "base"),
    _f("t5", "google-t5/t5-small", None, 0.5, "2022-03-02T23:29:04", "t5", "t5", "apache-2.0",
       False, 2_500_000, 450, "t5-small T5-small t5_small", "t5", "small"),
    _f("gemma3", "google/gemma-3-4b-pt", None, 0.3, "2025-02-20T21:19:55", "vlm", "gemma3",
       "gemma", "manual", 90_000, 100, "gemma-3-4b-pt Gemma-3-4B-pt", "Gemma3", "4B"),
    _f("resnet", "timm/resnet50.a1_in1k", None, 0.3, "2023-04-05T18:07:45", "timm", "",
       "apache-2.0", False, 1_800_000, 40, "resnet50 resnet-50 ResNet50", "resnet", "50"),
)
# Geometric-ish spacing: the big families exist from the first records on; later
# foundations are named by children generated before them.
_FOUNDATION_POSITIONS = (
    0, 3, 7, 12, 20, 31, 47, 70, 100, 140, 190, 260, 350, 460, 600, 780, 1000, 1270, 1600,
    1990, 2500, 3100, 3800, 4700, 5800, 7000, 8500, 10_000, 12_000, 14_500, 17_000, 20_000,
    24_000, 28_000, 33_000, 39_000, 46_000, 54_000, 63_000, 73_000, 85_000, 100_000, 120_000,
    140_000, 165_000, 190_000, 220_000, 250_000, 290_000, 330_000,
)
assert len(_FOUNDATION_POSITIONS) >= len(_FOUNDATIONS)
_FOUNDATION_AT = {_FOUNDATION_POSITIONS[k]: k for k in range(len(_FOUNDATIONS))}
_FOUNDATION_KEY = {f.key: k for k, f in enumerate(_FOUNDATIONS)}

_QUANT = {  # quantization type: (name suffixes, library, tags)
    "gguf": (("GGUF", "i1-GGUF", "Q4_K_M-GGUF", "Q8_0-GGUF", "Q5_K_M-GGUF", "GGUF-Q4_K_M",
              "gguf", "Q6_K-GGUF", "imatrix-GGUF"), "gguf", ("gguf",)),
    "awq": (("AWQ", "awq", "AWQ-4bit", "AWQ-INT4"), "transformers", ("4-bit", "awq")),
    "gptq": (("GPTQ", "GPTQ-Int4", "gptq-4bit", "GPTQ-8bit"), "transformers", ("4-bit", "gptq")),
    "exl2": (("exl2", "4.0bpw-exl2", "6.5bpw-h8-exl2", "8.0bpw-exl2", "EXL2", "5.0bpw-exl2"),
             "transformers", ("exl2",)),
    "bnb4": (("bnb-4bit", "4bit", "unsloth-bnb-4bit", "nf4", "bnb-nf4"), "transformers",
             ("4-bit", "bitsandbytes")),
    "bnb8": (("8bit", "bnb-8bit", "int8"), "transformers", ("8-bit", "bitsandbytes")),
    "mlx": (("mlx-4bit", "MLX-4bit", "mlx-8bit", "4bit-mlx", "MLX", "mlx-6Bit"), "mlx",
            ("mlx", "4-bit")),
    "fp8": (("FP8", "FP8-Dynamic", "fp8", "W8A8", "FP8-e4m3"), "transformers",
            ("8-bit", "compressed-tensors")),
    "onnx": (("onnx", "ONNX", "onnx-int8", "int8-onnx"), "onnx", ("onnx",)),
}
_QUANT_TYPES = tuple(_QUANT)
_CHAT_GROUPS = {"llm", "vlm"}
_IMAGE_GROUPS = {"diffusion", "flux"}

_CREATIVE = (
    "Neural Mytho Nous Open Dark Silver Golden Stellar Lunar Crimson Dolphin Beagle Phoenix "
    "Orca Wizard Falcon Raven Nova Aurora Titan Sage Echo Nexus Quantum Starling Mist Storm "
    "Ember Frost Shadow Velvet Onyx Cobalt Saffron Jade Marco Kunoichi Noromaid Fimbul Stheno "
    "Lumina Astra Nyx Halcyon Vesper Kestrel Solace Zenith Arcadia Obsidian Tiger Panda Lynx "
    "Koala Hermes Athena Apollo Chimera Hydra Sirius Vega Rigel Polaris Orion Cygnus Draco "
    "Magnum Celeste Eris Umbral Gemini Prism Spark Blaze Cascade Tempest Whisper Rogue Nomad "
    "Pilot Atlas Sky Pixel Cipher Vortex Ivy Willow Maple Cedar Opus Sonnet Haiku Ballad"
).split()
_DESCRIPTORS = (
    "sft dpo orpo kto grpo simpo abliterated uncensored roleplay rp chat math code coder "
    "reasoning medical med legal finance law bio chem tr ko ja zh vi ar de fr es it pt ru hi id "
    "th pl nl sv multilingual alpaca dolly openorca ultrachat hermes capybara airoboros tulu "
    "magpie sharegpt gsm8k reward rm prm distill merged full qlora ft finetuned tuned test exp "
    "demo baseline lr1e-5 e3 2ep 4k 32k 128k long mini lite pro plus max turbo slim bf16 fp16 "
    "instruct it base preview beta alpha final stage2 cpt dare slerp lora-merged r1 cot think "
    "agent tool sql json summarizer translator tutor story poem nsfw safe guard judge v0.1 v1.5"
).split()
_MERGE_METHODS = (
    ("slerp", None), ("ties", "2306.01708"), ("dare-ties", "2311.03099"),
    ("DARE_TIES", "2311.03099"), ("della", "2406.11617"), ("Model_Stock", "2403.19522"),
    ("model-stock", "2403.19522"), ("passthrough", None), ("linear", "2203.05482"),
    ("task-arithmetic", "2212.04089"), ("TIES", "2306.01708"), ("merge", None),
)
_TASKS = (
    "sentiment ner emotion imdb sst2 mrpc cola qnli squad conll2003 toxic spam fake-news intent "
    "hate-speech pos qa nli stance sarcasm topic news-category ag-news yelp tweet-eval "
    "review-rating language-detection keyword-extraction paraphrase emoji financial-sentiment"
).split()
_SUBJECTS = (
    "anime pixel-art watercolor portrait cyberpunk fantasy sketch comic ghibli isometric "
    "logo interior architecture landscape photorealistic cinematic neon retro vintage 3d-render "
    "chibi manga oil-painting line-art tattoo product-shot food fashion cars cats dogs"
).split()
_LANGS = (
    "en zh fr de es ja ko ru it pt vi ar tr id th pl nl hi bn fa uk sv cs ro hu el he da fi no "
    "ms ta te ur sw yo am"
).split()
_DATASETS = {
    "llm": (
        "HuggingFaceH4/ultrachat_200k teknium/OpenHermes-2.5 Open-Orca/OpenOrca tatsu-lab/alpaca "
        "yahma/alpaca-cleaned HuggingFaceH4/ultrafeedback_binarized Intel/orca_dpo_pairs "
        "argilla/distilabel-intel-orca-dpo-pairs openai/gsm8k meta-math/MetaMathQA "
        "databricks/databricks-dolly-15k Anthropic/hh-rlhf HuggingFaceTB/smoltalk "
        "allenai/tulu-3-sft-mixture Magpie-Align/Magpie-Pro-300K-Filtered nvidia/HelpSteer2 "
        "garage-bAInd/Open-Platypus m-a-p/CodeFeedback-Filtered-Instruction "
        "open-r1/OpenR1-Math-220k bespokelabs/Bespoke-Stratos-17k AI-MO/NuminaMath-CoT "
        "mlabonne/orpo-dpo-mix-40k jondurbin/airoboros-3.2 timdettmers/openassistant-guanaco "
        "OpenAssistant/oasst1 cognitivecomputations/dolphin"
    ).split(),
    "nlp": (
        "stanfordnlp/imdb dair-ai/emotion nyu-mll/glue stanfordnlp/sst2 eriktks/conll2003 "
        "rajpurkar/squad rajpurkar/squad_v2 fancyzhx/ag_news Yelp/yelp_review_full "
        "cardiffnlp/tweet_eval SetFit/emotion sentence-transformers/all-nli microsoft/ms_marco "
        "google-research-datasets/paws"
    ).split(),
    "speech": (
        "mozilla-foundation/common_voice_11_0 mozilla-foundation/common_voice_17_0 google/fleurs "
        "openslr/librispeech_asr facebook/voxpopuli"
    ).split(),
    "en": (
        "uoft-cs/cifar10 ylecun/mnist ethz/food101 AI-Lab-Makerere/beans "
        "lambdalabs/naruto-blip-captions blanchon/EuroSAT_RGB"
    ).split(),
}
_ARXIV = {
    "llm": "2305.14314 2106.09685 2305.18290 2407.21783 2412.15115 2501.12948 2310.06825 "
           "2307.09288 2309.00071 2402.03300 2403.07691 2405.14734".split(),
    "nlp": "1810.04805 1910.01108 1907.11692 1911.02116 2111.09543 1908.10084 2402.03216 "
           "1910.10683 2210.11416".split(),
    "speech": "2212.04356 2006.11477".split(),
    "en": "2112.10752 2307.01952 2010.11929 1512.03385 2106.09685".split(),
}
_LICENSES = (
    ("apache-2.0", 0.4), ("mit", 0.18), (None, 0.22), ("cc-by-4.0", 0.04),
    ("cc-by-nc-4.0", 0.04), ("openrail", 0.03), ("other", 0.03), ("gpl-3.0", 0.02),
    ("llama3", 0.02), ("bsd-3-clause", 0.01), ("afl-3.0", 0.01),
)
_RL = (
    "ppo dqn a2c q Reinforce poca sac td3 qrdqn tqc ddpg trpo".split(),
    ("LunarLander-v2 LunarLander-v3 CartPole-v1 FrozenLake-v1-4x4-noSlippery Taxi-v3 "
     "SpaceInvadersNoFrameskip-v4 BreakoutNoFrameskip-v4 PandaReachDense-v3 Huggy "
     "SnowballTarget Pyramids SoccerTwos Pixelcopter-PLE-v0 MountainCar-v0 Acrobot-v1 "
     "Pendulum-v1 BipedalWalker-v3 HalfCheetah-v4 PongNoFrameskip-v4 doom_health_gathering_supreme"
     ).split(),
    "unit1 unit2 course deep-rl 1M 500k 2M tuned test final best".split(),
)

# Generic (non-foundation) roots: pipeline, weight, name templates. Weights tuned so that
# text-generation ends near 47% of all models.
_ROOT_PIPELINES = (
    ("text-generation", 0.22), (None, 0.13), ("text-classification", 0.1),
    ("reinforcement-learning", 0.06), ("text-to-image", 0.04),
    ("automatic-speech-recognition", 0.04), ("image-classification", 0.04),
    ("feature-extraction", 0.03), ("sentence-similarity", 0.03), ("token-classification", 0.03),
    ("image-text-to-text", 0.03), ("fill-mask", 0.02), ("text2text-generation", 0.02),
    ("translation", 0.02), ("question-answering", 0.015), ("summarization", 0.01),
    ("object-detection", 0.01), ("text-to-speech", 0.01), ("image-segmentation", 0.008),
    ("audio-classification", 0.008), ("zero-shot-classification", 0.004),
    ("image-to-image", 0.004), ("text-to-video", 0.004), ("depth-estimation", 0.002),
    ("tabular-classification", 0.003), ("time-series-forecasting", 0.003), ("robotics", 0.005),
    ("image-to-text", 0.004), ("visual-question-answering", 0.002), ("any-to-any", 0.002),
    ("text-to-audio", 0.003), ("video-classification", 0.002),
    ("zero-shot-image-classification", 0.002), ("unconditional-image-generation", 0.002),
)
_PIPELINES = tuple(p for p, _ in _ROOT_PIPELINES)
_PIPELINE_CODE = {p: k for k, p in enumerate(_PIPELINES)}
_PIPELINE_WORD = {
    "text-classification": "classifier", "token-classification": "ner",
    "image-classification": "image-classifier", "automatic-speech-recognition": "asr",
    "feature-extraction": "embeddings", "sentence-similarity": "sentence-embeddings",
    "fill-mask": "mlm", "text2text-generation": "seq2seq", "translation": "translator",
    "question-answering": "qa", "summarization": "summarizer", "object-detection": "detector",
    "text-to-speech": "tts", "image-segmentation": "segmenter", "audio-classification":
    "audio-classifier", "image-text-to-text": "vlm", "text-to-image": "diffusion",
}
_ROOT_ARCH = {
    "text-generation": "llama qwen2 gpt2 mistral gpt_neox phi3 gemma2 llama",
    "text-classification": "bert distilbert roberta xlm-roberta deberta-v2 bert",
    "token-classification": "bert roberta xlm-roberta distilbert",
    "automatic-speech-recognition": "whisper wav2vec2 whisper",
    "image-classification": "vit convnext swin resnet",
    "fill-mask": "bert roberta", "sentence-similarity": "bert mpnet xlm-roberta",
    "feature-extraction": "bert xlm-roberta clip", "text2text-generation": "t5 bart mt5",
    "translation": "marian marian m2m_100", "summarization": "bart t5 pegasus",
    "image-text-to-text": "qwen2_vl llava idefics3 paligemma",
    "question-answering": "bert roberta distilbert", "object-detection": "detr yolos",
}
_ROOT_ARCH = {p: tuple(a.split()) for p, a in _ROOT_ARCH.items()}
_MODALITY = {
    "text": ("text-classification token-classification fill-mask feature-extraction "
             "sentence-similarity text2text-generation question-answering summarization "
             "zero-shot-classification translation"),
    "vision": ("image-classification object-detection image-segmentation depth-estimation "
               "video-classification zero-shot-image-classification image-to-image "
               "unconditional-image-generation"),
    "audio": "automatic-speech-recognition audio-classification text-to-speech text-to-audio",
    "image-gen": "text-to-image text-to-video",
    "multimodal": "image-text-to-text image-to-text visual-question-answering any-to-any",
    "other": "tabular-classification time-series-forecasting robotics",
}
_MODALITY = {p: m for m, ps in _MODALITY.items() for p in ps.split()}
_BASE_WORDS = {  # what ordinary roots say they started from, by modality
    "text": ("bert-base-uncased distilbert-base-uncased roberta-base xlm-roberta-base "
             "deberta-v3-base electra-small albert-base-v2 t5-small bart-large mt5-small"),
    "vision": ("vit-base resnet-50 convnext-tiny swin-tiny segformer-b0 detr-resnet-50 yolov8n "
               "mobilenet-v3 efficientnet-b0 dinov2-small"),
    "audio": "wav2vec2-base whisper-small hubert-base speecht5 ast wavlm-base",
    "image-gen": "sd-turbo stable-diffusion-2-1 kandinsky pixart-sigma sana",
    "multimodal": "llava-1.5-7b qwen2-vl-2b paligemma-3b idefics3 smolvlm clip-vit blip-base",
    "other": "xgboost lightgbm chronos-t5 act-policy smolvla",
}
_BASE_WORDS = {modality: tuple(words.split()) for modality, words in _BASE_WORDS.items()}
_WORDS = (
    "my awesome test demo first final best new custom tiny small base mini model project "
    "assignment homework lab hw ex course tutorial sample experiment trial run local quick "
    "cool smart simple basic fast light deep neo alpha beta gamma delta omega sigma zeta"
).split()
_SIZES = "125M 350M 0.5B 1B 1.5B 2B 3B 7B 8B 13B 14B 32B".split()

# Organisations: (brands, sizes, variants, pipeline). Variants with a quantization suffix
# or an instruct suffix still get published as roots by the organisation.
_ORG_BRANDS = {
    "meta-llama": ("Llama-2 Llama-3 Llama-3.1 Llama-3.2 Llama-3.3 Llama-4 CodeLlama "
                   "Llama-Guard-3", "1B 3B 7b 8B 13b 70B 11B-Vision 405B",
                   "_ -Instruct -hf -chat-hf -FP8 -Base", "text-generation"),
    "Qwen": ("Qwen1.5 Qwen2 Qwen2.5 Qwen2.5-Coder Qwen2.5-Math Qwen3 QwQ Qwen2-VL Qwen2.5-VL",
             "0.5B 1.5B 3B 7B 14B 32B 72B 4B 30B-A3B",
             "_ -Instruct -Chat -AWQ -GPTQ-Int4 -GPTQ-Int8 -GGUF -Base -FP8 -Instruct-AWQ "
             "-Instruct-GGUF -MLX", "text-generation"),
    "mistralai": ("Mistral Mixtral Ministral Codestral Mistral-Small Mistral-Nemo Pixtral "
                  "Devstral Magistral Mistral-Large", "7B 8x7B 8x22B 12B 22B 24B 123B 8B 3B",
                  "_ -Instruct -Base -v0.3 -Instruct-2407 -Instruct-2501 -2409 -FP8",
                  "text-generation"),
    "google": ("gemma gemma-2 gemma-3 codegemma recurrentgemma paligemma t5gemma shieldgemma "
               "medgemma", "2b 7b 9b 27b 1b 4b 12b 270m 3b",
               "_ -it -pt -pt-224 -it-qat -qat-q4_0-gguf -GGUF", "text-generation"),
    "microsoft": ("phi-1_5 Phi-3 Phi-3.5 Phi-4 Florence-2 deberta-v3 layoutlmv3 trocr speecht5 "
                  "DialoGPT", "mini medium small large base xsmall multimodal",
                  "_ -instruct -4k-instruct -128k-instruct -onnx -ft -printed -tts",
                  "text-generation"),
    "deepseek-ai": ("deepseek-llm deepseek-coder DeepSeek-V2 DeepSeek-V2.5 DeepSeek-V3 "
                    "DeepSeek-R1 deepseek-math Janus deepseek-vl2 DeepSeek-Prover",
                    "1.3b 6.7b 7b 33b 67b Lite Pro 1B 7B tiny",
                    "_ -base -instruct -chat -0324 -0528 -Zero -Base", "text-generation"),
    "facebook": ("opt bart wav2vec2 detr dinov2 nllb-200 mbart esm2 sam-vit hubert musicgen "
                 "xglm", "125m 350m 1.3b 2.7b base large small medium huge giant",
                 "_ -cnn -960h -distilled -600M -50-many-to-many-mmt -t6_8M_UR50D",
                 "feature-extraction"),
    "nvidia": ("Nemotron Llama-3.1-Nemotron segformer mit parakeet canary OpenMath2 AceMath "
               "NV-Embed", "4B 8B 51B 70B 1b b0 b2 tdt-0.6b rnnt-1.1b",
               "_ -Instruct -Nano -Super -HF -v2 -finetuned-ade-512-512", "text-generation"),
    "Helsinki-NLP": ("opus-mt", " ".join(_LANGS[:24]), " ".join("-" + x for x in _LANGS[:24]),
                     "translation"),
    "timm": ("vit_base_patch16_224 convnext_tiny resnet50 efficientnet_b0 mobilenetv3_large_100 "
             "swin_tiny_patch4_window7_224 regnety_040 eva02_base_patch14_224 "
             "deit_small_patch16_224",
             ".a1_in1k .augreg2_in21k_ft_in1k .fb_in22k .ra_in1k .tv_in1k .mim_in22k .sw_in1k "
             ".in1k .fb_in22k_ft_in1k", "_", "image-classification"),
    "sentence-transformers": ("all-mpnet paraphrase-multilingual msmarco-distilbert "
                              "multi-qa-MiniLM all-distilroberta paraphrase-MiniLM "
                              "distiluse-base-multilingual", "base L6 L12 cos dot v1 v2 cased",
                              "_ -v1 -v2 -v3 -tas-b -dot-v1", "sentence-similarity"),
    "stabilityai": ("stable-diffusion stablelm sdxl stable-video-diffusion stable-audio "
                    "stable-cascade sd-turbo stable-code", "2-1 3-medium 3.5-large zephyr-3b "
                    "2-1-base img2vid 1.6b open 3b", "_ -base -turbo -xt -instruct -refiner",
                    "text-to-image"),
    "openai": ("whisper clip-vit gpt-oss shap-e diffusers-cd", "tiny base small medium "
               "large-v2 base-patch32 large-patch14 20b 120b", "_ .en -turbo -imagenet64",
               "automatic-speech-recognition"),
    "BAAI": ("bge bge-reranker bge-small bge-large Aquila Emu3 bge-multilingual",
             "en zh base large v2 v1.5 m3 gemma2", "_ -v1.5 -en -zh -icl -Gen",
             "feature-extraction"),
}

# Authors at fixed Zipf ranks: (rank, name, profile). Everyone else is a syllable-built user.
_NAMED_AUTHORS = (
    (1, "mradermacher", "quant"), (3, "RichardErkhov", "quant"), (10, "bartowski", "quant"),
    (14, "TheBloke", "quant"), (16, "QuantFactory", "quant"), (20, "mlx-community", "quant"),
    (24, "unsloth", "quant"), (26, "allknowingroger", "merge"), (32, "DavidAU", "merge"),
    (40, "LoneStriker", "quant"), (45, "MaziyarPanahi", "quant"), (50, "automerger", "merge"),
    (60, "Triangle104", "quant"), (70, "mlabonne", "merge"), (80, "lmstudio-community", "quant"),
    (90, "Undi95", "merge"), (100, "NikolayKozloff", "quant"), (110, "nbeerbot", "merge"),
    (130, "second-state", "quant"), (140, "TheDrummer", "merge"), (150, "DevQuasar", "quant"),
    (160, "google", "org"), (170, "grimjim", "merge"), (175, "timm", "org"),
    (180, "legraphista", "quant"), (190, "Helsinki-NLP", "org"), (200, "Nitral-AI", "merge"),
    (210, "Lewdiculous", "quant"), (220, "microsoft", "org"), (230, "Sao10K", "merge"),
    (260, "Qwen", "org"), (280, "jondurbin", "merge"), (300, "facebook", "org"),
    (340, "nvidia", "org"), (400, "meta-llama", "org"), (450, "NousResearch", "merge"),
    (500, "mistralai", "org"), (550, "BAAI", "org"), (600, "deepseek-ai", "org"),
    (650, "sentence-transformers", "org"), (700, "stabilityai", "org"), (900, "openai", "org"),
    (1100, "HuggingFaceH4", "merge"), (1300, "teknium", "merge"),
)
_N_AUTHORS = 3000
_ZIPF_S, _ZIPF_Q = 1.05, 3.0
_SYLLABLES = (
    "ka ri to mo na shi lu ven dar el ax zen tor qi ming yu li chen wang jo han sam ali raj dev "
    "kim park lee nova byte neo lab tek ron vic mar co bel fin gus ha ik jan kev lo mi nik ol pa "
    "rus sa tim ur val wes xa yo zo ami bo cy da fe gi hu ju ke la me nu or pi qu re si ta ul vi"
).split()
_USER_SUFFIXES = ("", "", "", "", "ai", "ml", "lab", "dev", "-ai", "-ml", "-labs", "-nlp", "x")


# ---------------------------------------------------------------------------------------
# Name tables, built once per process from a fixed RNG (independent of the seed).

_VALID_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\Z")
_MAX_TABLE_NAME = 88  # leaves room for a lap suffix ("-runNNN") under the Hub's 96
# An author's later laps through its table append "-v2", "-2", "-run2", "-exp2", "-ep2",
# "-v3"...: each suffix has one "-", its first character, so none ends another one, and a
# name never equals another name plus a suffix (_SectionBuilder drops such names).
_LAP_FORMS = ("-v", "-", "-run", "-exp", "-ep")
_LAP_SUFFIX = re.compile(r"(.+)-(?:v|run|exp|ep)?([1-9][0-9]*)\Z")


def _lap_suffix(lap: int) -> str:
    return f"{_LAP_FORMS[(lap - 1) % len(_LAP_FORMS)]}{(lap - 1) // len(_LAP_FORMS) + 2}"


@dataclass(frozen=True)
class _Section:
    """Distinct names one author profile draws from, with what each name implies."""

    names: tuple[str, ...]
    family: array  # foundation index or _MISC
    style: bytes
    sub: bytes  # quantization type for quantized names, pipeline code for roots
    size: int  # prime, so any multiplier permutes the entries


@dataclass(frozen=True)
class _Authors:
    """Zipf authors as slot tables: block b of 2^16 indices gives author a exactly quota[a]
    slots, so (block, rank among the author's slots) numbers an author's models densely."""

    names: tuple[str, ...]
    section: bytes
    quota: array
    slot_author: array
    slot_rank: array
    known: frozenset[str]  # lowercased, for ghost (never generated) authors


@dataclass(frozen=True)
class _Tables:
    sections: tuple[_Section, ...]
    authors: _Authors


def _pick(rng: random.Random, items):
    return items[int(rng.random() * len(items))]


def _is_valid_name(name: str) -> bool:
    return (len(name) <= _MAX_TABLE_NAME and _VALID_NAME.match(name) is not None
            and ".." not in name and "--" not in name)


class _SectionBuilder:
    """Collects distinct (case-insensitively) valid names with their family/style/sub."""

    def __init__(self, rng: random.Random, reserved: set[str]):
        self.rng = rng
        self.reserved = reserved  # lowercased names never to generate (foundations')
        self.seen: dict[str, None] = {}
        self.rows: list[tuple[str, int, int, int]] = []

    def add(self, count: int, make: Callable[[random.Random], str], family: int, style: int,
            sub: Callable[[random.Random], int] = lambda rng: 0) -> None:
        made, tries = 0, 0
        while made < count and tries < count * 30:
            tries += 1
            name = make(self.rng)
            key = name.lower()
            if key in self.seen or key in self.reserved or not _is_valid_name(name):
                continue
            self.seen[key] = None
            self.rows.append((name, family, style, sub(self.rng)))
            made += 1

    def build(self) -> _Section:
        rows = [row for row in self.rows if not self._shadows(row[0])]
        self.rng.shuffle(rows)
        rows = rows[:_largest_prime_at_most(len(rows))]
        names, families, styles, subs = zip(*rows)
        return _Section(names, array("h", families), bytes(styles), bytes(subs), len(names))

    def _shadows(self, name: str) -> bool:
        """True when `name` equals another name plus a lap suffix ("X" and "X-v2", "X-2")."""
        m = _LAP_SUFFIX.match(name.lower())
        if not m or int(m.group(2)) < 2:
            return False
        return m.group(1) in self.seen or m.group(1) in self.reserved


def _largest_prime_at_most(n: int) -> int:
    """Section sizes are prime so any multiplier permutes a section."""
    def is_prime(k: int) -> bool:
        return k >= 2 and all(k % d for d in range(2, int(k ** 0.5) + 1))
    while not is_prime(n):
        n -= 1
    return n


class _Fields(dict):
    """Template fields, each drawn on first use: a name pays only for the parts it shows."""

    def __init__(self, rng: random.Random, family: _Foundation | None = None,
                 pipeline: str | None = None) -> None:
        super().__init__()
        self.rng, self.family, self.pipeline = rng, family, pipeline

    def __missing__(self, key: str) -> str:
        value = _FIELD_MAKERS[key](self)
        self[key] = value
        return value


def _draw(items):
    return lambda x: items[int(x.rng.random() * len(items))]


def _number(low: int, high: int):
    return lambda x: str(low + int(x.rng.random() * (high - low + 1)))


_MODALITY_TASKS = {
    "text": _TASKS,
    "vision": "cifar10 food101 beans eurosat mnist plant-disease xray skin-lesion faces".split(),
    "audio": "speech-commands gtzan esc50 emotion keyword-spotting accent".split(),
    "image-gen": "pokemon naruto anime faces interior".split(),
    "multimodal": "docvqa chartqa textvqa coco-captions screenshots".split(),
    "other": "sales energy weather stocks pick-place so100".split(),
}
_FIELD_MAKERS = {
    "stem": lambda x: _pick(x.rng, x.family.stems),
    "stem_": lambda x: x["stem"].lower().replace("-", "_"),
    "short": lambda x: x.family.short,
    "shortlow": lambda x: x.family.short.lower(),
    "size": lambda x: x.family.size,
    "d1": _draw(_DESCRIPTORS), "d2": _draw(_DESCRIPTORS),
    "cre": _draw(_CREATIVE), "cre2": _draw(_CREATIVE), "crelow": lambda x: x["cre"].lower(),
    "w1": _draw(_WORDS), "w2": _draw(_WORDS),
    "task": _draw(_TASKS), "topic": _draw(_TASKS + _DESCRIPTORS),
    "subject": _draw(_SUBJECTS), "lang": _draw(_LANGS), "lang2": _draw(_LANGS),
    "method": lambda x: _pick(x.rng, _MERGE_METHODS)[0],
    "rank": _draw(("4", "8", "16", "32", "64")),
    "n9": _number(1, 9), "n20": _number(1, 20), "n30": _number(1, 30), "n99": _number(1, 99),
    "n500": _number(1, 500), "cv": _number(11, 17), "mparams": _number(2, 120),
    "gptm": _number(10, 900), "llmsize": _draw(_SIZES),
    "algo": _draw(_RL[0]), "env": _draw(_RL[1]), "rltail": _draw(_RL[2]),
    "word": lambda x: _PIPELINE_WORD.get(x.pipeline or "", "model"),
    "word_": lambda x: x["word"].replace("-", "_"),
    "base": lambda x: _pick(x.rng, _BASE_WORDS[_MODALITY.get(x.pipeline, "text")]),
    "mtask": lambda x: _pick(x.rng, _MODALITY_TASKS[_MODALITY.get(x.pipeline, "text")]),
}


def _templates(*pairs):
    """A chooser over (template, weight) pairs; bare strings weigh 1."""
    return _chooser([p if isinstance(p, tuple) else (p, 1.0) for p in pairs])


_FT_NAMES = _templates(
    ("{stem}-{d1}", 30), ("{stem}-{d1}-{d2}", 20), ("{cre}-{short}-{size}", 15),
    ("{cre}{cre2}-{size}-{d1}", 10), ("{short}-{size}-{d1}-{d2}", 10), ("{stem_}_{d1}_{d2}", 8),
    ("{cre}-{size}-{d1}-{n9}", 7))
_ADAPTER_NAMES = _templates(
    "{stem}-{topic}-lora", "{stem}-lora-r{rank}", "lora-{short}-{topic}",
    "my-lora-r{rank}-{topic}", "{short}-{size}-{topic}-qlora", "{topic}-adapter-{short}",
    "{stem}-{topic}-peft", "{stem}_{topic}_lora_{n99}")
_IMAGE_ADAPTER_NAMES = _templates(
    "{stem}-{subject}-lora", "{subject}-{short}-LoRA", "{cre}-{subject}-lora",
    "{shortlow}-{subject}-{crelow}", "lora-{subject}-{crelow}-{short}", "{cre}{cre2}_{subject}")
_MERGE_NAMES = _templates(
    "{cre}{cre2}{n30}-{size}-{method}", "{cre}-{size}-{method}", "{short}-{size}-{cre}-merge",
    "{cre}-{cre2}-{size}", "{stem}-{method}-{cre}", "{cre}{cre2}-{short}-{size}",
    "{cre}-{short}-{size}-{method}-{n9}")
_SPEECH_NAMES = _templates(
    "{stem}-{lang}", "{stem}-{lang}-{d1}", "{stem}-finetuned-{lang}", "{stem}-{lang}-cv{cv}")
_IMAGE_NAMES = _templates("{cre}Mix-{short}", "{stem}-{subject}-{cre}", "{cre}{cre2}-{short}")
_TASK_NAMES = _templates(
    "{stem}-finetuned-{task}", "{stem}-{task}", "{stem}-finetuned-{task}-{lang}",
    "{stem}_{task}_{n20}", "{task}-{stem}", "{stem}-{task}-{w1}")
_ROOT_NAMES = {
    "reinforcement-learning": _templates("{algo}-{env}", "{algo}-{env}-{rltail}", "{env}-{algo}"),
    "text-generation": _templates(
        "{cre}-{llmsize}", "{w1}-llm-{llmsize}", "tiny-{w1}-{mparams}M", "{w1}-gpt-{gptm}m",
        "{cre}{cre2}-{llmsize}-base", "{w1}-{w2}-chat", "{cre}-{llmsize}-{d1}",
        "nanogpt-{w1}-{w2}", "{w1}_{w2}_model_{n30}", "{crelow}-{w1}-{n9}"),
    "translation": _templates(
        "opus-mt-{lang}-{lang2}-finetuned-{w1}", "{w1}-translator-{lang}-{lang2}",
        "nllb-{w1}-{lang}-{lang2}", "marian-{lang}-{lang2}-{w2}"),
    None: _templates(
        "{base}-finetuned-{mtask}", "{w1}-{word}-{n99}", "my_awesome_{word_}_model",
        "{base}-{w1}-{w2}", "{cre}-{word}", "{w1}-{word}-{lang}", "{base}_{w1}_{n9}",
        "{word}-{base}-{d1}", "results-{w1}-{n500}", "{cre}-{base}-{mtask}"),
}


def _fill(templates, fields: _Fields) -> str:
    return _choose(templates, fields.rng.random()).format_map(fields)


def _derivative_name(rng: random.Random, f: _Foundation, style: int, quant: str) -> str:
    fields = _Fields(rng, f)
    if style == _QUANTIZED:
        base = _fill(_FT_NAMES, fields) if rng.random() < 0.55 else fields["stem"]
        return f"{base}-{_pick(rng, _QUANT[quant][0])}"
    if style == _ADAPTER:
        return _fill(_IMAGE_ADAPTER_NAMES if f.group in _IMAGE_GROUPS else _ADAPTER_NAMES, fields)
    if style == _MERGE:
        return _fill(_MERGE_NAMES, fields)
    if f.group in ("llm", "vlm", "gpt2"):
        return _fill(_FT_NAMES, fields)
    if f.group == "s2t":
        return _fill(_SPEECH_NAMES, fields)
    return _fill(_IMAGE_NAMES if f.group in _IMAGE_GROUPS else _TASK_NAMES, fields)


def _root_name(rng: random.Random, pipeline: str | None) -> str:
    templates = _ROOT_NAMES.get(pipeline, _ROOT_NAMES[None])
    return _fill(templates, _Fields(rng, pipeline=pipeline))


def _org_names(org: str) -> list[tuple[str, str]]:
    brands, sizes, variants, pipeline = _ORG_BRANDS[org]
    out = []
    for brand in brands.split():
        for size in sizes.split():
            for variant in variants.split():
                joiner = "" if size.startswith(".") else "-"
                name = f"{brand}{joiner}{size}{'' if variant == '_' else variant}"
                out.append((name, pipeline))
    return out


def _derivative_shares(styles_for: Callable[[_Foundation], tuple[float, ...]]):
    """(foundation index, style, weight) for every family and name style."""
    rows = []
    for k, f in enumerate(_FOUNDATIONS):
        for style, share in zip((_FINETUNE, _ADAPTER, _QUANTIZED, _MERGE), styles_for(f)):
            if share > 0:
                rows.append((k, style, f.weight * share))
    return rows


def _fill_derivatives(builder: _SectionBuilder, count: int, rows) -> None:
    total = sum(w for _, _, w in rows)
    for k, style, w in rows:
        f = _FOUNDATIONS[k]
        share = round(count * w / total)
        if style == _QUANTIZED:
            _fill_quantized(builder, share, f, k, _GROUPS[f.group][3])
        else:
            builder.add(share, lambda rng, f=f, style=style: _derivative_name(rng, f, style, ""),
                        k, style)


def _fill_quantized(builder: _SectionBuilder, count: int, f: _Foundation, k: int, quants) -> None:
    total = sum(w for _, w in quants)
    for quant, w in quants:
        code = _QUANT_TYPES.index(quant)
        builder.add(max(1, round(count * w / total)),
                    lambda rng, q=quant: _derivative_name(rng, f, _QUANTIZED, q),
                    k, _QUANTIZED, lambda rng, c=code: c)


def _general_section(rng: random.Random, reserved: set[str]) -> _Section:
    builder = _SectionBuilder(rng, reserved)
    size = 24_000
    derived = 0.32  # share of derivative-looking names; the rest are ordinary roots
    _fill_derivatives(builder, int(size * derived),
                      _derivative_shares(lambda f: _GROUPS[f.group][1]))
    total = sum(w for _, w in _ROOT_PIPELINES)
    for pipeline, w in _ROOT_PIPELINES:
        code = _PIPELINE_CODE[pipeline]
        builder.add(round(size * (1 - derived) * w / total),
                    lambda rng, p=pipeline: _root_name(rng, p),
                    _MISC, _GENERIC, lambda rng, c=code: c)
    return builder.build()


def _llm_only(shares):
    return lambda f: shares if f.group in ("llm", "vlm") else (0.0, 0.0, 0.0, 0.0)


def _quant_section(rng: random.Random, reserved: set[str]) -> _Section:
    builder = _SectionBuilder(rng, reserved)
    _fill_derivatives(builder, 10_000, _derivative_shares(_llm_only((0.08, 0.0, 0.92, 0.0))))
    return builder.build()


def _merge_section(rng: random.Random, reserved: set[str]) -> _Section:
    builder = _SectionBuilder(rng, reserved)
    _fill_derivatives(builder, 5_000, _derivative_shares(_llm_only((0.4, 0.05, 0.0, 0.55))))
    return builder.build()


def _org_section(rng: random.Random, reserved: set[str], org: str) -> _Section:
    builder = _SectionBuilder(rng, reserved)
    names = _org_names(org)
    for name, pipeline in names:
        builder.add(1, lambda rng, name=name: name, _MISC, _ORG,
                    lambda rng, c=_PIPELINE_CODE[pipeline]: c)
    return builder.build()


def _user_name(rng: random.Random) -> str:
    parts = [_pick(rng, _SYLLABLES) for _ in range(rng.randint(2, 3))]
    name = "".join(parts)
    u = rng.random()
    if u < 0.25:
        name = name.capitalize()
    elif u < 0.35:
        name = "".join(p.capitalize() for p in parts)
    name += _pick(rng, _USER_SUFFIXES)
    if rng.random() < 0.3:
        name += str(rng.randint(1, 2025))
    return name


def _build_authors(rng: random.Random, section_of_profile: dict[str, int]) -> _Authors:
    named = {rank: (name, profile) for rank, name, profile in _NAMED_AUTHORS}
    taken = {name.lower() for name, _ in named.values()}
    taken |= {f.repo_id.split("/")[0].lower() for f in _FOUNDATIONS}
    names, sections = [], []
    for rank in range(1, _N_AUTHORS + 1):
        if rank in named:
            name, profile = named[rank]
        else:
            name, profile = _user_name(rng), "user"
            while name.lower() in taken:
                name = _user_name(rng)
            taken.add(name.lower())
        names.append(name)
        sections.append(section_of_profile.get(name, section_of_profile[profile]))
    quota = _zipf_quotas(len(names))
    slot_author = array("H")
    for a, q in enumerate(quota):
        slot_author.extend([a] * q)
    shuffled = list(slot_author)
    rng.shuffle(shuffled)
    slot_author = array("H", shuffled)
    seen = [0] * len(names)
    slot_rank = array("I", [0] * _SLOTS)
    for s, a in enumerate(slot_author):
        slot_rank[s] = seen[a]
        seen[a] += 1
    return _Authors(tuple(names), bytes(sections), array("I", quota), slot_author, slot_rank,
                    frozenset(taken))


def _zipf_quotas(count: int) -> list[int]:
    """Slots per author out of 2^16: Zipf-Mandelbrot, at least one each, summing exactly."""
    weights = [1.0 / (k + _ZIPF_Q) ** _ZIPF_S for k in range(1, count + 1)]
    total = sum(weights)
    quota = [max(1, int(_SLOTS * w / total)) for w in weights]
    remainder = _SLOTS - sum(quota)
    assert 0 <= remainder < count
    for k in range(remainder):  # the rounding remainder goes to the top ranks
        quota[k] += 1
    return quota


@cache
def _tables() -> _Tables:
    rng = random.Random(0x48554221)  # fixed: tables do not depend on the seed
    reserved = set()  # lowercased names that must never be generated
    for f in _FOUNDATIONS:
        name = f.repo_id.split("/")[1].lower()
        reserved.add(name)
        lap = _LAP_SUFFIX.match(name)
        if lap and int(lap.group(2)) >= 2:
            reserved.add(lap.group(1))  # "phi" would lap into "phi-2", a foundation
    sections = [_general_section(rng, reserved), _quant_section(rng, reserved),
                _merge_section(rng, reserved)]
    section_of = {"user": 0, "quant": 1, "merge": 2, "org": 0}
    for org in _ORG_BRANDS:
        section_of[org] = len(sections)
        sections.append(_org_section(rng, reserved, org))
    return _Tables(tuple(sections), _build_authors(rng, section_of))


# ---------------------------------------------------------------------------------------
# Identity: everything other records may need about index i, as a pure function.


class _Namer:
    """Per-seed naming of index i as (author, name, family, style, sub).

    Author a's r-th model (r counts a's slots over blocks of 2^16 indexes) takes entry
    (r * mult[a] + offset[a]) mod the prime size of a's section, plus a lap suffix once r
    exceeds that size: distinct r give distinct names, so ids never repeat without
    remembering any."""

    def __init__(self, seed: int) -> None:
        tables = _tables()
        authors = tables.authors
        self.keys = _keys(seed)
        self.slot_mult = self.keys.slot_mult
        self.slot_author = authors.slot_author
        self.slot_rank = authors.slot_rank
        self.authors = []  # per author: (name, quota, mult, offset, section)
        for a, name in enumerate(authors.names):
            section = tables.sections[authors.section[a]]
            h = _mix((self.keys.author + a * _GOLDEN) & _M64)
            self.authors.append((name, authors.quota[a], 1 + h % (section.size - 1),
                                 (h >> 32) % section.size, section))
        self._block, self._block_offset = -1, 0  # memo: indexes come mostly in order

    def identity(self, i: int) -> tuple[str, str, int, int, int]:
        block = i >> 16
        if block != self._block:
            self._block = block
            self._block_offset = _mix((self.keys.block + block) & _M64) & (_SLOTS - 1)
        slot = ((i & (_SLOTS - 1)) * self.slot_mult + self._block_offset) & (_SLOTS - 1)
        author, quota, mult, offset, section = self.authors[self.slot_author[slot]]
        lap, entry = divmod(block * quota + self.slot_rank[slot], section.size)
        entry = (entry * mult + offset) % section.size
        name = section.names[entry]
        if lap:
            name += _lap_suffix(lap)
        return author, name, section.family[entry], section.style[entry], section.sub[entry]

    def repo_id(self, i: int) -> str:
        k = _FOUNDATION_AT.get(i)
        if k is not None:
            return _FOUNDATIONS[k].repo_id
        author, name, _, _, _ = self.identity(i)
        return f"{author}/{name}"


@lru_cache(maxsize=8)
def _namer(seed: int) -> _Namer:
    return _Namer(seed)


def model_id(seed: int, index: int) -> str:
    """The Hub id ("author/name") of record `index` in any generation with this seed."""
    if index < 0:
        raise ValueError("index must be >= 0")
    return _namer(seed).repo_id(index)


@lru_cache(maxsize=1024)
def _oddities(oddity_key: int, block: int) -> tuple[int, int, int, int]:
    """(self-loop index, cycle start, cycle length, missing-parent index) of one block of
    _ODDITY_BLOCK indexes: one of each per block, in separate thirds, off foundations."""
    h = _mix((oddity_key + block * _GOLDEN) & _M64)
    third = _ODDITY_BLOCK // 3
    length = 2 + (h >> 60) % 3
    picks = []
    for part, width in ((0, 1), (1, length), (2, 1)):
        start = block * _ODDITY_BLOCK + part * third + (h >> (20 * part)) % (third - 5)
        while any(p in _FOUNDATION_AT for p in range(start, start + width)):
            start += width
        picks.append(start)
    return picks[0], picks[1], length, picks[2]


def _oddity_kind(oddity_key: int, i: int) -> int:
    self_loop, cycle, length, missing = _oddities(oddity_key, i // _ODDITY_BLOCK)
    if i == self_loop:
        return _SELF_LOOP
    if i == missing:
        return _MISSING
    return _CYCLE if cycle <= i < cycle + length else 0


def _pure_kind(style: int, h: int) -> int:
    """_ROOT, or the relation the name's style suggests (ordinary names: finetune)."""
    if (h & 0xFFFFFF) >= _P_DERIVED[style] * 0x1000000:
        return _ROOT
    return style if _FINETUNE <= style <= _MERGE else _FINETUNE


def _root_created(h: int) -> int:
    """Creation time of a root: exponential growth over 2020-01-01 .. 2026-10-31."""
    u = ((h >> 24) & 0xFFFFFF) / 0x1000000
    return _START + int(_SPAN * math.log1p(u * _GROWTH_SCALE) / _GROWTH)


def _derived_created(u: float, after: int) -> int:
    """Some time after the latest parent, up to the end of the span (sooner is likelier)."""
    after = max(after, _START) + 600
    return _END if after >= _END else after + int((_END - after) * u ** 1.2)


_SPAN = _END - _START
_GROWTH_SCALE = math.expm1(_GROWTH)


# ---------------------------------------------------------------------------------------
# Lineage state: a fixed number of bounded pools of recent possible parents.

_POOL_SIZE = 256
_P_FOUNDATION = 0.7  # a family derivative names the foundation itself, else a pool member
_P_CHAIN = (0.0, 0.015, 0.0, 0.0, 0.25)  # by relation: extend the family's long chain
_P_POOLED = (0.3, 1.0, 0.03, 0.1, 1.0)  # by relation (root first): becomes a possible parent
_P_FORWARD = 0.03  # a misc derivative names a root generated a little later

Parent = tuple[str, int, int]  # (id, depth, created)


class _Pool:
    """A ring of the latest possible parents of one family."""

    __slots__ = ("items", "pos")

    def __init__(self) -> None:
        self.items: list[Parent] = []
        self.pos = 0

    def add(self, item: Parent) -> None:
        if len(self.items) < _POOL_SIZE:
            self.items.append(item)
        else:
            self.items[self.pos] = item
            self.pos = (self.pos + 1) % _POOL_SIZE

    def pick(self, u: float) -> Parent | None:
        items = self.items
        return items[int(u * len(items))] if items else None


class _Lineage:
    """Chooses parents: the family's foundation, a recent family member, the tip of the
    family's mergekit-style chain (12-40 links), or for ordinary names an ordinary root."""

    def __init__(self, namer: _Namer, n: int, rng: random.Random) -> None:
        self.namer, self.n, self.random = namer, n, rng.random
        count = len(_FOUNDATIONS)
        self.present = [_FOUNDATION_POSITIONS[k] < n for k in range(count)]
        self.family_of = [self._present_ancestor(k) for k in range(count)]
        self.pools = [_Pool() for _ in range(count)]
        self.misc = _Pool()
        self.chains: list[list | None] = [None] * count  # [tip, target depth]
        self.extending = _MISC  # the family whose chain the last choice extended
        self.foundation = [(f.repo_id, _foundation_depth(k), _foundation_created(k))
                           for k, f in enumerate(_FOUNDATIONS)]
        self.relatives = [self._relatives(k) for k in range(count)]

    def _present_ancestor(self, k: int) -> int:
        """A family whose foundation lies beyond n hangs off its nearest generated ancestor."""
        while not self.present[k]:
            parent = _FOUNDATIONS[k].parent
            if parent is None:
                return _MISC
            k = _FOUNDATION_KEY[parent]
        return k

    def foundation_parent(self, k: int) -> tuple[list[str], int, int] | None:
        parent = _FOUNDATIONS[k].parent
        if parent is None or not self.present[_FOUNDATION_KEY[parent]]:
            return None
        item = self.foundation[_FOUNDATION_KEY[parent]]
        return [item[0]], item[1] + 1, item[2]

    def choose(self, i: int, family: int, relation: int) -> tuple[list[str], int, int] | None:
        """(parent ids, depth, latest parent creation) or None when no parent is at hand."""
        family = self.family_of[family] if family != _MISC else _MISC
        if family == _MISC:
            return self._misc_parents(i, relation)
        r = self.random
        self.extending = _MISC
        if r() < _P_CHAIN[relation]:
            first = self._chain_link(family)
            self.extending = family
        elif r() < _P_FOUNDATION:
            first = self.foundation[family]
        else:
            first = self.pools[family].pick(r()) or self.foundation[family]
        if relation != _MERGE:
            return [first[0]], first[1] + 1, first[2]
        items = [first] + self._merge_partners(family, first[0], 1 + int(r() ** 2 * 3))
        return ([item[0] for item in items], 1 + max(item[1] for item in items),
                max(item[2] for item in items))

    def _chain_link(self, family: int) -> Parent:
        chain = self.chains[family]
        if chain is not None and chain[0][1] < chain[1]:
            return chain[0]
        start = self.pools[family].pick(self.random()) or self.foundation[family]
        if start[1] > 2:
            start = self.foundation[family]
        length = 12 + int(self.random() ** 0.7 * 29)
        self.chains[family] = [start, min(MAX_DEPTH, start[1] + length)]
        return start

    def _merge_partners(self, family: int, first: str, count: int) -> list[Parent]:
        """1-3 more distinct parents: family members, else the foundation or its relatives."""
        pool, found, seen = self.pools[family], [], {first}
        candidates = [pool.pick(self.random()) for _ in range(count * 2)]
        candidates += [self.foundation[k] for k in self.relatives[family]]
        for item in candidates:
            if item is not None and item[0] not in seen and item[1] < MAX_DEPTH:
                seen.add(item[0])
                found.append(item)
                if len(found) == count:
                    break
        return found

    def _relatives(self, k: int) -> tuple[int, ...]:
        """The family's foundation, then the other generated foundations of its group."""
        group = _FOUNDATIONS[k].group
        return (k,) + tuple(j for j, f in enumerate(_FOUNDATIONS)
                            if j != k and f.group == group and self.family_of[j] == j)

    def _misc_parents(self, i: int, relation: int) -> tuple[list[str], int, int] | None:
        """A recent ordinary root (or one generated a little later); merges take 2-4."""
        item = self.misc.pick(self.random()) if self.random() >= _P_FORWARD else None
        item = item or self._forward_root(i)
        if item is None:
            return None
        items = [item]
        if relation == _MERGE:
            wanted = 1 + int(self.random() ** 2 * 3)
            for _ in range(wanted * 2):
                other = self.misc.pick(self.random())
                if other is not None and all(other[0] != x[0] for x in items):
                    items.append(other)
                if len(items) > wanted:
                    break
            if len(items) < 2:
                return None
        return ([x[0] for x in items], 1 + max(x[1] for x in items), max(x[2] for x in items))

    def _forward_root(self, i: int) -> Parent | None:
        """An ordinary root a few hundred indexes ahead: a child listed before its parent."""
        keys = self.namer.keys
        for _ in range(12):
            j = i + 1 + int(self.random() * 400)
            if j >= self.n or j in _FOUNDATION_AT or _oddity_kind(keys.oddity, j):
                continue
            author, name, family, style, _ = self.namer.identity(j)
            h = _mix((keys.index + j * _GOLDEN) & _M64)
            if family == _MISC and _pure_kind(style, h) == _ROOT:
                return f"{author}/{name}", 0, _root_created(h)
        return None

    def remember(self, relation: int, family: int, item: Parent) -> None:
        """Offer a new model as a possible parent of later derivatives; a new chain link
        becomes its chain's tip."""
        family = self.family_of[family] if family != _MISC else _MISC
        if family != _MISC and family == self.extending:
            self.chains[family][0] = item
            self.extending = _MISC
        if item[1] >= MAX_DEPTH or self.random() >= _P_POOLED[relation]:
            return
        (self.misc if family == _MISC else self.pools[family]).add(item)


@cache
def _foundation_depth(k: int) -> int:
    parent = _FOUNDATIONS[k].parent
    return 0 if parent is None else 1 + _foundation_depth(_FOUNDATION_KEY[parent])


@cache
def _foundation_created(k: int) -> int:
    return _timestamp(_FOUNDATIONS[k].created)


def _timestamp(iso: str) -> int:
    from datetime import datetime, timezone  # noqa: PLC0415 - only for the fixed tables

    return int(datetime.fromisoformat(iso).replace(tzinfo=timezone.utc).timestamp())


# ---------------------------------------------------------------------------------------
# Attributes and formatting.


def _clock() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Day, hour:minute and second strings, so formatting a time is three lookups."""
    from datetime import date, timedelta  # noqa: PLC0415

    first = date(2020, 1, 1)
    days = tuple((first + timedelta(days=d)).isoformat() for d in range(_SPAN // 86400 + 1))
    minutes = tuple(f"T{m // 60:02d}:{m % 60:02d}:" for m in range(1440))
    seconds = tuple(f"{s:02d}.000Z" for s in range(60))
    return days, minutes, seconds


_DAYS, _MINUTES, _SECONDS = _clock()


def _iso(ts: int) -> str:
    day, rest = divmod(ts - _START, 86400)
    minute, second = divmod(rest, 60)
    return _DAYS[day] + _MINUTES[minute] + _SECONDS[second]


_LICENSE_CHOICE = _chooser(_LICENSES)
_REFERENCES_OF = {"text": "nlp", "audio": "speech", "vision": "en", "image-gen": "en",
                  "multimodal": "llm", "other": "en"}
_LIBRARY_BY_PIPELINE = {
    "text-generation": (("transformers", 0.8), ("mlx", 0.03), ("gguf", 0.05), (None, 0.12)),
    "text-classification": (("transformers", 0.85), ("setfit", 0.05), (None, 0.1)),
    "reinforcement-learning": (("stable-baselines3", 0.6), ("ml-agents", 0.25),
                               ("sample-factory", 0.05), (None, 0.1)),
    "text-to-image": (("diffusers", 0.85), (None, 0.15)),
    "image-classification": (("transformers", 0.6), ("timm", 0.25), ("keras", 0.05), (None, 0.1)),
    "feature-extraction": (("transformers", 0.5), ("sentence-transformers", 0.4), ("onnx", 0.05),
                           (None, 0.05)),
    "sentence-similarity": (("sentence-transformers", 0.95), (None, 0.05)),
    "token-classification": (("transformers", 0.8), ("span-marker", 0.05), ("flair", 0.05),
                             (None, 0.1)),
    "object-detection": (("transformers", 0.4), ("ultralytics", 0.4), (None, 0.2)),
    "text-to-speech": (("transformers", 0.3), ("espnet", 0.2), (None, 0.5)),
    None: (("transformers", 0.35), (None, 0.4), ("peft", 0.1), ("keras", 0.05), ("onnx", 0.05),
           ("scikit-learn", 0.05)),
}


@dataclass(frozen=True)
class _Kind:
    """Fixed attributes of a family or of an ordinary root's pipeline."""

    group: str | None
    pipelines: tuple[tuple, list[float]]
    library: tuple[tuple, list[float]]
    archs: tuple[str, ...]
    license: str | None  # the family's, kept by most derivatives
    language_style: str | None  # see _languages
    references: str


def _family_kinds() -> tuple[_Kind, ...]:
    kinds = []
    for f in _FOUNDATIONS:
        pipelines, _, library, _, languages = _GROUPS[f.group]
        kinds.append(_Kind(f.group, _chooser(pipelines), _chooser(((library, 0.94), (None, 0.06))),
                           (f.arch,), f.license, languages,
                           languages if languages in _DATASETS else "en"))
    return tuple(kinds)


def _pipeline_kinds() -> tuple[_Kind, ...]:
    kinds = []
    for pipeline in _PIPELINES:
        modality = _MODALITY.get(pipeline, "text")
        library = _LIBRARY_BY_PIPELINE.get(pipeline, (("transformers", 0.85), (None, 0.15)))
        llm = pipeline == "text-generation"
        kinds.append(_Kind(None, _chooser(((pipeline, 1.0),)), _chooser(library),
                           _ROOT_ARCH.get(pipeline, ()), None,
                           "llm" if llm else ("nlp" if modality == "text" else None),
                           "llm" if llm else _REFERENCES_OF[modality]))
    return tuple(kinds)


_LIBRARY_TAGS = {
    "transformers": ("transformers",),
    "sentence-transformers": ("sentence-transformers",),
    "diffusers": ("diffusers",),
    "gguf": ("gguf",),
    "peft": ("peft",),
    "mlx": ("mlx",),
    "timm": ("timm", "pytorch"),
    "stable-baselines3": ("stable-baselines3", "deep-reinforcement-learning"),
    "ml-agents": ("ml-agents", "tensorboard", "onnx", "deep-reinforcement-learning"),
    "onnx": ("onnx",),
}
_WEIGHT_TAGS = {"transformers", "peft", "diffusers", "mlx", "sentence-transformers"}
_ARCH_TAGS = {"transformers", "sentence-transformers", "peft"}
_ENDPOINT_TAGS = {"transformers", "sentence-transformers", "gguf"}
_FT_EXTRAS = ("generated_from_trainer", "trl", "sft", "dpo", "unsloth", "axolotl",
              "llama-factory", "autotrain", "orpo", "grpo")
_FILES = {
    "transformers": ("config.json", "model.safetensors", "tokenizer.json",
                     "tokenizer_config.json", "special_tokens_map.json"),
    "transformers-llm": ("config.json", "generation_config.json",
                         "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                         "model.safetensors.index.json", "tokenizer.json", "tokenizer_config.json"),
    "peft": ("adapter_config.json", "adapter_model.safetensors", "tokenizer.json",
             "tokenizer_config.json", "training_args.bin"),
    "diffusers": ("pytorch_lora_weights.safetensors",),
    "diffusers-full": ("model_index.json", "scheduler/scheduler_config.json",
                       "text_encoder/config.json", "text_encoder/model.safetensors",
                       "unet/config.json", "unet/diffusion_pytorch_model.safetensors",
                       "vae/config.json", "vae/diffusion_pytorch_model.safetensors"),
    "sentence-transformers": ("1_Pooling/config.json", "config.json",
                              "config_sentence_transformers.json", "model.safetensors",
                              "modules.json", "sentence_bert_config.json", "tokenizer.json"),
    "timm": ("config.json", "model.safetensors", "pytorch_model.bin"),
    "mlx": ("config.json", "model.safetensors", "model.safetensors.index.json", "tokenizer.json"),
    "stable-baselines3": ("config.json", "model.zip", "replay.mp4", "results.json"),
    "onnx": ("config.json", "model.onnx", "tokenizer.json"),
}
_GGUF_LEVELS = ("Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "f16")
_GGUF_LIBRARY = _chooser((("gguf", 0.5), ("transformers", 0.25), (None, 0.25)))
_FAMILY_KINDS = _family_kinds()
_PIPELINE_KINDS = _pipeline_kinds()


@dataclass(frozen=True, slots=True)
class _Attrs:
    """What a record says about itself beyond id, lineage, dates and popularity.

    Drawn at random, but a generation keeps only _VARIANTS of them per (family or pipeline,
    name style, sub, kind) and hands them out at random: the combinations are few, and
    fixing the tag head/tail and file lists once is most of the cost of a record."""

    group: str | None
    pipeline: str | None
    library: str | None
    license: str | None
    languages: tuple[str, ...]
    references: str  # which dataset/arxiv pools fit the model
    merge_arxiv: str | None
    kind_tags: tuple[str, ...]  # flavour tags: "lora", "mergekit", "trl"...
    head: tuple[str, ...]  # library, weights format, architecture, task, flavour, languages
    tail: tuple[str, ...]  # license, serving, quantization, region, chat
    files: tuple[dict[str, str], ...] | None  # siblings to copy; None: GGUF, named per model
    gated: bool | str | None = None  # None: drawn per record
    downloads: int | None = None  # None: drawn per record (foundations are fixed)
    likes: int = 0


_VARIANTS = 32


def _attributes(r, family: int, style: int, sub: int, kind: int) -> _Attrs:
    """Pipeline, library, license... from the name's family or an ordinary root's pipeline."""
    spec = _FAMILY_KINDS[family] if family != _MISC else _PIPELINE_KINDS[
        sub if style in (_GENERIC, _ORG) else 0]
    pipeline = _choose(spec.pipelines, r())
    library = _choose(spec.library, r())
    license = spec.license if spec.license and r() < 0.7 else _choose(_LICENSE_CHOICE, r())
    quant = None
    if style == _QUANTIZED:
        quant = _QUANT_TYPES[sub]
        library = _choose(_GGUF_LIBRARY, r()) if quant == "gguf" else _QUANT[quant][1]
        if pipeline == "text-generation" and r() < 0.35:
            pipeline = None
    elif style == _ADAPTER:
        library = "diffusers" if spec.group in _IMAGE_GROUPS else "peft"
    arch = spec.archs[int(r() * len(spec.archs))] if spec.archs else ""
    merge_arxiv = _MERGE_METHODS[int(r() * len(_MERGE_METHODS))][1] if style == _MERGE else None
    languages, kind_tags = _languages(r, spec.language_style), _kind_tags(r, kind, spec.group)
    return _Attrs(
        spec.group, pipeline, library, license, languages, spec.references, merge_arxiv,
        kind_tags, _tag_head(r, library, arch, pipeline) + kind_tags + languages,
        _tag_tail(r, library, pipeline, license, quant, spec.group), _files(r, library, spec.group))


def _foundation_attributes(k: int) -> _Attrs:
    f = _FOUNDATIONS[k]
    pipelines, _, library, _, style = _GROUPS[f.group]
    pipeline = pipelines[0][0]
    r = random.Random(k).random  # fixed: foundations look the same in every generation
    languages = ("en",) if style in ("llm", "nlp", "en") else ()
    return _Attrs(
        f.group, pipeline, library, f.license, languages,
        style if style in _DATASETS else "en", None, (),
        _tag_head(r, library, f.arch, pipeline) + languages,
        _tag_tail(r, library, pipeline, f.license, None, f.group),
        _files(r, library, f.group), f.gated, f.downloads, f.likes)


def _languages(r, style: str | None) -> tuple[str, ...]:
    if style == "llm":
        u = r()
        if u < 0.4:
            return ("en",)
        return ("en", _LANGS[1 + int(r() * (len(_LANGS) - 1))]) if u < 0.55 else ()
    if style == "speech":
        return (_LANGS[int(r() * len(_LANGS))],)
    if style in ("nlp", "en") and r() < 0.4:
        return ("en",) if r() < 0.7 else (_LANGS[int(r() * len(_LANGS))],)
    return ()


def _references(r, attrs: _Attrs) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """dataset: references on ~25%, arxiv: on ~12% (and on most merges: the method's paper)."""
    u = r()
    if u >= 0.33:
        return (), (attrs.merge_arxiv,) if attrs.merge_arxiv else ()
    datasets, papers = _DATASETS[attrs.references], _ARXIV[attrs.references]
    found: tuple[str, ...] = ()
    if u < 0.25:
        found = (datasets[int(r() * len(datasets))],)
        if u < 0.08:
            extra = datasets[int(r() * len(datasets))]
            found = found if extra == found[0] else (found[0], extra)
    arxivs = (attrs.merge_arxiv,) if attrs.merge_arxiv else ()
    if u >= 0.21:
        paper = papers[int(r() * len(papers))]
        arxivs = arxivs if paper in arxivs else arxivs + (paper,)
    return found, arxivs


def _kind_tags(r, kind: int, group: str | None) -> tuple[str, ...]:
    """Flavour tags: how a model was made (mergekit, LoRA, trainer) or what it draws with."""
    if kind == _MERGE:
        return ("mergekit", "merge")
    if kind == _ADAPTER and group in _IMAGE_GROUPS:
        return ("lora", "template:sd-lora")
    if kind == _ADAPTER:
        return ("lora", "adapter") if r() < 0.2 else ("lora",)
    if group in _IMAGE_GROUPS:
        return ("stable-diffusion" if group == "diffusion" else "flux",)
    if kind == _FINETUNE and r() < 0.6:
        return (_FT_EXTRAS[int(r() * len(_FT_EXTRAS))],)
    return ()


def _tag_head(r, library: str | None, arch: str, pipeline: str | None) -> tuple[str, ...]:
    head = list(_LIBRARY_TAGS.get(library, ()))
    if library in _WEIGHT_TAGS:
        head.append("safetensors" if r() < 0.85 else "pytorch")
    if arch and library in _ARCH_TAGS:
        head.append(arch)
    if pipeline:
        head.append(pipeline)
    return tuple(head)


def _tag_tail(r, library: str | None, pipeline: str | None, license: str | None,
              quant: str | None, group: str | None) -> tuple[str, ...]:
    tail = ["license:" + license] if license else []
    if pipeline == "text-generation" and library == "transformers" and r() < 0.6:
        tail.append("text-generation-inference")
    if library in _ENDPOINT_TAGS and r() < 0.8:
        tail.append("endpoints_compatible")
    if quant:  # the library may have said "gguf"/"mlx"/"onnx" already
        tail += [tag for tag in _QUANT[quant][2] if tag not in _LIBRARY_TAGS.get(library, ())]
    tail.append("region:us")
    if group in _CHAT_GROUPS and r() < 0.5:
        tail.append("conversational")
    return tuple(tail)


def _files(r, library: str | None, group: str | None) -> tuple[dict[str, str], ...] | None:
    if library == "gguf":
        return None
    files = (".gitattributes", "README.md")
    if library == "transformers" and group == "llm":
        files += _FILES["transformers-llm"]
    elif library == "diffusers" and r() < 0.3:
        files += _FILES["diffusers-full"]
    else:
        files += _FILES.get(library, ())
    return tuple({"rfilename": f} for f in files)


def _tags(attrs: _Attrs, parents, typed: str | None, datasets, arxivs) -> list[str]:
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


def _card_data(r, kind: int, attrs: _Attrs, parents, datasets) -> dict:
    card: dict = {}
    if attrs.license and r() < 0.9:
        card["license"] = attrs.license
        if attrs.license == "other":
            card["license_name"] = "other"
    if attrs.languages and r() < 0.85:
        card["language"] = list(attrs.languages)
    if datasets:
        card["datasets"] = list(datasets)
    if attrs.library and r() < 0.5:
        card["library_name"] = attrs.library
    if attrs.pipeline and r() < 0.3:
        card["pipeline_tag"] = attrs.pipeline
    if attrs.kind_tags and r() < 0.6:
        card["tags"] = list(attrs.kind_tags)
    if parents and r() < 0.75:
        card["base_model"] = parents[0] if len(parents) == 1 and r() < 0.9 else list(parents)
        if r() < 0.35:
            card["base_model_relation"] = _RELATIONS[kind] or "finetune"
    return card


def _gguf_siblings(r, name: str) -> list[dict[str, str]]:
    """GGUF repositories name their files after the model, one per quantization level."""
    start = int(r() * 4)
    files = (".gitattributes", "README.md",
             *(f"{name}.{level}.gguf" for level in _GGUF_LEVELS[start:start + 3]))
    return [{"rfilename": f} for f in files]


_DOWNLOAD_SCALE, _DOWNLOAD_POWER = 5.0, 1.25  # log-logistic: P(X > x) ~ (5/x)^0.8


def _popularity(r, created: int) -> tuple[int, int, int]:
    """(downloads, likes, trendingScore): ~40% never downloaded; the rest log-logistic with
    a tail reaching tens of millions; likes and trending mostly zero, growing with use."""
    u = r()
    if u < 0.4:
        return 0, (0 if r() < 0.93 else 1 + int(r() * 3)), 0
    v = (u - 0.4) / 0.6  # the same draw, rescaled to [0, 1)
    downloads = min(150_000_000, 1 + int(_DOWNLOAD_SCALE * (v / (1.0 - v)) ** _DOWNLOAD_POWER))
    likes = 0
    if r() >= 0.6:
        likes = min(60_000, int((r() + 1e-9) ** -0.85 * (1 + math.log10(downloads))) - 1)
    chance = (0.3 if created > _END - 90 * 86400 else 0.06) + (0.2 if likes > 20 else 0.0)
    trending = min(5_000, int((r() + 1e-9) ** -1.1)) if r() < chance else 0
    return downloads, likes, trending


def _last_modified(r, created: int) -> int:
    if r() < 0.45:
        return min(_END, created + int(r() * 3600))
    return created + int((_END - created) * r() ** 3)


# ---------------------------------------------------------------------------------------
# The stream.


class _Generator:
    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.namer = _namer(seed)
        self.keys = self.namer.keys
        self.rng = random.Random(_mix((seed * 0x2545F4914F6CDD1D + 17) & _M64))
        self.lineage = _Lineage(self.namer, n, self.rng)
        self.variants: dict[tuple[int, int, int, int], list[_Attrs]] = {}
        self._odd_block, self._odd_set = -1, frozenset()

    def record(self, i: int) -> dict:
        h = _mix((self.keys.index + i * _GOLDEN) & _M64)
        k = _FOUNDATION_AT.get(i)
        if k is not None:
            found = self.lineage.foundation_parent(k)
            return self._format(i, h, _FOUNDATIONS[k].repo_id, _FINETUNE if found else _ROOT,
                                found[0] if found else (), _foundation_created(k),
                                _foundation_attributes(k))
        author, name, family, style, sub = self.namer.identity(i)
        repo_id = f"{author}/{name}"
        if i // _ODDITY_BLOCK != self._odd_block:
            self._load_oddities(i // _ODDITY_BLOCK)
        if i in self._odd_set:
            return self._oddity(i, h, repo_id, family, style, sub)
        kind = _pure_kind(style, h)
        found = self.lineage.choose(i, family, kind) if kind != _ROOT else None
        if found is None:
            created = _root_created(h)
            if family == _MISC:
                self.lineage.remember(_ROOT, _MISC, (repo_id, 0, created))
            return self._format(i, h, repo_id, _ROOT, (), created,
                                self._attributes(family, style, sub, _ROOT))
        parents, depth, after = found
        created = _derived_created(self.rng.random(), after)
        self.lineage.remember(kind, family, (repo_id, depth, created))
        return self._format(i, h, repo_id, kind, parents, created,
                            self._attributes(family, style, sub, kind))

    def _attributes(self, family: int, style: int, sub: int, kind: int) -> _Attrs:
        """A fresh draw for the first _VARIANTS uses of a key, then one of those at random."""
        r = self.rng.random
        key = (family, style, sub, kind)
        variants = self.variants.get(key)
        if variants is None:
            variants = self.variants[key] = []
        if len(variants) < _VARIANTS:
            variants.append(_attributes(r, family, style, sub, kind))
            return variants[-1]
        return variants[int(r() * _VARIANTS)]

    def _load_oddities(self, block: int) -> None:
        self_loop, cycle, length, missing = _oddities(self.keys.oddity, block)
        self._odd_block = block
        self._odd_set = frozenset((self_loop, missing, *range(cycle, cycle + length)))

    def _oddity(self, i: int, h: int, repo_id: str, family: int, style: int, sub: int) -> dict:
        """A self-loop, a cycle member naming the next member, or a child of a ghost."""
        odd = _oddity_kind(self.keys.oddity, i)
        if odd == _SELF_LOOP:
            parent = repo_id
        elif odd == _CYCLE:
            _, start, length, _ = _oddities(self.keys.oddity, i // _ODDITY_BLOCK)
            parent = self.namer.repo_id(start + (i - start + 1) % length)
        else:
            parent = _ghost_id(self.keys, i)
        kind = style if _FINETUNE <= style <= _QUANTIZED else _FINETUNE
        return self._format(i, h, repo_id, kind, (parent,), _root_created(h),
                            self._attributes(family, style, sub, kind))

    def _format(self, i: int, h: int, repo_id: str, kind: int, parents, created: int,
                attrs: _Attrs) -> dict:
        """The record dict, keys in the order the Hub's list API uses."""
        rng = self.rng
        r = rng.random
        if attrs.downloads is None:
            downloads, likes, trending = _popularity(r, created)
        else:
            downloads, likes, trending = attrs.downloads, attrs.likes, 0
        gated = attrs.gated
        if gated is None:
            u = r()
            gated = False if u < 0.97 else ("auto" if u < 0.992 else "manual")
        datasets, arxivs = _references(r, attrs)
        typed = None
        if parents and created >= _TYPED_SINCE:
            typed = f"base_model:{_RELATIONS[kind]}:"
        author, _, name = repo_id.partition("/")
        record = {
            # ObjectId-like: the creation second, then h, a bijection of the index.
            "_id": ((created << 64) | h).to_bytes(12, "big").hex(),
            "id": repo_id,
            "author": author,
            "gated": gated,
            "lastModified": _iso(_last_modified(r, created)),
            "likes": likes,
            "trendingScore": trending,
            "private": False,
            "disabled": False,
            "sha": rng.randbytes(20).hex(),
            "downloads": downloads,
            "tags": _tags(attrs, parents, typed, datasets, arxivs),
        }
        if attrs.pipeline:
            record["pipeline_tag"] = attrs.pipeline
        if attrs.library:
            record["library_name"] = attrs.library
        record["createdAt"] = _iso(created)
        record["modelId"] = repo_id
        files = attrs.files
        # Fresh dicts per record: a consumer may change one without touching the others.
        record["siblings"] = (list(map(dict.copy, files)) if files is not None
                              else _gguf_siblings(r, name))
        if r() < (0.8 if parents else 0.5):
            record["cardData"] = _card_data(r, kind, attrs, parents, datasets)
        return record


def _ghost_id(keys: _Keys, i: int) -> str:
    """A parent id no generation produces: its author is outside the author vocabulary."""
    tables = _tables()
    h = _mix((keys.oddity + i * 0x632BE59BD9B4E019) & _M64)
    n = len(_SYLLABLES)
    author = (f"{_SYLLABLES[h % n]}{_SYLLABLES[(h >> 8) % n]}-"
              f"{_SYLLABLES[(h >> 16) % n]}{(h >> 24) % 1000}")
    while author.lower() in tables.authors.known:
        author += "x"
    general = tables.sections[0]
    return f"{author}/{general.names[(h >> 40) % general.size]}"


def generate(n: int, seed: int = 0) -> Iterator[dict]:
    """Yield `n` synthetic Hub model records; the same (n, seed) gives the same records."""
    if n < 0:
        raise ValueError("n must be >= 0")
    generator = _Generator(n, seed)
    for i in range(n):
        yield generator.record(i)
