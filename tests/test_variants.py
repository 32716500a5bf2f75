"""data/ingest/variants.py and its use in mapping: sizes, quantizations and variant names of real
Hub models (../shared), the declared counts checked against the raw JSON itself."""

from __future__ import annotations

import json
import zipfile

import pytest

from data.ingest.mapping import Rejected, map_record
from data.ingest.variants import QUANT_RULES, params_from_name, quant_of, variant_base
from data.vocabulary import QUANTIZATIONS
from tests.conftest import require_shared

B, M = 10**9, 10**6
PACKED = {"I32", "U32", "U8"}

# Real ids of the July 2024 crawl, and the size their names state (None: they state none).
NAMED_SIZES = [
    ("meta-llama/Meta-Llama-3-8B", 8 * B),
    ("mistralai/Mixtral-8x7B-Instruct-v0.1", 56 * B),  # 8 experts × 7B: an upper bound
    ("Qwen/Qwen-1_8B-Chat", 1_800 * M),
    ("apple/OpenELM-1_1B-Instruct", 1_100 * M),
    ("enyuan/llama_2_7b_materials", 7 * B),  # Llama 2, 7B
    ("NikolayKozloff/LLAMA-3_8B_Unaligned_Alpha-Q8_0-GGUF", 8 * B),
    ("Qwen/Qwen2-57B-A14B-Instruct-GPTQ-Int4", 57 * B),  # A14B is the active size
    ("Qwen/Qwen1.5-MoE-A2.7B-Chat-GPTQ-Int4", None),
    ("mlx-community/Yi-34Bx2-MoE-60B-DPO-4bit-mlx", 60 * B),
    ("TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T", 1_100 * M),  # not 3T tokens
    ("microsoft/Phi-3-mini-4k-instruct", None),  # 4k is the context
    ("google-t5/t5-3b", 3 * B),
    ("openai-community/gpt2", None),
    ("EleutherAI/pythia-1.4b-deduped", 1_400 * M),
    ("facebook/opt-350m", 350 * M),
    ("unsloth/llama-3-8b-bnb-4bit", 8 * B),  # not 4 from 4bit
    ("Qwen/Qwen1.5-0.5B-Chat", 500 * M),
    ("stabilityai/stablelm-2-1_6b", 1_600 * M),
    ("state-spaces/mamba-130m", 130 * M),
    ("miz22/open_llama_3b_lima_lora_swa_AdamW_bnb.nf4-dq_500_128_1_0.0003_0.001_2023-11-07", 3 * B),
    ("sentence-transformers/all-MiniLM-L6-v2", None),
]
# Real ids (with their tags and library, trimmed) and the format they show.
QUANTS = [
    ("TheBloke/Llama-2-7B-GGUF", ["transformers", "gguf", "llama"], "transformers", "gguf"),
    ("bartowski/zephyr-7b-gemma-v0.1-exl2", [], None, "exl2"),
    ("kim512/Llama-3-70b-Arimas-story-RP-V2.1-5.0bpw-h6-exl2", [], None, "exl2"),
    ("Qwen/Qwen2-7B-Instruct-GPTQ-Int4", ["safetensors", "4-bit", "gptq"], "transformers", "gptq"),
    ("Qwen/Qwen2-7B-Instruct-AWQ", ["4-bit", "awq"], "transformers", "awq"),
    ("unsloth/llama-3-8b-bnb-4bit", ["4-bit", "bitsandbytes"], "transformers", "bnb"),
    ("kristian-a/bloomz-560m", ["transformers", "8-bit"], "transformers", "bnb"),
    ("PrunaAI/codellama-CodeLlama-13b-hf-HQQ-4bit-smashed", [], None, "hqq"),
    ("ISTA-DASLab/Meta-Llama-3-70B-AQLM-PV-1Bit-1x16", [], None, "aqlm"),
    ("PrunaAI/TIGER-Lab-StructLM-7B-QUANTO-int8bit-smashed", [], None, "quanto"),
    ("Qwen/Qwen2-7B-Instruct-MLX", [], "mlx", "mlx"),
    ("lawrencechen/OpenCodeInterpreter-CL-7B-q4f16_1_MLC", [], None, "mlc"),
    ("rupeshs/SDXL-Lightning-2steps-openvino-int8", ["openvino"], None, "openvino"),
    ("Xorbits/chatglm3-6B-GGML", [], None, "ggml"),
    ("lindeberg/flan-t5-base_onnx", ["onnx"], None, "onnx"),
    ("neuralmagic/Meta-Llama-3-8B-Instruct-FP8", ["fp8"], "transformers", "fp8"),
    ("sosoai/Hansoldeco-Gemma-2-9b-it-v0.1-Q8_0-GGUF", [], None, "gguf"),
    ("meta-llama/Meta-Llama-3-8B-Instruct", ["transformers", "safetensors", "llama"], "transformers", None),
    ("Omriy123/vit_epochs5_batch32_lr5e-05_size224_tiles10_seed1_q3_dropout_v2_test", [], None, None),
]


