from data.search_words import search_document, search_words, tag_words, words


def test_ids_split_the_way_people_type_them():
    assert set(search_words("Qwen/Qwen2.5-7B-Instruct")) == {
        "qwen", "qwen2", "5", "7b", "7", "b", "2", "instruct"
    }


def test_each_word_once_and_non_ascii_kept():
    assert search_words("a/a-a") == ["a"]
    assert words("rinna/japanese-gpt-ñ-日本語") == ["rinna", "japanese", "gpt", "ñ", "日本語"]


def test_lineage_tags_are_not_searchable_words():
    assert tag_words(["gguf", "base_model:meta-llama/Llama-3", "license:mit"]) == ["gguf", "license", "mit"]


def test_the_document_weighs_id_author_task_and_tags():
    document = search_document("Org/Phi-3", "Org", "text-generation", None, ["gguf"])
    assert document == "'org':1A 'phi':2A '3':3A 'org':4B 'text':5C 'generation':6C 'gguf':7"
