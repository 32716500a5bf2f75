"""What a record says about itself: pipeline, library, license, languages, tags, files."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from .foundations import FOUNDATIONS, GROUPS
from .kinds import ADAPTER, FINETUNE, GENERIC, MERGE, MISC, ORG, QUANTIZED
from .randomness import choose, chooser
from .vocabulary import (
    ARCH_TAGS,
    ARXIV,
    CHAT_GROUPS,
    DATASETS,
    ENDPOINT_TAGS,
    FILES,
    FT_EXTRAS,
    GGUF_LIBRARIES,
    IMAGE_GROUPS,
    LANGS,
    LIBRARY_BY_PIPELINE,
    LIBRARY_TAGS,
    LICENSES,
    MERGE_METHODS,
    MODALITY,
    OTHER_ROOT_LIBRARIES,
    QUANT,
    REFERENCES_OF,
    ROOT_ARCH,
    ROOT_PIPELINES,
    WEIGHT_TAGS,
)

# Chances (r() below them) and, where one draw u decides between several outcomes, the
# thresholds u is compared with.
_P_FAMILY_LIBRARY = 0.94  # a family member declares its group's library (else none)
_P_FAMILY_LICENSE = 0.7  # a family member keeps its foundation's license (else LICENSES)
_P_QUANT_NO_PIPELINE = 0.35  # a quantized text-generation model declares no pipeline
_LLM_EN_BELOW = 0.4  # LLM languages: u below this, "en" alone;
_LLM_EN_PLUS_BELOW = 0.55  # below this, "en" and one other language; else none
_P_NLP_LANGUAGE = 0.4  # a text or English-style model declares a language,
_P_NLP_ENGLISH = 0.7  # which is "en" (else any of LANGS)
# References, from one draw u: below _TWO_DATASETS_BELOW two dataset draws, below
# _DATASET_BELOW one; from _PAPER_FROM to _CITES_BELOW a paper; from _CITES_BELOW nothing
# (a merge still cites its method's paper).
_TWO_DATASETS_BELOW = 0.08
_PAPER_FROM = 0.21
_DATASET_BELOW = 0.25
_CITES_BELOW = 0.33
_P_ADAPTER_TAG = 0.2  # a text LoRA is also tagged "adapter"
_P_TRAINER_TAG = 0.6  # a finetune is tagged with its trainer or method (FT_EXTRAS)
_P_SAFETENSORS = 0.85  # weights are safetensors (else pytorch)
_P_TGI_TAG = 0.6  # a transformers text-generation model is "text-generation-inference"
_P_ENDPOINTS_TAG = 0.8  # a servable library's model is "endpoints_compatible"
_P_CONVERSATIONAL_TAG = 0.5  # a chat-group model is "conversational"
_P_FULL_DIFFUSERS = 0.3  # a diffusers repository holds a whole pipeline (else LoRA weights)


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


@cache
def _family_kinds() -> tuple[_Kind, ...]:
    """One per foundation, in FOUNDATIONS order."""
    kinds = []
    for f in FOUNDATIONS:
        group = GROUPS[f.group]
        library = ((group.library, _P_FAMILY_LIBRARY), (None, 1 - _P_FAMILY_LIBRARY))
        languages = group.language_style
        kinds.append(
            _Kind(
                f.group,
                chooser(group.pipelines),
                chooser(library),
                (f.arch,),
                f.license,
                languages,
                languages if languages in DATASETS else "en",
            )
        )
    return tuple(kinds)


@cache
def _pipeline_kinds() -> tuple[_Kind, ...]:
    """One per ordinary root pipeline, in ROOT_PIPELINES order (a root name's sub)."""
    kinds = []
    for pipeline, _ in ROOT_PIPELINES:
        modality = MODALITY.get(pipeline, "text")
        library = LIBRARY_BY_PIPELINE.get(pipeline, OTHER_ROOT_LIBRARIES)
        llm = pipeline == "text-generation"
        kinds.append(
            _Kind(
                None,
                chooser(((pipeline, 1.0),)),
                chooser(library),
                ROOT_ARCH.get(pipeline, ()),
                None,
                "llm" if llm else ("nlp" if modality == "text" else None),
                "llm" if llm else REFERENCES_OF[modality],
            )
        )
    return tuple(kinds)


@dataclass(frozen=True, slots=True)
class Attrs:
    """What a record says about itself beyond id, lineage, dates and popularity.

    Drawn at random, but a generation keeps only a few of them (records._VARIANTS) per
    (family or pipeline, name style, sub, kind) and hands them out at random: the
    combinations are few, and fixing the tag head/tail and file lists once is most of the
    cost of a record."""

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


def draw_attributes(r, family: int, style: int, sub: int, kind: int) -> Attrs:
    """Pipeline, library, license... from the name's family or an ordinary root's pipeline."""
    spec = _family_kinds()[family] if family != MISC else _pipeline_kinds()[sub if style in (GENERIC, ORG) else 0]
    pipeline = choose(spec.pipelines, r())
    library = choose(spec.library, r())
    keep_license = spec.license and r() < _P_FAMILY_LICENSE
    license = spec.license if keep_license else choose(chooser(LICENSES), r())
    quant = None
    if style == QUANTIZED:
        quant = tuple(QUANT)[sub]  # a quantized name's sub: the type's position in QUANT
        library = choose(chooser(GGUF_LIBRARIES), r()) if quant == "gguf" else QUANT[quant][1]
        if pipeline == "text-generation" and r() < _P_QUANT_NO_PIPELINE:
            pipeline = None
    elif style == ADAPTER:
        library = "diffusers" if spec.group in IMAGE_GROUPS else "peft"
    arch = spec.archs[int(r() * len(spec.archs))] if spec.archs else ""
    merge_arxiv = MERGE_METHODS[int(r() * len(MERGE_METHODS))][1] if style == MERGE else None
    languages, kind_tags = _languages(r, spec.language_style), _kind_tags(r, kind, spec.group)
    return Attrs(
        spec.group,
        pipeline,
        library,
        license,
        languages,
        spec.references,
        merge_arxiv,
        kind_tags,
        _tag_head(r, library, arch, pipeline) + kind_tags + languages,
        _tag_tail(r, library, pipeline, license, quant, spec.group),
        _files(r, library, spec.group),
    )


def foundation_attributes(k: int) -> Attrs:
    f = FOUNDATIONS[k]
    group = GROUPS[f.group]
    pipeline, library, style = group.pipelines[0][0], group.library, group.language_style
    r = random.Random(k).random  # fixed: foundations look the same in every generation
    languages = ("en",) if style in ("llm", "nlp", "en") else ()
    return Attrs(
        f.group,
        pipeline,
        library,
        f.license,
        languages,
        style if style in DATASETS else "en",
        None,
        (),
        _tag_head(r, library, f.arch, pipeline) + languages,
        _tag_tail(r, library, pipeline, f.license, None, f.group),
        _files(r, library, f.group),
        f.gated,
        f.downloads,
        f.likes,
    )


def _languages(r, style: str | None) -> tuple[str, ...]:
    if style == "llm":
        u = r()
        if u < _LLM_EN_BELOW:
            return ("en",)
        return ("en", LANGS[1 + int(r() * (len(LANGS) - 1))]) if u < _LLM_EN_PLUS_BELOW else ()
    if style == "speech":
        return (LANGS[int(r() * len(LANGS))],)
    if style in ("nlp", "en") and r() < _P_NLP_LANGUAGE:
        return ("en",) if r() < _P_NLP_ENGLISH else (LANGS[int(r() * len(LANGS))],)
    return ()


def draw_references(r, attrs: Attrs) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """dataset: references on ~25%, arxiv: on ~12% (and on most merges: the method's paper)."""
    u = r()
    if u >= _CITES_BELOW:
        return (), (attrs.merge_arxiv,) if attrs.merge_arxiv else ()
    datasets, papers = DATASETS[attrs.references], ARXIV[attrs.references]
    found: tuple[str, ...] = ()
    if u < _DATASET_BELOW:
        found = (datasets[int(r() * len(datasets))],)
        if u < _TWO_DATASETS_BELOW:
            extra = datasets[int(r() * len(datasets))]
            found = found if extra == found[0] else (found[0], extra)
    arxivs: tuple[str, ...] = (attrs.merge_arxiv,) if attrs.merge_arxiv else ()
    if u >= _PAPER_FROM:
        paper = papers[int(r() * len(papers))]
        arxivs = arxivs if paper in arxivs else arxivs + (paper,)
    return found, arxivs


def _kind_tags(r, kind: int, group: str | None) -> tuple[str, ...]:
    """Flavour tags: how a model was made (mergekit, LoRA, trainer) or what it draws with."""
    if kind == MERGE:
        return ("mergekit", "merge")
    if kind == ADAPTER and group in IMAGE_GROUPS:
        return ("lora", "template:sd-lora")
    if kind == ADAPTER:
        return ("lora", "adapter") if r() < _P_ADAPTER_TAG else ("lora",)
    if group in IMAGE_GROUPS:
        return ("stable-diffusion" if group == "diffusion" else "flux",)
    if kind == FINETUNE and r() < _P_TRAINER_TAG:
        return (FT_EXTRAS[int(r() * len(FT_EXTRAS))],)
    return ()


def _tag_head(r, library: str | None, arch: str, pipeline: str | None) -> tuple[str, ...]:
    head = list(LIBRARY_TAGS.get(library, ()))
    if library in WEIGHT_TAGS:
        head.append("safetensors" if r() < _P_SAFETENSORS else "pytorch")
    if arch and library in ARCH_TAGS:
        head.append(arch)
    if pipeline:
        head.append(pipeline)
    return tuple(head)


def _tag_tail(
    r, library: str | None, pipeline: str | None, license: str | None, quant: str | None, group: str | None
) -> tuple[str, ...]:
    tail = ["license:" + license] if license else []
    if pipeline == "text-generation" and library == "transformers" and r() < _P_TGI_TAG:
        tail.append("text-generation-inference")
    if library in ENDPOINT_TAGS and r() < _P_ENDPOINTS_TAG:
        tail.append("endpoints_compatible")
    if quant:  # the library may have said "gguf"/"mlx"/"onnx" already
        tail += [tag for tag in QUANT[quant][2] if tag not in LIBRARY_TAGS.get(library, ())]
    tail.append("region:us")
    if group in CHAT_GROUPS and r() < _P_CONVERSATIONAL_TAG:
        tail.append("conversational")
    return tuple(tail)


def _files(r, library: str | None, group: str | None) -> tuple[dict[str, str], ...] | None:
    if library == "gguf":
        return None
    files: tuple[str, ...] = (".gitattributes", "README.md")
    if library == "transformers" and group == "llm":
        files += FILES["transformers-llm"]
    elif library == "diffusers" and r() < _P_FULL_DIFFUSERS:
        files += FILES["diffusers-full"]
    else:
        files += FILES.get(library, ())
    return tuple({"rfilename": f} for f in files)