@pytest.mark.parametrize(("repo_id", "size"), NAMED_SIZES)
def test_sizes_read_from_real_ids(repo_id, size):
    assert params_from_name(repo_id.split("/")[1]) == size


@pytest.mark.parametrize(("repo_id", "tags", "library", "quant"), QUANTS)
def test_quantizations_of_real_models(repo_id, tags, library, quant):
    assert quant_of(repo_id.split("/")[1], tags, library) == quant


def test_every_rule_is_a_format_of_the_grammar_and_every_format_has_a_rule():
    assert sorted(name for name, *_ in QUANT_RULES) == sorted(QUANTIZATIONS)


@pytest.mark.parametrize(
    ("repo_id", "base"),
    [
        ("TheBloke/Llama-2-7B-GGUF", "thebloke/llama-2-7b"),
        ("Qwen/Qwen2-7B-Instruct-GPTQ-Int4", "qwen/qwen2-7b-instruct"),
        ("kim512/Llama-3-70b-Arimas-story-RP-V2.1-5.0bpw-h6-exl2", "kim512/llama-3-70b-arimas-story-rp-v2.1"),
        ("bartowski/Meta-Llama-3-8B-Instruct-Q4_K_M-GGUF", "bartowski/meta-llama-3-8b-instruct"),
        ("heioron40/sdxl_fp16_only", None),  # the suffix is not at the end
        ("meta-llama/Llama-2-7b-hf", None),
    ],
)
def test_variant_names_strip_format_suffixes_from_the_end(repo_id, base):
    assert variant_base(repo_id) == base


def _detail_records():
    folder = require_shared("hf-snapshot", "raw", "stalnaker-hf-supply-chain", "model_data")
    for path in sorted(folder.glob("*.zip")):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith(".json"):
                    yield json.loads(archive.read(name))


def test_declared_counts_are_the_safetensors_totals_of_the_real_detail_records():
    """Every real detail record with a safetensors total: that total, declared, unless its
    storage packs weights (then the id's size, inferred, or none)."""
    checked = packed = 0
    for raw in _detail_records():
        safetensors = raw.get("safetensors")
        if not safetensors:
            continue
        model = map_record(raw)
        if PACKED & set(safetensors["parameters"]):
            packed += 1
            assert model.params_source != "declared", raw["id"]
        else:
            checked += 1
            assert (model.params, model.params_source) == (safetensors["total"], "declared"), raw["id"]
    assert checked > 1_500 and packed > 100  # 2,089 records carry safetensors


def test_gguf_metadata_declares_a_count_where_safetensors_gives_none():
    record = {"id": "BlackBeenie/EXAONE-Deep-32B-Q4_K_M-GGUF", "gguf": {"total": 32003200064}}
    model = map_record(record)
    assert (model.params, model.params_source, model.quant) == (32003200064, "declared", "gguf")


@pytest.mark.parametrize(
    ("safetensors", "reason"),
    [
        ({"total": -5}, "safetensors total is negative"),
        ({"total": 10**20}, "safetensors total is too large"),
        ({"total": "7B"}, "safetensors total is not an integer"),
        ({"total": True}, "safetensors total is not an integer"),
        ("7B", "safetensors is not an object"),
        ({"total": 7, "parameters": ["F16"]}, "safetensors parameters is not an object"),
    ],
)
def test_hostile_safetensors_are_refused_with_the_reason(safetensors, reason):
    with pytest.raises(Rejected, match=reason):
        map_record({"id": "hostile/size", "safetensors": safetensors})
