"""What the dashboard calls the grammar's words (data/query.py), in one place."""

from __future__ import annotations

from data.query import ORDERS, SORTS
from data.vocabulary import RelationType

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
    "has_card": "Has a model card",
    "arxiv": "arXiv paper",
    "created_from": "Created from",
    "created_to": "Created to",
    "min_downloads": "Downloads ≥",
    "min_likes": "Likes ≥",
    "min_quality": "Quality ≥",
    "licence_conflict": "Licence conflict",
    "quant": "Quantization",
    "min_params": "Parameters ≥",
    "max_params": "Parameters ≤",
    "group": "Fold variants",
}
LINEAGE_CHIPS = {  # a lineage filter's removable chip on the search page, from its value
    "descendant_of": "descendants of {}",
    "ancestor_of": "ancestors of {}",
    "depth": "within {} generations",
    "relation": "edge into each: {}",
    "lineage": "{} edges",
}
SORT_LABELS = {sort: sort.capitalize() for sort in SORTS}
ORDER_LABELS = dict(zip(ORDERS, ("Descending", "Ascending"), strict=True))
RELATION_PLURALS: dict[RelationType, str] = {  # "917 finetunes"
    "finetune": "finetunes",
    "adapter": "adapters",
    "quantized": "quantizations",
    "merge": "merges",
}
