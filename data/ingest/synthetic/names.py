"""How one name is made: name templates and their fields, organisation and user names.

The templates are data: `{field}`s filled from the vocabulary by `_FIELD_MAKERS`, each drawn
on first use. A table of templates is a tuple of (template, weight) pairs or bare templates,
which weigh 1; its chooser is built the first time a name is drawn from it."""

from __future__ import annotations

import random
from functools import cache

from .foundations import Foundation
from .kinds import ADAPTER, MERGE, QUANTIZED
from .randomness import choose, chooser, pick
from .vocabulary import (
    BASE_WORDS,
    CREATIVE,
    DESCRIPTORS,
    IMAGE_GROUPS,
    LANGS,
    MERGE_METHODS,
    MODALITY,
    MODALITY_TASKS,
    ORG_BRANDS,
    PIPELINE_WORD,
    QUANT,
    RL_ALGORITHMS,
    RL_ENVIRONMENTS,
    RL_TAILS,
    SIZES,
    SUBJECTS,
    SYLLABLES,
    TASKS,
    USER_SUFFIXES,
    WORDS,
)

_P_QUANT_OF_FINETUNE = 0.55  # a quantization's name is a finetune's name (else the stem's)
_CAPITALIZED_BELOW = 0.25  # user names, from one draw u: below this "Kariven",
_CAMEL_CASE_BELOW = 0.35  # below this "KaRiVen", else "kariven"
_P_USER_NUMBER = 0.3  # a user name ends in a number


class _Fields(dict):
    """Template fields, each drawn on first use: a name pays only for the parts it shows."""

    def __init__(self, rng: random.Random, family: Foundation | None = None, pipeline: str | None = None) -> None:
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


_FIELD_MAKERS = {
    "stem": lambda x: pick(x.rng, x.family.stems),
    "stem_": lambda x: x["stem"].lower().replace("-", "_"),
    "short": lambda x: x.family.short,
    "shortlow": lambda x: x.family.short.lower(),
    "size": lambda x: x.family.size,
    "d1": _draw(DESCRIPTORS),
    "d2": _draw(DESCRIPTORS),
    "cre": _draw(CREATIVE),
    "cre2": _draw(CREATIVE),
    "crelow": lambda x: x["cre"].lower(),
    "w1": _draw(WORDS),
    "w2": _draw(WORDS),
    "task": _draw(TASKS),
    "topic": _draw(TASKS + DESCRIPTORS),
    "subject": _draw(SUBJECTS),
    "lang": _draw(LANGS),
    "lang2": _draw(LANGS),
    "method": lambda x: pick(x.rng, MERGE_METHODS)[0],
    "rank": _draw(("4", "8", "16", "32", "64")),
    "n9": _number(1, 9),
    "n20": _number(1, 20),
    "n30": _number(1, 30),
    "n99": _number(1, 99),
    "n500": _number(1, 500),
    "cv": _number(11, 17),
    "mparams": _number(2, 120),
    "gptm": _number(10, 900),
    "llmsize": _draw(SIZES),
    "algo": _draw(RL_ALGORITHMS),
    "env": _draw(RL_ENVIRONMENTS),
    "rltail": _draw(RL_TAILS),
    "word": lambda x: PIPELINE_WORD.get(x.pipeline or "", "model"),
    "word_": lambda x: x["word"].replace("-", "_"),
    "base": lambda x: pick(x.rng, BASE_WORDS[MODALITY.get(x.pipeline, "text")]),
    "mtask": lambda x: pick(x.rng, MODALITY_TASKS[MODALITY.get(x.pipeline, "text")]),
}


