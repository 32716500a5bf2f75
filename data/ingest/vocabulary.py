"""Words that classify Hub tags and hint at a derivative's relation to its base."""

# ISO 639-1 codes, the form the Hub uses for language tags.
LANGUAGE_CODES = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht
    hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la
    lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj
    om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv
    sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split()
) | frozenset(
    # Three-letter codes the Hub uses often, where no two-letter code exists.
    "multilingual yue ceb haw fon nso tum ilo war ast ckb min pag mos pap mai kab lij fur".split()
)

# Libraries and frameworks (tags such as "transformers", "gguf", "safetensors").
LIBRARY_TAGS = frozenset(
    """transformers pytorch tf jax keras safetensors onnx gguf diffusers peft
    sentence-transformers timm adapter-transformers spacy flair fastai stable-baselines3
    ml-agents sample-factory setfit span-marker speechbrain nemo espnet asteroid paddlepaddle
    paddlenlp open_clip openvino coreml tflite mlx mlx-lm transformers.js rust tensorboard
    sklearn scikit-learn joblib fasttext flax allennlp bertopic keras-hub tf-keras unity
    llamafile ctranslate2 pyannote-audio fairseq sentencepiece lerobot gliner tensorrt
    ultralytics openlm pythae k2 birefnet pruna""".split()
)

# Signs that a model without a declared relation is a quantization of its base.
QUANTIZED_SIGNS = frozenset(
    "gguf gptq awq exl2 exl3 bnb bitsandbytes 4-bit 8-bit 4bit 8bit int4 int8 hqq aqlm quanto "
    "fp8 nf4 mlx-4bit mlx-8bit".split()
)
# ... or an adapter on it.
ADAPTER_SIGNS = frozenset("peft lora qlora adapter adapters adapter-transformers".split())
