"""Ingestion into a real PostgreSQL: idempotent, order-independent, lineage kept right."""

import copy
import random

import pytest

from data.ingest.files import FileSource
from data.ingest.pipeline import ingest
from tests.catalog_state import catalog_state, counts, model
from tests.family import FIXTURES, family_records


def test_a_family_is_stored_with_its_lineage(db):
    summary = ingest(db, family_records())
    assert (summary.new, summary.updated, summary.unchanged, summary.skipped) == (9, 0, 0, 0)
    assert summary.self_loops == 1
    state = catalog_state(db)
    assert state["relations"] == [
        ("lab/base-7b-chat", "acme/base-7b", "acme/base-7b", "finetune", True, "typed_tag"),
        ("merger/chat-merge-7b", "lab/base-7b-chat", "lab/base-7b-chat", "merge", False, "untyped_tag"),
        ("merger/chat-merge-7b", "tuner/base-7b-lora-r16", "tuner/base-7b-lora-r16", "merge", False, "untyped_tag"),
        ("odd/cycle-a", "odd/cycle-b", "odd/cycle-b", "finetune", True, "typed_tag"),
        ("odd/cycle-b", "odd/cycle-a", "odd/cycle-a", "finetune", True, "typed_tag"),
        ("orphan/child-of-deleted", "gone/deleted-model", None, "quantized", True, "typed_tag"),
        ("quant/base-7b-chat-GGUF", "lab/base-7b-chat", "lab/base-7b-chat", "quantized", False, "untyped_tag"),
        ("tuner/base-7b-lora-r16", "acme/base-7b", "acme/base-7b", "adapter", True, "card_data"),
    ]
    base = model(db, "acme/base-7b")
    assert (base["derivative_count"], base["has_base_model"], base["gated"]) == (2, False, "manual")
    assert model(db, "lab/base-7b-chat")["derivative_count"] == 2
    assert model(db, "odd/self-made")["has_base_model"] is False
    assert model(db, "orphan/child-of-deleted")["has_base_model"] is True
    assert ("acme/base-7b", "en", "language") in state["tags"]
    assert ("acme/base-7b", "license:apache-2.0", "license") in state["tags"]
    assert ("tuner/base-7b-lora-r16", "tuner/instructions", "card_data") in state["datasets"]
    assert model(db, "tuner/base-7b-lora-r16")["license"] == "mit"


def test_reingesting_the_same_data_changes_nothing(db):
    ingest(db, family_records())
    before = catalog_state(db)
    summary = ingest(db, family_records())
    assert (summary.new, summary.updated, summary.unchanged) == (0, 0, 9)
    assert catalog_state(db) == before


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_any_arrival_order_and_batching_gives_the_same_catalog(db, seed):
    ingest(db, family_records(), batch_size=100)
    expected = catalog_state(db)
    with db.session() as session:
        session.execute(__import__("sqlalchemy").text("DELETE FROM models"))
        session.commit()
    shuffled = family_records()
    random.Random(seed).shuffle(shuffled)
    ingest(db, shuffled, batch_size=seed)
    assert catalog_state(db) == expected


def test_a_newer_record_replaces_fields_tags_and_relations(db):
    ingest(db, family_records())
    newer = [m for m in family_records() if m["id"] == "quant/base-7b-chat-GGUF"][0]
    newer = copy.deepcopy(newer) | {
        "downloads": 9999,
        "lastModified": "2024-09-01T00:00:00.000Z",
        "tags": ["gguf", "base_model:quantized:acme/base-7b", "license:mit"],
    }
    summary = ingest(db, [newer])
    assert (summary.new, summary.updated) == (0, 1)
    state = catalog_state(db)
    assert [r for r in state["relations"] if r[0] == "quant/base-7b-chat-GGUF"] == [
        ("quant/base-7b-chat-GGUF", "acme/base-7b", "acme/base-7b", "quantized", True, "typed_tag")
    ]
    assert model(db, "quant/base-7b-chat-GGUF")["downloads"] == 9999
    assert model(db, "quant/base-7b-chat-GGUF")["license"] == "mit"
    assert model(db, "acme/base-7b")["derivative_count"] == 3  # gained one
    assert model(db, "lab/base-7b-chat")["derivative_count"] == 1  # lost one
    older = newer | {"downloads": 1, "lastModified": "2024-01-01T00:00:00.000Z"}
    assert ingest(db, [older]).updated == 0  # an older record never overwrites a newer one


def test_a_parent_arriving_later_is_linked_and_counted(db):
    child = {"id": "kid/model", "tags": ["base_model:finetune:Late/Parent"], "downloads": 1}
    ingest(db, [child])
    assert catalog_state(db)["relations"][0][2] is None
    ingest(db, [{"id": "late/parent", "downloads": 5, "tags": []}])  # ids match regardless of case
    assert catalog_state(db)["relations"][0][2] == "late/parent"
    assert model(db, "late/parent")["derivative_count"] == 1


def test_malformed_records_are_skipped_and_reported_the_rest_stored(db):
    summary = ingest(db, FileSource([FIXTURES / "malformed.jsonl"]))
    assert summary.stored == 1 and summary.skipped == 6
    reasons = dict(summary.skip_examples)
    assert reasons["bad/negative-downloads"] == "downloads is negative: -5"
    assert reasons["bad/tags"].startswith("tag is not a string")
    assert any("invalid JSON" in reason for reason in reasons.values())
    assert any(where.endswith("malformed.jsonl:4") for where in reasons)
    assert counts(db)["models"] == 1


def test_a_record_the_database_refuses_is_isolated_not_the_batch(db):
    records = family_records()
    records[3]["siblings"] = [{"rfilename": "nul\u0000name"}]  # text cannot hold NUL
    summary = ingest(db, records, batch_size=100)
    assert summary.stored == 8 and summary.skipped == 1
    assert summary.skip_examples[0][0] == "tuner/base-7b-lora-r16"
    assert "refused by the database" in summary.skip_examples[0][1]


def test_nul_characters_in_card_data_are_dropped_not_fatal(db):
    records = family_records()
    records[3]["cardData"]["note"] = "nul \u0000 inside"
    assert ingest(db, records).stored == 9
    assert model(db, "tuner/base-7b-lora-r16")["card_data"]["note"] == "nul  inside"
