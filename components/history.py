"""The model page's History tab: its downloads and likes over time, as the syncs recorded them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go
from dash import dcc, html

from components import ids
from components.analytics import GRAPH_CONFIG, TEMPLATE

if TYPE_CHECKING:  # the results' types only: components run no queries
    from data.history import History

HISTORY_GRAPH = ids.of("model", "history")
NO_HISTORY = "No history yet: each `catalog sync` records the model's downloads and likes when they change."


def history_figure(history: History) -> go.Figure:
    """Downloads (left axis) and likes (right), as steps: a count holds until the next change."""
    when = [point.observed_at for point in history.points]
    downloads = go.Scatter(
        x=when,
        y=[point.downloads for point in history.points],
        name="downloads (30 days)",
        mode="lines+markers",
        line={"shape": "hv"},
        hovertemplate="%{x|%Y-%m-%d %H:%M} UTC<br>%{y:,} downloads in the 30 days before<extra></extra>",
    )
    likes = go.Scatter(
        x=when,
        y=[point.likes for point in history.points],
        name="likes",
        mode="lines+markers",
        line={"shape": "hv", "dash": "dot"},
        yaxis="y2",
        hovertemplate="%{x|%Y-%m-%d %H:%M} UTC<br>%{y:,} likes<extra></extra>",
    )
    return go.Figure(
        [downloads, likes],
        layout={
            "template": TEMPLATE,
            "height": 360,
            "xaxis": {"type": "date"},
            "yaxis": {"title": {"text": "downloads"}, "rangemode": "tozero"},
            "yaxis2": {
                "title": {"text": "likes"},
                "overlaying": "y",
                "side": "right",
                "rangemode": "tozero",
                "showgrid": False,
                "fixedrange": True,
            },
        },
    )


def history_tab(history: History) -> html.Div:
    if not history.points:
        return html.Div(html.P(NO_HISTORY, className="text-muted model-history-empty"))
    first, last = history.points[0].observed_at, history.points[-1].observed_at
    caption = f"{len(history.points):,} recorded changes, {first:%Y-%m-%d} to {last:%Y-%m-%d} (UTC)."
    return html.Div(
        [
            html.P(caption, className="small text-muted model-history-caption"),
            dcc.Graph(id=HISTORY_GRAPH, figure=history_figure(history), config=GRAPH_CONFIG, className="model-history"),
        ]
    )
