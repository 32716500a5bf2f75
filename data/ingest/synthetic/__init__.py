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

The package's parts, each with one job. Data: `vocabulary` (word lists and tables) and
`foundations` (the foundation models and their groups), plain constants that the code turns
into lookup and choice tables on first use, so importing the package computes nothing.
Code: `randomness` (per-index hashing, weighted choice), `kinds` (shared codes), `names`
(one name from templates) and `tables` (the per-process name and author tables), `identity`
(index i as author, name, family and style for any seed; oddities), `lineage` (parents),
`dates`, `attributes` (pipeline, library, tags, files), `popularity`, `cards` (tags, cardData,
GGUF files) and `records` (the stream). Every chance and threshold is a named constant in
the module that uses it.
"""

from __future__ import annotations

from .identity import model_id
from .lineage import MAX_DEPTH
from .records import generate

__all__ = ["MAX_DEPTH", "generate", "model_id"]
