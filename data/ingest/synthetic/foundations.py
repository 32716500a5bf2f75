"""The fixed foundation models that head the big families, and the groups they belong to."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from .dates import timestamp


class Group(NamedTuple):
    """What the foundations of one group (and so their families) have in common."""

    pipelines: tuple[tuple[str, float], ...]  # with weights
    shares: tuple[float, float, float, float]  # (finetune, adapter, quantized, merge) names
    library: str
    quants: tuple[tuple[str, float], ...]  # quantization types (keys of QUANT) with weights
    language_style: str | None  # see attributes._languages


GROUPS = {
    "llm": Group((("text-generation", 1.0),), (0.58, 0.22, 0.12, 0.08), "transformers",
                 (("gguf", 0.55), ("awq", 0.07), ("gptq", 0.08), ("exl2", 0.07), ("bnb4", 0.1),
                  ("bnb8", 0.03), ("mlx", 0.07), ("fp8", 0.03)), "llm"),
    "vlm": Group((("image-text-to-text", 1.0),), (0.55, 0.15, 0.3, 0.0), "transformers",
                 (("gguf", 0.5), ("awq", 0.15), ("bnb4", 0.2), ("mlx", 0.15)), "llm"),
    "gpt2": Group((("text-generation", 1.0),), (0.85, 0.05, 0.1, 0.0), "transformers",
                  (("onnx", 0.5), ("gguf", 0.5)), "en"),
    "encoder": Group((("text-classification", 0.6), ("token-classification", 0.15),
                      ("question-answering", 0.1), ("fill-mask", 0.1),
                      ("feature-extraction", 0.05)),
                     (0.88, 0.07, 0.05, 0.0), "transformers", (("onnx", 1.0),), "nlp"),
    "embed": Group((("sentence-similarity", 0.7), ("feature-extraction", 0.3)),
                   (0.9, 0.0, 0.1, 0.0), "sentence-transformers", (("onnx", 1.0),), "nlp"),
    "t5": Group((("text2text-generation", 0.6), ("summarization", 0.25), ("translation", 0.15)),
                (0.95, 0.05, 0.0, 0.0), "transformers", (("onnx", 1.0),), "nlp"),
    "s2t": Group((("automatic-speech-recognition", 1.0),), (0.9, 0.05, 0.05, 0.0), "transformers",
                 (("onnx", 1.0),), "speech"),
    "vision": Group((("image-classification", 1.0),), (0.95, 0.05, 0.0, 0.0), "transformers",
                    (("onnx", 1.0),), None),
    "timm": Group((("image-classification", 1.0),), (1.0, 0.0, 0.0, 0.0), "timm", (("onnx", 1.0),),
                  None),
    "diffusion": Group((("text-to-image", 1.0),), (0.35, 0.65, 0.0, 0.0), "diffusers",
                       (("fp8", 1.0),), "en"),
    "flux": Group((("text-to-image", 1.0),), (0.07, 0.85, 0.08, 0.0), "diffusers",
                  (("gguf", 0.5), ("bnb4", 0.3), ("fp8", 0.2)), "en"),
}


@dataclass(frozen=True)
class Foundation:
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


# Ordered by stream position (see FOUNDATION_POSITIONS): big families first.
FOUNDATIONS = (
    Foundation(
        "qwen25i", "Qwen/Qwen2.5-7B-Instruct", "qwen25", 38.0, "2024-09-16T11:55:40", "llm",
        "qwen2", "apache-2.0", False, 9_800_000, 2400,
        (
            "Qwen2.5-7B-Instruct", "qwen2.5-7b-instruct", "Qwen2.5-7B-it", "qwen2.5-7b-chat",
            "Qwen2.5-Instruct-7B", "qwen2_5-7b-instruct",
        ),
        "Qwen2.5", "7B",
    ),
    Foundation(
        "llama31", "meta-llama/Llama-3.1-8B", None, 5.0, "2024-07-14T19:29:01", "llm", "llama",
        "llama3.1", "manual", 1_400_000, 1700,
        ("Llama-3.1-8B", "llama-3.1-8b", "Llama3.1-8B", "Meta-Llama-3.1-8B", "L3.1-8B"),
        "L3.1", "8B",
    ),
    Foundation(
        "qwen25", "Qwen/Qwen2.5-7B", None, 5.0, "2024-09-15T12:15:39", "llm", "qwen2", "apache-2.0",
        False, 1_100_000, 260,
        ("Qwen2.5-7B", "qwen2.5-7b", "Qwen2.5-7b", "qwen2_5-7b"), "Qwen2.5", "7B",
    ),
    Foundation(
        "llama31i", "meta-llama/Llama-3.1-8B-Instruct", "llama31", 31.0, "2024-07-18T08:56:00",
        "llm", "llama", "llama3.1", "manual", 7_300_000, 4600,
        (
            "Llama-3.1-8B-Instruct", "llama-3.1-8b-instruct", "Llama3.1-8B-Instruct",
            "Meta-Llama-3.1-8B-Instruct", "L3.1-8B-Instruct", "llama3.1-8b-it",
        ),
        "Llama3.1", "8B",
    ),
    Foundation(
        "mistral7b", "mistralai/Mistral-7B-v0.1", None, 3.0, "2023-09-20T13:03:50", "llm",
        "mistral", "apache-2.0", False, 450_000, 3900,
        ("Mistral-7B-v0.1", "mistral-7b-v0.1", "Mistral-7B", "mistral-7b"), "Mistral", "7B",
    ),
    Foundation(
        "bert", "google-bert/bert-base-uncased", None, 2.2, "2022-03-02T23:29:04", "encoder",
        "bert", "apache-2.0", False, 61_000_000, 2300,
        ("bert-base-uncased", "bert-base", "BERT-base-uncased", "bert_base_uncased"),
        "bert", "base",
    ),
    Foundation(
        "r1qwen", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "qwen25math", 3.0,
        "2025-01-20T09:16:14", "llm", "qwen2", "mit", False, 1_300_000, 700,
        (
            "DeepSeek-R1-Distill-Qwen-7B", "deepseek-r1-distill-qwen-7b", "R1-Distill-Qwen-7B",
            "R1-Qwen-7B",
        ),
        "R1-Qwen", "7B",
    ),
    Foundation(
        "llama2", "meta-llama/Llama-2-7b-hf", None, 2.0, "2023-07-13T16:16:13", "llm", "llama",
        "llama2", "manual", 900_000, 2100,
        ("Llama-2-7b-hf", "llama-2-7b", "Llama-2-7B", "llama2-7b"), "L2", "7B",
    ),
    Foundation(
        "sdxl", "stabilityai/stable-diffusion-xl-base-1.0", None, 2.0, "2023-07-25T13:25:51",
        "diffusion", "", "openrail++", False, 2_300_000, 6700,
        ("stable-diffusion-xl", "sdxl", "SDXL", "sd-xl"), "SDXL", "XL",
    ),
    Foundation(
        "r1llama", "deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "llama31", 3.0,
        "2025-01-20T09:19:00", "llm", "llama", "mit", False, 800_000, 800,
        (
            "DeepSeek-R1-Distill-Llama-8B", "deepseek-r1-distill-llama-8b", "R1-Distill-Llama-8B",
            "R1-Llama-8B",
        ),
        "R1-Llama", "8B",
    ),
    Foundation(
        "flux", "black-forest-labs/FLUX.1-dev", None, 2.5, "2024-07-31T21:13:44", "flux", "",
        "other", "auto", 1_900_000, 11000,
        ("FLUX.1-dev", "flux-dev", "Flux", "flux1-dev", "flux"), "Flux", "dev",
    ),
    Foundation(
        "mistral7bi", "mistralai/Mistral-7B-Instruct-v0.2", "mistral7b", 3.0, "2023-12-11T13:18:44",
        "llm", "mistral", "apache-2.0", False, 2_600_000, 2900,
        (
            "Mistral-7B-Instruct-v0.2", "mistral-7b-instruct-v0.2", "Mistral-7B-Instruct",
            "mistral-7b-it",
        ),
        "Mistral", "7B",
    ),
    Foundation(
        "whispersmall", "openai/whisper-small", None, 1.2, "2022-09-26T06:51:27", "s2t", "whisper",
        "apache-2.0", False, 3_100_000, 400,
        ("whisper-small", "Whisper-Small", "whisper_small"), "whisper", "small",
    ),
    Foundation(
        "distilbert", "distilbert/distilbert-base-uncased", None, 1.5, "2022-03-02T23:29:04",
        "encoder", "distilbert", "apache-2.0", False, 12_000_000, 700,
        (
            "distilbert-base-uncased", "distilbert", "DistilBERT-base-uncased",
            "distilbert_base_uncased",
        ),
        "distilbert", "base",
    ),
    Foundation(
        "qwen3", "Qwen/Qwen3-8B", "qwen3b", 3.0, "2025-04-27T03:42:21", "llm", "qwen3",
        "apache-2.0", False, 2_000_000, 700,
        ("Qwen3-8B", "qwen3-8b", "Qwen3-8b"), "Qwen3", "8B",
    ),
    Foundation(
        "llama3i", "meta-llama/Meta-Llama-3-8B-Instruct", "llama3", 2.5, "2024-04-17T09:35:12",
        "llm", "llama", "llama3", "manual", 1_500_000, 4000,
        (
            "Meta-Llama-3-8B-Instruct", "llama-3-8b-instruct", "Llama-3-8B-Instruct",
            "llama3-8b-instruct",
        ),
        "Llama3", "8B",
    ),
    Foundation(
        "qwen25vl", "Qwen/Qwen2.5-VL-7B-Instruct", None, 1.5, "2025-01-26T09:26:37", "vlm",
        "qwen2_5_vl", "apache-2.0", False, 3_000_000, 1100,
        ("Qwen2.5-VL-7B-Instruct", "qwen2.5-vl-7b-instruct", "Qwen2.5-VL-7B"), "Qwen2.5-VL", "7B",
    ),
    Foundation(
        "minilm", "sentence-transformers/all-MiniLM-L6-v2", None, 0.8, "2022-03-02T23:29:05",
        "embed", "bert", "apache-2.0", False, 90_000_000, 3500,
        ("all-MiniLM-L6-v2", "all-minilm-l6-v2", "MiniLM-L6", "minilm-l6"), "MiniLM", "L6",
    ),
    Foundation(
        "llama2chat", "meta-llama/Llama-2-7b-chat-hf", "llama2", 2.0, "2023-07-13T16:45:23", "llm",
        "llama", "llama2", "manual", 1_000_000, 4400,
        ("Llama-2-7b-chat-hf", "llama-2-7b-chat", "Llama-2-7B-Chat", "llama2-7b-chat"),
        "Llama2", "7B",
    ),
    Foundation(
        "qwen25coderi", "Qwen/Qwen2.5-Coder-7B-Instruct", "qwen25coder", 2.5, "2024-09-17T13:38:49",
        "llm", "qwen2", "apache-2.0", False, 900_000, 600,
        ("Qwen2.5-Coder-7B-Instruct", "qwen2.5-coder-7b-instruct", "Qwen2.5-Coder-7B-it"),
        "Qwen-Coder", "7B",
    ),
    Foundation(
        "hermes3", "NousResearch/Hermes-3-Llama-3.1-8B", "llama31", 2.0, "2024-07-28T04:26:57",
        "llm", "llama", "llama3", False, 250_000, 380,
        ("Hermes-3-Llama-3.1-8B", "hermes-3-llama-3.1-8b", "Hermes-3-8B"), "Hermes3", "8B",
    ),
    Foundation(
        "sd15", "stable-diffusion-v1-5/stable-diffusion-v1-5", None, 1.2, "2024-08-30T09:52:11",
        "diffusion", "", "creativeml-openrail-m", False, 2_000_000, 800,
        ("stable-diffusion-v1-5", "sd-1.5", "SD15", "sd15"), "SD15", "1.5",
    ),
    Foundation(
        "gemma2it", "google/gemma-2-9b-it", "gemma2", 1.2, "2024-06-24T08:05:41", "llm", "gemma2",
        "gemma", "manual", 300_000, 700,
        ("gemma-2-9b-it", "Gemma-2-9B-it", "gemma2-9b-it"), "Gemma2", "9B",
    ),
    Foundation(
        "whisper", "openai/whisper-large-v3", None, 1.0, "2023-11-07T18:41:14", "s2t", "whisper",
        "apache-2.0", False, 5_200_000, 4700,
        ("whisper-large-v3", "whisper-large", "Whisper-Large-V3"), "whisper", "large",
    ),
    Foundation(
        "phi3", "microsoft/Phi-3-mini-4k-instruct", None, 1.0, "2024-04-22T16:18:17", "llm", "phi3",
        "mit", False, 800_000, 1200,
        ("Phi-3-mini-4k-instruct", "phi-3-mini-4k-instruct", "Phi-3-mini", "phi3-mini"),
        "Phi3", "3.8B",
    ),
    Foundation(
        "llama32i", "meta-llama/Llama-3.2-1B-Instruct", "llama32", 1.5, "2024-09-18T15:12:47",
        "llm", "llama", "llama3.2", "manual", 3_000_000, 1000,
        ("Llama-3.2-1B-Instruct", "llama-3.2-1b-instruct", "Llama3.2-1B-Instruct"),
        "Llama3.2", "1B",
    ),
    Foundation(
        "qwen25math", "Qwen/Qwen2.5-Math-7B", "qwen25", 0.8, "2024-09-16T12:29:25", "llm", "qwen2",
        "apache-2.0", False, 200_000, 100,
        ("Qwen2.5-Math-7B", "qwen2.5-math-7b"), "Qwen2.5-Math", "7B",
    ),
    Foundation(
        "vit", "google/vit-base-patch16-224-in21k", None, 0.8, "2022-03-02T23:29:05", "vision",
        "vit", "apache-2.0", False, 3_000_000, 300,
        ("vit-base-patch16-224-in21k", "vit-base-patch16-224", "vit-base", "ViT-base"),
        "vit", "base",
    ),
    Foundation(
        "tinyllama", "TinyLlama/TinyLlama-1.1B-Chat-v1.0", None, 1.0, "2023-12-30T06:27:30", "llm",
        "llama", "apache-2.0", False, 1_200_000, 1300,
        ("TinyLlama-1.1B-Chat-v1.0", "tinyllama-1.1b-chat", "TinyLlama-1.1B", "tinyllama"),
        "TinyLlama", "1.1B",
    ),
    Foundation(
        "gpt2", "openai-community/gpt2", None, 1.2, "2022-03-02T23:29:04", "gpt2", "gpt2", "mit",
        False, 11_000_000, 2800,
        ("gpt2", "GPT2", "gpt-2"), "GPT2", "124M",
    ),
    Foundation(
        "xlmr", "FacebookAI/xlm-roberta-base", None, 0.8, "2022-03-02T23:29:04", "encoder",
        "xlm-roberta", "mit", False, 8_000_000, 700,
        ("xlm-roberta-base", "XLM-RoBERTa-base", "xlmr-base", "xlm_roberta_base"), "xlmr", "base",
    ),
    Foundation(
        "llama3", "meta-llama/Meta-Llama-3-8B", None, 1.5, "2024-04-17T09:35:16", "llm", "llama",
        "llama3", "manual", 600_000, 6100,
        ("Meta-Llama-3-8B", "llama-3-8b", "Llama-3-8B", "llama3-8b"), "L3", "8B",
    ),
    Foundation(
        "roberta", "FacebookAI/roberta-base", None, 0.8, "2022-03-02T23:29:04", "encoder",
        "roberta", "mit", False, 9_000_000, 500,
        ("roberta-base", "RoBERTa-base", "roberta_base"), "roberta", "base",
    ),
    Foundation(
        "gemma3it", "google/gemma-3-4b-it", "gemma3", 1.2, "2025-02-20T21:20:07", "vlm", "gemma3",
        "gemma", "manual", 900_000, 800,
        ("gemma-3-4b-it", "Gemma-3-4B-it", "gemma3-4b-it"), "Gemma3", "4B",
    ),
    Foundation(
        "qwen3b", "Qwen/Qwen3-8B-Base", None, 0.5, "2025-04-28T05:04:21", "llm", "qwen3",
        "apache-2.0", False, 300_000, 60,
        ("Qwen3-8B-Base", "qwen3-8b-base"), "Qwen3", "8B",
    ),
    Foundation(
        "phi2", "microsoft/phi-2", None, 1.0, "2023-12-13T21:19:59", "llm", "phi", "mit", False,
        300_000, 3300,
        ("phi-2", "Phi-2", "phi2"), "Phi2", "2.7B",
    ),
    Foundation(
        "openhermes", "teknium/OpenHermes-2.5-Mistral-7B", "mistral7b", 1.0, "2023-10-29T20:36:39",
        "llm", "mistral", "apache-2.0", False, 60_000, 870,
        ("OpenHermes-2.5-Mistral-7B", "openhermes-2.5-mistral-7b", "OpenHermes-2.5"),
        "OpenHermes", "7B",
    ),
    Foundation(
        "deberta", "microsoft/deberta-v3-base", None, 0.6, "2022-03-02T23:29:05", "encoder",
        "deberta-v2", "mit", False, 2_500_000, 350,
        ("deberta-v3-base", "DeBERTa-v3-base", "deberta-v3"), "deberta", "base",
    ),
    Foundation(
        "zephyr", "HuggingFaceH4/zephyr-7b-beta", "mistral7b", 1.0, "2023-10-26T11:25:49", "llm",
        "mistral", "mit", False, 300_000, 1700,
        ("zephyr-7b-beta", "Zephyr-7B-beta", "zephyr-7b"), "Zephyr", "7B",
    ),
    Foundation(
        "bgem3", "BAAI/bge-m3", None, 0.5, "2024-01-27T17:07:29", "embed", "xlm-roberta", "mit",
        False, 6_000_000, 2100,
        ("bge-m3", "BGE-M3", "bge_m3"), "bge-m3", "568M",
    ),
    Foundation(
        "llama32", "meta-llama/Llama-3.2-1B", None, 1.0, "2024-09-18T15:03:14", "llm", "llama",
        "llama3.2", "manual", 1_900_000, 1900,
        ("Llama-3.2-1B", "llama-3.2-1b", "Llama3.2-1B"), "L3.2", "1B",
    ),
    Foundation(
        "qwen25coder", "Qwen/Qwen2.5-Coder-7B", "qwen25", 1.0, "2024-09-16T11:57:24", "llm",
        "qwen2", "apache-2.0", False, 150_000, 120,
        ("Qwen2.5-Coder-7B", "qwen2.5-coder-7b"), "Qwen2.5-Coder", "7B",
    ),
    Foundation(
        "flant5", "google/flan-t5-base", None, 0.5, "2022-10-21T10:02:31", "t5", "t5", "apache-2.0",
        False, 1_000_000, 900,
        ("flan-t5-base", "FLAN-T5-base", "flan_t5_base"), "flan-t5", "base",
    ),
    Foundation(
        "gemma2", "google/gemma-2-9b", None, 0.5, "2024-06-24T08:05:17", "llm", "gemma2", "gemma",
        "manual", 50_000, 650,
        ("gemma-2-9b", "Gemma-2-9B"), "Gemma2", "9B",
    ),
    Foundation(
        "wav2vec2", "facebook/wav2vec2-base", None, 0.4, "2022-03-02T23:29:05", "s2t", "wav2vec2",
        "apache-2.0", False, 900_000, 90,
        ("wav2vec2-base", "wav2vec2", "Wav2Vec2-base"), "wav2vec2", "base",
    ),
    Foundation(
        "t5", "google-t5/t5-small", None, 0.5, "2022-03-02T23:29:04", "t5", "t5", "apache-2.0",
        False, 2_500_000, 450,
        ("t5-small", "T5-small", "t5_small"), "t5", "small",
    ),
    Foundation(
        "gemma3", "google/gemma-3-4b-pt", None, 0.3, "2025-02-20T21:19:55", "vlm", "gemma3",
        "gemma", "manual", 90_000, 100,
        ("gemma-3-4b-pt", "Gemma-3-4B-pt"), "Gemma3", "4B",
    ),
    Foundation(
        "resnet", "timm/resnet50.a1_in1k", None, 0.3, "2023-04-05T18:07:45", "timm", "",
        "apache-2.0", False, 1_800_000, 40,
        ("resnet50", "resnet-50", "ResNet50"), "resnet", "50",
    ),
)
# Geometric-ish spacing: the big families exist from the first records on; later
# foundations are named by children generated before them.
FOUNDATION_POSITIONS = (
    0, 3, 7, 12, 20, 31, 47, 70, 100, 140, 190, 260, 350, 460, 600, 780, 1000, 1270, 1600,
    1990, 2500, 3100, 3800, 4700, 5800, 7000, 8500, 10_000, 12_000, 14_500, 17_000, 20_000,
    24_000, 28_000, 33_000, 39_000, 46_000, 54_000, 63_000, 73_000, 85_000, 100_000, 120_000,
    140_000, 165_000, 190_000, 220_000, 250_000, 290_000, 330_000,
)


@cache
def foundation_at() -> dict[int, int]:
    """Stream position: index in FOUNDATIONS."""
    assert len(FOUNDATION_POSITIONS) >= len(FOUNDATIONS)
    return {FOUNDATION_POSITIONS[k]: k for k in range(len(FOUNDATIONS))}


@cache
def foundation_index(key: str) -> int:
    return next(k for k, f in enumerate(FOUNDATIONS) if f.key == key)


@cache
def foundation_depth(k: int) -> int:
    parent = FOUNDATIONS[k].parent
    return 0 if parent is None else 1 + foundation_depth(foundation_index(parent))


@cache
def foundation_created(k: int) -> int:
    return timestamp(FOUNDATIONS[k].created)
