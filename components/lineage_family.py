"""The whole family of a model as a Plotly sunburst: relation types, then their top authors
(the rest as "others"), sized by descendants. For families too big to draw model by model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from components.analytics import TEMPLATE
from components.palette import MUTED, RELATION_COLOURS

if TYPE_CHECKING:  # the results' types only: components run no queries
    from data.family_groups import AuthorCount

OTHERS = "others"


def sunburst(root: str, counts: Sequence[AuthorCount]) -> go.Figure | None:
    """None when the family is empty. Sector ids: the root, "relation", "relation/author"
    ("relation/" for the others of a type: no Hub author is empty)."""
    counts = [c for c in counts if c.models > 0]
    if not counts:
        return None
    by_relation: dict[str, int] = {}
    for count in counts:
        by_relation[count.relation] = by_relation.get(count.relation, 0) + count.models
    ids, labels, parents, values, colours = (
        [root],
        [root.rpartition("/")[2]],
        [""],
        [sum(by_relation.values())],
        ["#fff"],
    )
    for relation, total in by_relation.items():
        ids.append(relation)
        labels.append(relation)
        parents.append(root)
        values.append(total)
        colours.append(RELATION_COLOURS.get(relation, MUTED["other"]))
    for count in counts:
        ids.append(f"{count.relation}/{count.author or ''}")
        labels.append(count.author or OTHERS)
        parents.append(count.relation)
        values.append(count.models)
        colours.append(MUTED["other"] if count.author is None else RELATION_COLOURS.get(count.relation, MUTED["other"]))
    trace = go.Sunburst(
        ids=ids,
        labels=labels,
        parents=parents,
        values=values,
        branchvalues="total",
        marker={"colors": colours, "line": {"color": "white", "width": 1}},
        insidetextorientation="radial",
        hovertemplate="%{label}: %{value:,} descendants<br>%{percentRoot:.1%} of the family<extra></extra>",
    )
    return go.Figure(trace, layout={"template": TEMPLATE, "height": 620, "margin": {"l": 0, "r": 0, "t": 0, "b": 0}})