_FT_NAMES = (
    ("{stem}-{d1}", 30),
    ("{stem}-{d1}-{d2}", 20),
    ("{cre}-{short}-{size}", 15),
    ("{cre}{cre2}-{size}-{d1}", 10),
    ("{short}-{size}-{d1}-{d2}", 10),
    ("{stem_}_{d1}_{d2}", 8),
    ("{cre}-{size}-{d1}-{n9}", 7),
)
_ADAPTER_NAMES = (
    "{stem}-{topic}-lora",
    "{stem}-lora-r{rank}",
    "lora-{short}-{topic}",
    "my-lora-r{rank}-{topic}",
    "{short}-{size}-{topic}-qlora",
    "{topic}-adapter-{short}",
    "{stem}-{topic}-peft",
    "{stem}_{topic}_lora_{n99}",
)
_IMAGE_ADAPTER_NAMES = (
    "{stem}-{subject}-lora",
    "{subject}-{short}-LoRA",
    "{cre}-{subject}-lora",
    "{shortlow}-{subject}-{crelow}",
    "lora-{subject}-{crelow}-{short}",
    "{cre}{cre2}_{subject}",
)
_MERGE_NAMES = (
    "{cre}{cre2}{n30}-{size}-{method}",
    "{cre}-{size}-{method}",
    "{short}-{size}-{cre}-merge",
    "{cre}-{cre2}-{size}",
    "{stem}-{method}-{cre}",
    "{cre}{cre2}-{short}-{size}",
    "{cre}-{short}-{size}-{method}-{n9}",
)
_SPEECH_NAMES = ("{stem}-{lang}", "{stem}-{lang}-{d1}", "{stem}-finetuned-{lang}", "{stem}-{lang}-cv{cv}")
_IMAGE_NAMES = ("{cre}Mix-{short}", "{stem}-{subject}-{cre}", "{cre}{cre2}-{short}")
_TASK_NAMES = (
    "{stem}-finetuned-{task}",
    "{stem}-{task}",
    "{stem}-finetuned-{task}-{lang}",
    "{stem}_{task}_{n20}",
    "{task}-{stem}",
    "{stem}-{task}-{w1}",
)
_ROOT_NAMES = {
    "reinforcement-learning": ("{algo}-{env}", "{algo}-{env}-{rltail}", "{env}-{algo}"),
    "text-generation": (
        "{cre}-{llmsize}",
        "{w1}-llm-{llmsize}",
        "tiny-{w1}-{mparams}M",
        "{w1}-gpt-{gptm}m",
        "{cre}{cre2}-{llmsize}-base",
        "{w1}-{w2}-chat",
        "{cre}-{llmsize}-{d1}",
        "nanogpt-{w1}-{w2}",
        "{w1}_{w2}_model_{n30}",
        "{crelow}-{w1}-{n9}",
    ),
    "translation": (
        "opus-mt-{lang}-{lang2}-finetuned-{w1}",
        "{w1}-translator-{lang}-{lang2}",
        "nllb-{w1}-{lang}-{lang2}",
        "marian-{lang}-{lang2}-{w2}",
    ),
    None: (
        "{base}-finetuned-{mtask}",
        "{w1}-{word}-{n99}",
        "my_awesome_{word_}_model",
        "{base}-{w1}-{w2}",
        "{cre}-{word}",
        "{w1}-{word}-{lang}",
        "{base}_{w1}_{n9}",
        "{word}-{base}-{d1}",
        "results-{w1}-{n500}",
        "{cre}-{base}-{mtask}",
    ),
}


@cache
def _template_chooser(templates: tuple) -> tuple[tuple, list[float]]:
    return chooser(tuple(t if isinstance(t, tuple) else (t, 1.0) for t in templates))


def _fill(templates: tuple, fields: _Fields) -> str:
    return choose(_template_chooser(templates), fields.rng.random()).format_map(fields)


def derivative_name(rng: random.Random, f: Foundation, style: int, quant: str) -> str:
    """A name that suggests a derivative of `f` in this style (a quantized one: of `quant`)."""
    fields = _Fields(rng, f)
    if style == QUANTIZED:
        base = _fill(_FT_NAMES, fields) if rng.random() < _P_QUANT_OF_FINETUNE else fields["stem"]
        return f"{base}-{pick(rng, QUANT[quant][0])}"
    if style == ADAPTER:
        return _fill(_IMAGE_ADAPTER_NAMES if f.group in IMAGE_GROUPS else _ADAPTER_NAMES, fields)
    if style == MERGE:
        return _fill(_MERGE_NAMES, fields)
    if f.group in ("llm", "vlm", "gpt2"):
        return _fill(_FT_NAMES, fields)
    if f.group == "s2t":
        return _fill(_SPEECH_NAMES, fields)
    return _fill(_IMAGE_NAMES if f.group in IMAGE_GROUPS else _TASK_NAMES, fields)


def root_name(rng: random.Random, pipeline: str | None) -> str:
    """A name for an ordinary root of this pipeline ("ppo-LunarLander-v2", "tiny-demo-42M")."""
    templates = _ROOT_NAMES.get(pipeline, _ROOT_NAMES[None])
    return _fill(templates, _Fields(rng, pipeline=pipeline))


def org_names(org: str) -> list[tuple[str, str]]:
    """Each brand with each size and variant: "Qwen2.5-7B-Instruct", "resnet50.a1_in1k"."""
    brands, sizes, variants, pipeline = ORG_BRANDS[org]
    return [
        (brand + _joined(size) + _joined(variant), pipeline)
        for brand in brands
        for size in sizes
        for variant in variants
    ]


def _joined(part: str) -> str:
    """A name part after the brand: "-" before it, none before "." (or for an empty part)."""
    return part if not part or part.startswith(".") else "-" + part


def user_name(rng: random.Random) -> str:
    """A user built of syllables, sometimes capitalised, with a suffix or a number."""
    parts = [pick(rng, SYLLABLES) for _ in range(rng.randint(2, 3))]
    name = "".join(parts)
    u = rng.random()
    if u < _CAPITALIZED_BELOW:
        name = name.capitalize()
    elif u < _CAMEL_CASE_BELOW:
        name = "".join(p.capitalize() for p in parts)
    name += pick(rng, USER_SUFFIXES)
    if rng.random() < _P_USER_NUMBER:
        name += str(rng.randint(1, 2025))
    return name
