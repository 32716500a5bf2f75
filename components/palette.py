"""The dashboard's colours: one per relation type (lineage graph, its legend, the charts) and
the charts' colourway."""

from __future__ import annotations

from data.vocabulary import RELATION_TYPES, RelationType

RELATION_COLOURS: dict[RelationType, str] = dict(
    zip(RELATION_TYPES, ["#0d6efd", "#198754", "#fd7e14", "#6f42c1"], strict=True)
)
MISSING_COLOUR = "#adb5bd"  # a model not in the catalog, a relation inferred
PALETTE = ["#4c6ef5", "#20c997", "#fab005", "#fa5252", "#7950f2", "#15aabf", "#fd7e14", "#82c91e", "#e64980", "#868e96"]
MUTED = {"other": "#adb5bd", "no task": "#dee2e6"}  # chart series that are not one value
