"""Mapping one API record to catalog rows: tag types, lineage trust and inference, rejections."""

from datetime import UTC, datetime, timedelta

import pytest

from data.ingest.mapping import (
    MAX_BIGINT,
    MAX_CARD_DEPTH,
    MAX_LIKES,
    MAX_NAME_LENGTH,
    MAX_TAGS,
    Rejected,
    map_record,
    tag_type,
)
from tests.hostile_records import corpus, nested


def record(**fields):
    return {"id": "org/model", "downloads": 1, "likes": 0, "tags": []} | fields


def relations(model):
    return [(r.base_model_id, r.relation_type, r.declared, r.source) for r in model.relations]


@pytest.mark.parametrize(
    "tag, expected",
    [
        ("license:apache-2.0", "license"),
        ("dataset:org/data", "dataset"),
        ("arxiv:2401.00001", "arxiv"),
        ("region:us", "region"),
        ("en", "language"),
        ("zh", "language"),
        ("transformers", "library"),
        ("gguf", "library"),
        ("base_model:finetune:a/b", "base_model"),
        ("text-generation", "other"),
        ("conversational", "other"),
    ],
)
def test_tag_types(tag, expected):
    assert tag_type(tag) == expected


def test_the_model_library_counts_as_library_tag():
    assert tag_type("my-new-lib", library_name="my-new-lib") == "library"


def test_author_comes_from_the_id_when_absent():
    assert map_record(record()).author == "org"
    assert map_record(record(author="someone")).author == "someone"


def test_typed_tags_win_over_card_data_and_untyped_tags():
    model = map_record(
        record(
            tags=["base_model:a/base", "base_model:quantized:a/base"],
            cardData={"base_model": "a/base", "base_model_relation": "finetune"},
        )
    )
    assert relations(model) == [("a/base", "quantized", True, "typed_tag")]


def test_card_data_base_model_list_with_relation_and_hub_urls():
    model = map_record(
        record(
            cardData={
                "base_model": ["https://huggingface.co/a/one", "b/two"],
                "base_model_relation": "merge",
            }
        )
    )
    assert relations(model) == [("a/one", "merge", True, "card_data"), ("b/two", "merge", True, "card_data")]


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"tags": ["base_model:a/x", "base_model:b/y"]}, "merge"),
        ({"tags": ["base_model:a/x", "gguf"]}, "quantized"),
        ({"id": "org/model-GPTQ", "tags": ["base_model:a/x"]}, "quantized"),
        ({"tags": ["base_model:a/x", "4-bit"]}, "quantized"),
        ({"tags": ["base_model:a/x"], "library_name": "peft"}, "adapter"),
        ({"id": "org/model-lora", "tags": ["base_model:a/x"]}, "adapter"),
        ({"tags": ["base_model:a/x", "transformers"]}, "finetune"),
        ({"cardData": {"base_model": "a/x"}}, "finetune"),
    ],
)
def test_untyped_relations_are_inferred_and_marked_so(fields, expected):
    model = map_record(record(**fields))
    assert {r.relation_type for r in model.relations} == {expected}
    assert not any(r.declared for r in model.relations)


def test_self_loops_are_dropped_and_counted_whatever_the_case():
    model = map_record(
        record(id="Org/Model", tags=["base_model:org/model", "base_model:finetune:Org/Model", "base_model:a/x"])
    )
    assert relations(model) == [("a/x", "finetune", False, "untyped_tag")]
    assert model.has_self_loop
    assert model.relations and map_record(record(tags=["base_model:org/model"])).relations == []


def test_unusable_base_model_values_are_dropped_not_fatal():
    model = map_record(record(cardData={"base_model": ["not a model id!", "a/ok"]}))
    assert [r.base_model_id for r in model.relations] == ["a/ok"]
    assert model.dropped_relations == 1


def test_datasets_from_tags_and_card_data_once_each():
    model = map_record(
        record(
            tags=["dataset:a/one"],
            cardData={"datasets": ["a/one", "https://huggingface.co/datasets/b/two"]},
        )
    )
    assert model.datasets == [("a/one", "tag"), ("b/two", "card_data")]


def test_license_from_tag_then_card():
    assert map_record(record(tags=["license:mit"])).license == "mit"
    assert map_record(record(cardData={"license": "apache-2.0"})).license == "apache-2.0"


def test_snake_case_records_of_huggingface_hub_are_read_too():
    model = map_record(record(created_at="2024-01-02T03:04:05+00:00", card_data={"license": "mit"}))
    assert model.created_at.year == 2024 and model.license == "mit"


def test_file_sizes_from_siblings():
    model = map_record(
        record(
            siblings=[
                {"rfilename": "model.safetensors", "size": 10, "blobId": "abc"},
                {"rfilename": "big.bin", "lfs": {"size": 99}},
                {"rfilename": "README.md"},
            ]
        )
    )
    assert model.siblings == [("model.safetensors", 10, "abc"), ("big.bin", 99, None), ("README.md", None, None)]
    assert map_record(record()).siblings is None  # a list record says nothing about files


