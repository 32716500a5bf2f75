"""models.variant_of kept by ingestion whatever order a group's models arrive in."""

from __future__ import annotations

from sqlalchemy import text

from data.ingest.pipeline import ingest

BASE = {"id": "TheBloke/Llama-2-7B", "downloads": 10, "tags": ["llama"]}
GGUF = {"id": "TheBloke/Llama-2-7B-GGUF", "downloads": 5, "tags": ["gguf"]}
AWQ = {"id": "other/llama2-awq", "downloads": 3, "tags": ["awq", "base_model:quantized:TheBloke/Llama-2-7B"]}


def heads(db) -> dict[str, str | None]:
    with db.session() as session:
        rows = session.execute(
            text(
                "SELECT m.repo_id, h.repo_id FROM models m LEFT JOIN models h ON h.id = m.variant_of "
                "JOIN model_search s ON s.id = m.id AND s.variant_of IS NOT DISTINCT FROM m.variant_of"
            )
        )
        return dict(rows.all())


def test_variants_stored_before_their_head_fold_under_it_when_it_arrives(db):
    ingest(db, [GGUF, AWQ])
    assert heads(db) == {GGUF["id"]: None, AWQ["id"]: None}
    ingest(db, [BASE])
    assert heads(db) == {BASE["id"]: None, GGUF["id"]: BASE["id"], AWQ["id"]: BASE["id"]}


def test_a_head_that_becomes_a_variant_releases_its_group(db):
    ingest(db, [BASE, GGUF, AWQ])
    assert heads(db)[GGUF["id"]] == BASE["id"]
    ingest(db, [BASE | {"tags": ["llama", "exl2"], "downloads": 11}])  # now a quantization itself
    assert heads(db) == {BASE["id"]: None, GGUF["id"]: None, AWQ["id"]: None}
