from data.search_words import search_document, search_words, tag_words, words


def test_ids_split_the_way_people_type_them():
    assert set(search_words("Qwen/Qwen2.5-7B-Instruct")) == {
        "qwen", "qwen2", "5", "7b", "7", "b", "2", "instruct"
    }


def test_each_word_once_and_non_ascii_kept():
    assert search_words("a/a-a") == ["a"]
    assert words("rinna/japanese-gpt-ñ-日本語") == ["rinna", "japanese", "gpt", "ñ", "日本語"]


def test_tags_give_their_values_and_noise_is_left_out():
    tags = ["gguf", "base_model:meta-llama/Llama-3", "license:mit", "region:us", "endpoints_compatible"]
    assert tag_words(tags) == ["gguf", "mit"]


def test_the_document_weighs_id_author_task_and_tags():
    document = search_document("Org/Phi-3", "Org", "text-generation", None, ["gguf"])
    assert document == "'org':1A 'phi':1A '3':1A 'org':2B 'text':3C 'generation':3C 'gguf':4"