@pytest.mark.parametrize(
    "raw, reason",
    [
        (record(downloads=-1), "downloads is negative"),
        (record(likes="many"), "likes is not an integer"),
        (record(downloads=True), "downloads is not an integer"),
        (record(createdAt="yesterday"), "createdAt is not an ISO date"),
        (record(lastModified="2024-01-01T00:00:00"), "lastModified has no time zone"),
        (record(id="a/" + "x" * 300), "id longer than"),
        (record(id="no spaces/allowed here"), "is not a Hub id"),
        (record(tags=["ok", 7]), "tag is not a string"),
        (record(tags="gguf"), "tags is not a list"),
        (record(gated="sometimes"), "gated is not"),
        (record(cardData=["x"]), "cardData is not an object"),
        ({"downloads": 1}, "missing id"),
        ([1, 2], "expected a JSON object"),
    ],
)
def test_malformed_records_are_rejected_with_a_reason(raw, reason):
    with pytest.raises(Rejected, match=reason):
        map_record(raw)


def test_the_digest_changes_with_the_record_only():
    assert map_record(record()).record_hash == map_record(record()).record_hash
    assert map_record(record()).record_hash != map_record(record(likes=1)).record_hash


@pytest.mark.parametrize("hostile", corpus(), ids=lambda hostile: hostile.name)
def test_every_hostile_record_is_rejected_with_its_reason(hostile):
    with pytest.raises(Rejected) as rejected:
        map_record(hostile.record)
    assert str(rejected.value).split(":")[0] == hostile.reason


@pytest.mark.parametrize(
    "repo_id",
    [
        "gpt2",
        "org/name",
        "Org-1/a.b_c-d",
        "huggingtweets/_deep_winter_",
        "a/" + "x" * MAX_NAME_LENGTH,
    ],
)
def test_hub_ids_are_accepted(repo_id):
    assert map_record(record(id=repo_id)).repo_id == repo_id


@pytest.mark.parametrize(
    "repo_id",
    [
        "a/" + "x" * (MAX_NAME_LENGTH + 1),
        "org/name\n",
        "org/a..b",
        "../etc",
        "org/.name",
        "org/name.",
        "-org/name",
        "org/na me",
        "org/",
        "/name",
        "a/b/c",
        "org/naïve",
    ],
)
def test_ids_the_hub_cannot_have_are_rejected(repo_id):
    with pytest.raises(Rejected, match="^id "):
        map_record(record(id=repo_id))


def test_base_models_are_kept_as_cards_name_them_but_for_traversals_and_newlines():
    model = map_record(
        record(
            tags=[
                "base_model:org/a..b",
                "base_model:../etc",
                "base_model:org/x\ny",
                "base_model:org/name.",
            ]
        )
    )
    assert [r.base_model_id for r in model.relations] == ["org/name."] and model.dropped_relations == 3


def test_dates_are_stored_in_utc():
    model = map_record(record(createdAt="2024-05-01T00:30:00+02:00"))
    assert model.created_at == datetime(2024, 4, 30, 22, 30, tzinfo=UTC)
    assert model.created_at.utcoffset() == timedelta(0)


def test_dates_up_to_a_day_ahead_are_kept_later_ones_rejected():
    soon = datetime.now(UTC) + timedelta(hours=23)
    assert map_record(record(lastModified=soon.isoformat())).last_modified == soon
    with pytest.raises(Rejected, match="lastModified is out of range"):
        map_record(record(lastModified=(soon + timedelta(hours=2)).isoformat()))


def test_limits_are_inclusive():
    assert map_record(record(likes=MAX_LIKES)).likes == MAX_LIKES
    assert map_record(record(downloads=MAX_BIGINT)).downloads == MAX_BIGINT
    assert map_record(record(tags=[f"t{n}" for n in range(MAX_TAGS)])).tags[-1] == f"t{MAX_TAGS - 1}"
    assert map_record(record(cardData=nested(MAX_CARD_DEPTH))).card_data is not None
    with pytest.raises(Rejected, match="cardData nested deeper"):
        map_record(record(cardData=nested(MAX_CARD_DEPTH + 1)))
    sizes = map_record(record(siblings=[{"rfilename": "a", "size": MAX_BIGINT}])).siblings
    assert sizes == [("a", MAX_BIGINT, None)]


def test_non_finite_numbers_and_unencodable_text_are_rejected():
    with pytest.raises(Rejected, match="trendingScore is not a finite number"):
        map_record(record(trendingScore=float("inf")))
    with pytest.raises(Rejected, match="cardData is not valid JSON"):
        map_record(record(cardData={"note": "\udc80"}))
    with pytest.raises(Rejected, match="tag is not valid Unicode"):
        map_record(record(tags=["\ud800"]))
