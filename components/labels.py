"""What the dashboard calls the grammar's words (data/query.py), in one place."""

from __future__ import annotations

from data.query import ORDERS, SORTS

FIELD_LABELS = {  # SearchQuery field: its name on a filter chip or above its control
    "q": "Text",
    "author": "Author",
    "pipeline_tag": "Task",
    "library": "Library",
    "license": "Licence",
    "language": "Language",
    "dataset": "Dataset",
    "tag": "Tag",
    "base_model": "Derived from",
    "relation": "Relation",
    "gated": "Gated",
    "has_base_model": "Has a base model",
    "created_from": "Created from",
    "created_to": "Created to",
    "min_downloads": "Downloads ≥",
    "min_likes": "Likes ≥",
    "quant": "Quantization",
    "min_params": "Parameters ≥",
    "max_params": "Parameters ≤",
    "group": "Fold variants",
}
SORT_LABELS = {sort: sort.capitalize() for sort in SORTS}
ORDER_LABELS = dict(zip(ORDERS, ("Descending", "Ascending"), strict=True))
