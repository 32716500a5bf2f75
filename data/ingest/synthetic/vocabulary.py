"""Word lists and tables that names, tags, files and references are drawn from.

Plain constants, nothing computed: the generator builds its lookup and choice tables from
these the first time it needs them. Weights are relative (a table's weights need not sum
to 1). Changing any entry changes the records every seed gives."""

from __future__ import annotations

# ---------------------------------------------------------------------------------------
# Words that names are made of (see names._FIELD_MAKERS).

# Fancy words that merges and finetunes are named with.
CREATIVE = (
    "Neural", "Mytho", "Nous", "Open", "Dark", "Silver", "Golden", "Stellar", "Lunar", "Crimson",
    "Dolphin", "Beagle", "Phoenix", "Orca", "Wizard", "Falcon", "Raven", "Nova", "Aurora", "Titan",
    "Sage", "Echo", "Nexus", "Quantum", "Starling", "Mist", "Storm", "Ember", "Frost", "Shadow",
    "Velvet", "Onyx", "Cobalt", "Saffron", "Jade", "Marco", "Kunoichi", "Noromaid", "Fimbul",
    "Stheno", "Lumina", "Astra", "Nyx", "Halcyon", "Vesper", "Kestrel", "Solace", "Zenith",
    "Arcadia", "Obsidian", "Tiger", "Panda", "Lynx", "Koala", "Hermes", "Athena", "Apollo",
    "Chimera", "Hydra", "Sirius", "Vega", "Rigel", "Polaris", "Orion", "Cygnus", "Draco", "Magnum",
    "Celeste", "Eris", "Umbral", "Gemini", "Prism", "Spark", "Blaze", "Cascade", "Tempest",
    "Whisper", "Rogue", "Nomad", "Pilot", "Atlas", "Sky", "Pixel", "Cipher", "Vortex", "Ivy",
    "Willow", "Maple", "Cedar", "Opus", "Sonnet", "Haiku", "Ballad",
)
# What a finetune says about itself: method, data, language, context, flavour.
DESCRIPTORS = (
    "sft", "dpo", "orpo", "kto", "grpo", "simpo", "abliterated", "uncensored", "roleplay", "rp",
    "chat", "math", "code", "coder", "reasoning", "medical", "med", "legal", "finance", "law",
    "bio", "chem", "tr", "ko", "ja", "zh", "vi", "ar", "de", "fr", "es", "it", "pt", "ru", "hi",
    "id", "th", "pl", "nl", "sv", "multilingual", "alpaca", "dolly", "openorca", "ultrachat",
    "hermes", "capybara", "airoboros", "tulu", "magpie", "sharegpt", "gsm8k", "reward", "rm", "prm",
    "distill", "merged", "full", "qlora", "ft", "finetuned", "tuned", "test", "exp", "demo",
    "baseline", "lr1e-5", "e3", "2ep", "4k", "32k", "128k", "long", "mini", "lite", "pro", "plus",
    "max", "turbo", "slim", "bf16", "fp16", "instruct", "it", "base", "preview", "beta", "alpha",
    "final", "stage2", "cpt", "dare", "slerp", "lora-merged", "r1", "cot", "think", "agent", "tool",
    "sql", "json", "summarizer", "translator", "tutor", "story", "poem", "nsfw", "safe", "guard",
    "judge", "v0.1", "v1.5",
)
# Plain words of hobby, course and test models.
WORDS = (
    "my", "awesome", "test", "demo", "first", "final", "best", "new", "custom", "tiny", "small",
    "base", "mini", "model", "project", "assignment", "homework", "lab", "hw", "ex", "course",
    "tutorial", "sample", "experiment", "trial", "run", "local", "quick", "cool", "smart", "simple",
    "basic", "fast", "light", "deep", "neo", "alpha", "beta", "gamma", "delta", "omega", "sigma",
    "zeta",
)
# Parameter counts in ordinary text-generation roots' names.
SIZES = ("125M", "350M", "0.5B", "1B", "1.5B", "2B", "3B", "7B", "8B", "13B", "14B", "32B")
# Tasks that text models are finetuned for.
TASKS = (
    "sentiment", "ner", "emotion", "imdb", "sst2", "mrpc", "cola", "qnli", "squad", "conll2003",
    "toxic", "spam", "fake-news", "intent", "hate-speech", "pos", "qa", "nli", "stance", "sarcasm",
    "topic", "news-category", "ag-news", "yelp", "tweet-eval", "review-rating",
    "language-detection", "keyword-extraction", "paraphrase", "emoji", "financial-sentiment",
)
# What image LoRAs draw.
SUBJECTS = (
    "anime", "pixel-art", "watercolor", "portrait", "cyberpunk", "fantasy", "sketch", "comic",
    "ghibli", "isometric", "logo", "interior", "architecture", "landscape", "photorealistic",
    "cinematic", "neon", "retro", "vintage", "3d-render", "chibi", "manga", "oil-painting",
    "line-art", "tattoo", "product-shot", "food", "fashion", "cars", "cats", "dogs",
)
# Language codes, English first.
LANGS = (
    "en", "zh", "fr", "de", "es", "ja", "ko", "ru", "it", "pt", "vi", "ar", "tr", "id", "th", "pl",
    "nl", "hi", "bn", "fa", "uk", "sv", "cs", "ro", "hu", "el", "he", "da", "fi", "no", "ms", "ta",
    "te", "ur", "sw", "yo", "am",
)
# mergekit methods, with the arXiv paper a merge by that method cites (None: none).
MERGE_METHODS = (
    ("slerp", None), ("ties", "2306.01708"), ("dare-ties", "2311.03099"),
    ("DARE_TIES", "2311.03099"), ("della", "2406.11617"), ("Model_Stock", "2403.19522"),
    ("model-stock", "2403.19522"), ("passthrough", None), ("linear", "2203.05482"),
    ("task-arithmetic", "2212.04089"), ("TIES", "2306.01708"), ("merge", None),
)
QUANT = {  # quantization type: (name suffixes, library, tags)
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
# Reinforcement-learning names: algorithm, environment, then a suffix.
RL_ALGORITHMS = (
    "ppo", "dqn", "a2c", "q", "Reinforce", "poca", "sac", "td3", "qrdqn", "tqc", "ddpg", "trpo",
)
RL_ENVIRONMENTS = (
    "LunarLander-v2", "LunarLander-v3", "CartPole-v1", "FrozenLake-v1-4x4-noSlippery", "Taxi-v3",
    "SpaceInvadersNoFrameskip-v4", "BreakoutNoFrameskip-v4", "PandaReachDense-v3", "Huggy",
    "SnowballTarget", "Pyramids", "SoccerTwos", "Pixelcopter-PLE-v0", "MountainCar-v0",
    "Acrobot-v1", "Pendulum-v1", "BipedalWalker-v3", "HalfCheetah-v4", "PongNoFrameskip-v4",
    "doom_health_gathering_supreme",
)
RL_TAILS = (
    "unit1", "unit2", "course", "deep-rl", "1M", "500k", "2M", "tuned", "test", "final", "best",
)
# How an ordinary root's name says its pipeline.
PIPELINE_WORD = {
    "text-classification": "classifier", "token-classification": "ner",
    "image-classification": "image-classifier", "automatic-speech-recognition": "asr",
    "feature-extraction": "embeddings", "sentence-similarity": "sentence-embeddings",
    "fill-mask": "mlm", "text2text-generation": "seq2seq", "translation": "translator",
    "question-answering": "qa", "summarization": "summarizer", "object-detection": "detector",
    "text-to-speech": "tts", "image-segmentation": "segmenter", "audio-classification":
    "audio-classifier", "image-text-to-text": "vlm", "text-to-image": "diffusion",
}
BASE_WORDS = {  # what ordinary roots say they started from, by modality
    "text": (
        "bert-base-uncased", "distilbert-base-uncased", "roberta-base", "xlm-roberta-base",
        "deberta-v3-base", "electra-small", "albert-base-v2", "t5-small", "bart-large", "mt5-small",
    ),
    "vision": (
        "vit-base", "resnet-50", "convnext-tiny", "swin-tiny", "segformer-b0", "detr-resnet-50",
        "yolov8n", "mobilenet-v3", "efficientnet-b0", "dinov2-small",
    ),
    "audio": ("wav2vec2-base", "whisper-small", "hubert-base", "speecht5", "ast", "wavlm-base"),
    "image-gen": ("sd-turbo", "stable-diffusion-2-1", "kandinsky", "pixart-sigma", "sana"),
    "multimodal": (
        "llava-1.5-7b", "qwen2-vl-2b", "paligemma-3b", "idefics3", "smolvlm", "clip-vit",
        "blip-base",
    ),
    "other": ("xgboost", "lightgbm", "chronos-t5", "act-policy", "smolvla"),
}
# What ordinary roots are finetuned on, by modality.
MODALITY_TASKS = {
    "text": TASKS,
    "vision": (
        "cifar10", "food101", "beans", "eurosat", "mnist", "plant-disease", "xray", "skin-lesion",
        "faces",
    ),
    "audio": ("speech-commands", "gtzan", "esc50", "emotion", "keyword-spotting", "accent"),
    "image-gen": ("pokemon", "naruto", "anime", "faces", "interior"),
    "multimodal": ("docvqa", "chartqa", "textvqa", "coco-captions", "screenshots"),
    "other": ("sales", "energy", "weather", "stocks", "pick-place", "so100"),
}

# ---------------------------------------------------------------------------------------
# Authors.

# Authors at fixed Zipf ranks: (rank, name, profile). Everyone else is a syllable-built user.
NAMED_AUTHORS = (
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
# Authors in all, named and syllable-built.
N_AUTHORS = 3000
# What user names are built of.
SYLLABLES = (
    "ka", "ri", "to", "mo", "na", "shi", "lu", "ven", "dar", "el", "ax", "zen", "tor", "qi", "ming",
    "yu", "li", "chen", "wang", "jo", "han", "sam", "ali", "raj", "dev", "kim", "park", "lee",
    "nova", "byte", "neo", "lab", "tek", "ron", "vic", "mar", "co", "bel", "fin", "gus", "ha", "ik",
    "jan", "kev", "lo", "mi", "nik", "ol", "pa", "rus", "sa", "tim", "ur", "val", "wes", "xa", "yo",
    "zo", "ami", "bo", "cy", "da", "fe", "gi", "hu", "ju", "ke", "la", "me", "nu", "or", "pi", "qu",
    "re", "si", "ta", "ul", "vi",
)
# Appended to user names (mostly nothing).
USER_SUFFIXES = ("", "", "", "", "ai", "ml", "lab", "dev", "-ai", "-ml", "-labs", "-nlp", "x")
# Organisations: (brands, sizes, variants, pipeline); each name is brand-size-variant, every
# brand with every size and variant (an empty variant: none; a part starting with "." is
# joined without "-"). Variants with a quantization suffix or an instruct suffix still get
# published as roots by the organisation.
ORG_BRANDS = {
    "meta-llama": (
        (
            "Llama-2", "Llama-3", "Llama-3.1", "Llama-3.2", "Llama-3.3", "Llama-4", "CodeLlama",
            "Llama-Guard-3",
        ),
        ("1B", "3B", "7b", "8B", "13b", "70B", "11B-Vision", "405B"),
        ("", "Instruct", "hf", "chat-hf", "FP8", "Base"),
        "text-generation",
    ),
    "Qwen": (
        (
            "Qwen1.5", "Qwen2", "Qwen2.5", "Qwen2.5-Coder", "Qwen2.5-Math", "Qwen3", "QwQ",
            "Qwen2-VL", "Qwen2.5-VL",
        ),
        ("0.5B", "1.5B", "3B", "7B", "14B", "32B", "72B", "4B", "30B-A3B"),
        (
            "", "Instruct", "Chat", "AWQ", "GPTQ-Int4", "GPTQ-Int8", "GGUF", "Base", "FP8",
            "Instruct-AWQ", "Instruct-GGUF", "MLX",
        ),
        "text-generation",
    ),
    "mistralai": (
        (
            "Mistral", "Mixtral", "Ministral", "Codestral", "Mistral-Small", "Mistral-Nemo",
            "Pixtral", "Devstral", "Magistral", "Mistral-Large",
        ),
        ("7B", "8x7B", "8x22B", "12B", "22B", "24B", "123B", "8B", "3B"),
        ("", "Instruct", "Base", "v0.3", "Instruct-2407", "Instruct-2501", "2409", "FP8"),
        "text-generation",
    ),
    "google": (
        (
            "gemma", "gemma-2", "gemma-3", "codegemma", "recurrentgemma", "paligemma", "t5gemma",
            "shieldgemma", "medgemma",
        ),
        ("2b", "7b", "9b", "27b", "1b", "4b", "12b", "270m", "3b"),
        ("", "it", "pt", "pt-224", "it-qat", "qat-q4_0-gguf", "GGUF"),
        "text-generation",
    ),
    "microsoft": (
        (
            "phi-1_5", "Phi-3", "Phi-3.5", "Phi-4", "Florence-2", "deberta-v3", "layoutlmv3",
            "trocr", "speecht5", "DialoGPT",
        ),
        ("mini", "medium", "small", "large", "base", "xsmall", "multimodal"),
        ("", "instruct", "4k-instruct", "128k-instruct", "onnx", "ft", "printed", "tts"),
        "text-generation",
    ),
    "deepseek-ai": (
        (
            "deepseek-llm", "deepseek-coder", "DeepSeek-V2", "DeepSeek-V2.5", "DeepSeek-V3",
            "DeepSeek-R1", "deepseek-math", "Janus", "deepseek-vl2", "DeepSeek-Prover",
        ),
        ("1.3b", "6.7b", "7b", "33b", "67b", "Lite", "Pro", "1B", "7B", "tiny"),
        ("", "base", "instruct", "chat", "0324", "0528", "Zero", "Base"),
        "text-generation",
    ),
    "facebook": (
        (
            "opt", "bart", "wav2vec2", "detr", "dinov2", "nllb-200", "mbart", "esm2", "sam-vit",
            "hubert", "musicgen", "xglm",
        ),
        ("125m", "350m", "1.3b", "2.7b", "base", "large", "small", "medium", "huge", "giant"),
        ("", "cnn", "960h", "distilled", "600M", "50-many-to-many-mmt", "t6_8M_UR50D"),
        "feature-extraction",
    ),
    "nvidia": (
        (
            "Nemotron", "Llama-3.1-Nemotron", "segformer", "mit", "parakeet", "canary", "OpenMath2",
            "AceMath", "NV-Embed",
        ),
        ("4B", "8B", "51B", "70B", "1b", "b0", "b2", "tdt-0.6b", "rnnt-1.1b"),
        ("", "Instruct", "Nano", "Super", "HF", "v2", "finetuned-ade-512-512"),
        "text-generation",
    ),
    "Helsinki-NLP": (("opus-mt",), LANGS[:24], LANGS[:24], "translation"),  # opus-mt-en-zh...
    "timm": (
        (
            "vit_base_patch16_224", "convnext_tiny", "resnet50", "efficientnet_b0",
            "mobilenetv3_large_100", "swin_tiny_patch4_window7_224", "regnety_040",
            "eva02_base_patch14_224", "deit_small_patch16_224",
        ),
        (
            ".a1_in1k", ".augreg2_in21k_ft_in1k", ".fb_in22k", ".ra_in1k", ".tv_in1k", ".mim_in22k",
            ".sw_in1k", ".in1k", ".fb_in22k_ft_in1k",
        ),
        ("",),
        "image-classification",
    ),
    "sentence-transformers": (
        (
            "all-mpnet", "paraphrase-multilingual", "msmarco-distilbert", "multi-qa-MiniLM",
            "all-distilroberta", "paraphrase-MiniLM", "distiluse-base-multilingual",
        ),
        ("base", "L6", "L12", "cos", "dot", "v1", "v2", "cased"),
        ("", "v1", "v2", "v3", "tas-b", "dot-v1"),
        "sentence-similarity",
    ),
    "stabilityai": (
        (
            "stable-diffusion", "stablelm", "sdxl", "stable-video-diffusion", "stable-audio",
            "stable-cascade", "sd-turbo", "stable-code",
        ),
        ("2-1", "3-medium", "3.5-large", "zephyr-3b", "2-1-base", "img2vid", "1.6b", "open", "3b"),
        ("", "base", "turbo", "xt", "instruct", "refiner"),
        "text-to-image",
    ),
    "openai": (
        ("whisper", "clip-vit", "gpt-oss", "shap-e", "diffusers-cd"),
        (
            "tiny", "base", "small", "medium", "large-v2", "base-patch32", "large-patch14", "20b",
            "120b",
        ),
        ("", ".en", "turbo", "imagenet64"),
        "automatic-speech-recognition",
    ),
    "BAAI": (
        ("bge", "bge-reranker", "bge-small", "bge-large", "Aquila", "Emu3", "bge-multilingual"),
        ("en", "zh", "base", "large", "v2", "v1.5", "m3", "gemma2"),
        ("", "v1.5", "en", "zh", "icl", "Gen"),
        "feature-extraction",
    ),
}

# ---------------------------------------------------------------------------------------
# Ordinary (non-foundation) roots, by pipeline.

# Pipelines of ordinary roots with weights (their name templates: names._ROOT_NAMES). Tuned so
# that text-generation ends near 47% of all models.
ROOT_PIPELINES = (
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
MODALITY: dict[str | None, str] = {  # pipeline: modality
    "text-classification": "text", "token-classification": "text", "fill-mask": "text",
    "feature-extraction": "text", "sentence-similarity": "text", "text2text-generation": "text",
    "question-answering": "text", "summarization": "text", "zero-shot-classification": "text",
    "translation": "text", "image-classification": "vision", "object-detection": "vision",
    "image-segmentation": "vision", "depth-estimation": "vision", "video-classification": "vision",
    "zero-shot-image-classification": "vision", "image-to-image": "vision",
    "unconditional-image-generation": "vision", "automatic-speech-recognition": "audio",
    "audio-classification": "audio", "text-to-speech": "audio", "text-to-audio": "audio",
    "text-to-image": "image-gen", "text-to-video": "image-gen", "image-text-to-text": "multimodal",
    "image-to-text": "multimodal", "visual-question-answering": "multimodal",
    "any-to-any": "multimodal", "tabular-classification": "other",
    "time-series-forecasting": "other", "robotics": "other",
}
# Architectures of ordinary roots, by pipeline (a repeated one weighs more).
ROOT_ARCH: dict[str | None, tuple[str, ...]] = {
    "text-generation": ("llama", "qwen2", "gpt2", "mistral", "gpt_neox", "phi3", "gemma2", "llama"),
    "text-classification": ("bert", "distilbert", "roberta", "xlm-roberta", "deberta-v2", "bert"),
    "token-classification": ("bert", "roberta", "xlm-roberta", "distilbert"),
    "automatic-speech-recognition": ("whisper", "wav2vec2", "whisper"),
    "image-classification": ("vit", "convnext", "swin", "resnet"),
    "fill-mask": ("bert", "roberta"),
    "sentence-similarity": ("bert", "mpnet", "xlm-roberta"),
    "feature-extraction": ("bert", "xlm-roberta", "clip"),
    "text2text-generation": ("t5", "bart", "mt5"),
    "translation": ("marian", "marian", "m2m_100"),
    "summarization": ("bart", "t5", "pegasus"),
    "image-text-to-text": ("qwen2_vl", "llava", "idefics3", "paligemma"),
    "question-answering": ("bert", "roberta", "distilbert"),
    "object-detection": ("detr", "yolos"),
}
LIBRARY_BY_PIPELINE = {  # the library an ordinary root declares, with weights
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
OTHER_ROOT_LIBRARIES = (("transformers", 0.85), (None, 0.15))  # pipelines not listed above
# Which DATASETS and ARXIV pool an ordinary root of each modality cites.
REFERENCES_OF = {"text": "nlp", "audio": "speech", "vision": "en", "image-gen": "en",
                  "multimodal": "llm", "other": "en"}

# ---------------------------------------------------------------------------------------
# What a record says about itself: licenses, references, tags, files.

# Foundation groups whose models chat, and those whose models draw.
CHAT_GROUPS = {"llm", "vlm"}
IMAGE_GROUPS = {"diffusion", "flux"}
# Licenses of models that keep no family license, with weights (None: none declared).
LICENSES = (
    ("apache-2.0", 0.4), ("mit", 0.18), (None, 0.22), ("cc-by-4.0", 0.04),
    ("cc-by-nc-4.0", 0.04), ("openrail", 0.03), ("other", 0.03), ("gpl-3.0", 0.02),
    ("llama3", 0.02), ("bsd-3-clause", 0.01), ("afl-3.0", 0.01),
)
# Datasets a card names, by the model's reference pool (Attrs.references).
DATASETS = {
    "llm": (
        "HuggingFaceH4/ultrachat_200k", "teknium/OpenHermes-2.5", "Open-Orca/OpenOrca",
        "tatsu-lab/alpaca", "yahma/alpaca-cleaned", "HuggingFaceH4/ultrafeedback_binarized",
        "Intel/orca_dpo_pairs", "argilla/distilabel-intel-orca-dpo-pairs", "openai/gsm8k",
        "meta-math/MetaMathQA", "databricks/databricks-dolly-15k", "Anthropic/hh-rlhf",
        "HuggingFaceTB/smoltalk", "allenai/tulu-3-sft-mixture",
        "Magpie-Align/Magpie-Pro-300K-Filtered", "nvidia/HelpSteer2", "garage-bAInd/Open-Platypus",
        "m-a-p/CodeFeedback-Filtered-Instruction", "open-r1/OpenR1-Math-220k",
        "bespokelabs/Bespoke-Stratos-17k", "AI-MO/NuminaMath-CoT", "mlabonne/orpo-dpo-mix-40k",
        "jondurbin/airoboros-3.2", "timdettmers/openassistant-guanaco", "OpenAssistant/oasst1",
        "cognitivecomputations/dolphin",
    ),
    "nlp": (
        "stanfordnlp/imdb", "dair-ai/emotion", "nyu-mll/glue", "stanfordnlp/sst2",
        "eriktks/conll2003", "rajpurkar/squad", "rajpurkar/squad_v2", "fancyzhx/ag_news",
        "Yelp/yelp_review_full", "cardiffnlp/tweet_eval", "SetFit/emotion",
        "sentence-transformers/all-nli", "microsoft/ms_marco", "google-research-datasets/paws",
    ),
    "speech": (
        "mozilla-foundation/common_voice_11_0", "mozilla-foundation/common_voice_17_0",
        "google/fleurs", "openslr/librispeech_asr", "facebook/voxpopuli",
    ),
    "en": (
        "uoft-cs/cifar10", "ylecun/mnist", "ethz/food101", "AI-Lab-Makerere/beans",
        "lambdalabs/naruto-blip-captions", "blanchon/EuroSAT_RGB",
    ),
}
# Papers a card cites, by the same pools.
ARXIV = {
    "llm": (
        "2305.14314", "2106.09685", "2305.18290", "2407.21783", "2412.15115", "2501.12948",
        "2310.06825", "2307.09288", "2309.00071", "2402.03300", "2403.07691", "2405.14734",
    ),
    "nlp": (
        "1810.04805", "1910.01108", "1907.11692", "1911.02116", "2111.09543", "1908.10084",
        "2402.03216", "1910.10683", "2210.11416",
    ),
    "speech": ("2212.04356", "2006.11477"),
    "en": ("2112.10752", "2307.01952", "2010.11929", "1512.03385", "2106.09685"),
}
# The tags each library puts first.
LIBRARY_TAGS: dict[str | None, tuple[str, ...]] = {
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
# Libraries whose models are tagged with their weights format (safetensors or pytorch),
WEIGHT_TAGS = {"transformers", "peft", "diffusers", "mlx", "sentence-transformers"}
# with their architecture,
ARCH_TAGS = {"transformers", "sentence-transformers", "peft"}
# and sometimes endpoints_compatible.
ENDPOINT_TAGS = {"transformers", "sentence-transformers", "gguf"}
# Trainer or method tags of finetunes.
FT_EXTRAS = ("generated_from_trainer", "trl", "sft", "dpo", "unsloth", "axolotl",
              "llama-factory", "autotrain", "orpo", "grpo")
# Files beside .gitattributes and README.md, by library.
FILES: dict[str | None, tuple[str, ...]] = {
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
# Quantization levels of GGUF files, lowest first.
GGUF_LEVELS = ("Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "f16")
# The library a GGUF quantization's repository declares, with weights.
GGUF_LIBRARIES = (("gguf", 0.5), ("transformers", 0.25), (None, 0.25))
