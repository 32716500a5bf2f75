"""app/api/payload.py: the API's JSON of data's results."""

from __future__ import annotations

from app.api.payload import payload
from data.catalog import BaseModelLink, ModelSummary


def test_a_summary_names_its_id_id():
    summary = ModelSummary("a/b", "a", None, None, None, 1, 2, None, None, None, None, False, 0)
    assert payload(summary) == {
        "id": "a/b",
        "author": "a",
        "pipeline_tag": None,
        "library_name": None,
        "license": None,
        "downloads": 1,
        "likes": 2,
        "trending_score": None,
        "created_at": None,
        "last_modified": None,
        "gated": None,
        "has_base_model": False,
        "derivative_count": 0,
        "params": None,
        "params_source": None,
        "quant": None,
        "quality": None,
        "snippet": None,
        "variants": None,
        "trend": None,
    }


def test_lists_and_nested_results_and_plain_values():
    link = BaseModelLink("org/base", "finetune", True, "typed_tag", False)
    assert payload([link]) == [
        {"id": "org/base", "relation_type": "finetune", "declared": True, "source": "typed_tag", "in_catalog": False}
    ]
    assert payload({"k": 1}) == {"k": 1} and payload(3) == 3
