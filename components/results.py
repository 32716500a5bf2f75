"""Lists of models: an AG Grid on wide screens, a compact list on phones, the same rows in both.

The grid shows one page the server already sorted: a click on a sortable header only reports
the wanted sort (the page's callbacks fetch it), and `keepServerOrder` (assets/results_grid.js)
stops the grid from reordering the rows itself.
"""

from __future__ import annotations

import html as html_text
import re
from collections.abc import Sequence
from datetime import datetime

import dash_ag_grid as dag
from dash import dcc, html

from components.routes import author_href, model_href
from data.catalog import ModelSummary
from data.query import ORDERS, SORTS, format_params

GRID_CLASS, LIST_CLASS = "results-grid", "results-list"
WIDE_ONLY, NARROW_ONLY, HIDDEN = "d-none d-md-block", "d-md-none", "d-none"  # grid from 768 px, list below
MARK = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)

# colId: (header, row field, width); a colId in SORTABLE is also the sort's name in the grammar.
COLUMNS = {
    "id": ("Model", "id", None),
    "author": ("Author", "author", None),
    "pipeline_tag": ("Task", "pipeline_tag", None),
    "library": ("Library", "library", None),
    "params": ("Size", "params", 64),  # "~7B": read from the id, "7.24B": declared
    "downloads": ("Downloads", "downloads", 106),
    "likes": ("Likes", "likes", 76),
    "trending": ("Trending", "trending", 90),
    "quality": ("Quality", "quality", 72),  # the score, 0-100 (data/quality.py)
    "created": ("Created", "created", 98),
    "updated": ("Updated", "updated", 98),
    "derivatives": ("Derived", "derivatives", 78),
}
SORTABLE = tuple(sort for sort in SORTS if sort != "relevance")  # each has a column below
NUMERIC = {"downloads", "likes", "trending", "derivatives", "params", "quality"}
LINK_RENDERERS = {"id": "ModelLink", "author": "AuthorLink"}  # assets/results_grid.js
FLEX = {"id": 2.6, "author": 1, "pipeline_tag": 1.6, "library": 1.2}
MIN_WIDTH = {"id": 100, "author": 56, "pipeline_tag": 64, "library": 60}  # all fit a 1400 px window
# Rows chosen by their checkbox only (a click on a row's link opens the model).
SELECTION = {"mode": "multiRow", "checkboxes": True, "headerCheckbox": False, "enableClickSelection": False}
SELECTION_COLUMN = {"width": 36, "minWidth": 36, "maxWidth": 36, "suppressSizeToFit": True}


def snippet_parts(snippet: str | None) -> list[tuple[str, bool]]:
    """(text, is_match) pieces of a search snippet: matches come wrapped in <mark>…</mark>, the
    rest HTML-escaped; both are unescaped here, so they are shown as text, never parsed as HTML."""
    if not snippet:
        return []
    pieces = MARK.split(snippet)  # text, match, text, match, …, text
    return [(html_text.unescape(piece), index % 2 == 1) for index, piece in enumerate(pieces) if piece]


def snippet_children(snippet: str | None) -> list:
    return [html.Mark(piece) if matched else piece for piece, matched in snippet_parts(snippet)]


def row(model: ModelSummary) -> dict:
    """A grid row: display strings, links and the snippet's pieces."""
    return {
        "id": model.repo_id,
        "href": model_href(model.repo_id),
        "author": model.author,
        "author_href": author_href(model.author),
        "pipeline_tag": model.pipeline_tag or "—",
        "library": model.library_name or "—",
        "downloads": f"{model.downloads:,}",
        "likes": f"{model.likes:,}",
        "trending": trend(model),
        "quality": "—" if model.quality is None else str(model.quality),
        "created": day(model.created_at),
        "updated": day(model.last_modified),
        "derivatives": f"{model.derivative_count:,}",
        "snippet": [[piece, matched] for piece, matched in snippet_parts(model.snippet)],
        "params": size(model),
        "quant": model.quant,
        "variants": variants(model),
    }


def trend(model: ModelSummary) -> str:
    """The score a trending list ranks by (likes per day read as such), else the Hub's."""
    if model.trend is not None:
        score = model.trend.score
        return f"{score:,.1f}/day" if model.trend.basis == "likes_per_day" else f"{score:,.0f}"
    return "—" if model.trending_score is None else f"{model.trending_score:,.0f}"


def size(model: ModelSummary) -> str:
    """ "7B" when declared by the Hub's metadata, "~7B" when read from the id, "—" unknown."""
    if model.params is None:
        return "—"
    return ("~" if model.params_source == "inferred" else "") + format_params(_rounded(model.params))


def _rounded(count: int) -> int:
    """Three significant digits: 7,241,781,248 is shown as 7.24B."""
    digits = len(str(count))
    return count if digits <= 3 else round(count, 3 - digits)


def variants(model: ModelSummary) -> dict | None:
    """A folded group's "+N variants" and the links that expand it (group=variants)."""
    if not model.variants or not model.variants.count:
        return None
    count = model.variants.count
    return {
        "label": f"+{count:,} variant{'s' if count != 1 else ''}",
        "links": [[repo_id, model_href(repo_id)] for repo_id in model.variants.ids],
        "more": count - len(model.variants.ids),
    }


def variants_details(model: ModelSummary) -> list:
    """The list's form of `variants`: a <details> that opens on a click."""
    shown = variants(model)
    if not shown:
        return []
    links = [html.Li(dcc.Link(repo_id, href=href)) for repo_id, href in shown["links"]]
    more = [html.Li(f"and {shown['more']:,} more", className="text-muted")] if shown["more"] else []
    return [
        html.Details(
            [html.Summary(shown["label"], className="variants-toggle"), html.Ul([*links, *more], className="mb-0")],
            className="variants small",
        )
    ]


def day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else "—"


def column_defs(sort: str | None, order: str, sortable: bool) -> list[dict]:
    """`sort`/`order`: the order the rows are in, shown on its header when it is a column."""
    columns = []
    for col_id, (header, field, width) in COLUMNS.items():
        column = {"colId": col_id, "field": field, "headerName": header, "sortable": False}
        if width:
            column |= {"width": width, "minWidth": width, "maxWidth": width, "suppressSizeToFit": True}
        else:
            column |= {"flex": FLEX[col_id], "minWidth": MIN_WIDTH[col_id], "tooltipField": field}
        if col_id in NUMERIC:
            column |= {"type": "rightAligned"}
        if col_id in LINK_RENDERERS:
            column |= {"cellRenderer": LINK_RENDERERS[col_id]}
        if col_id == "id":
            column |= {"cellClass": "model-id", "wrapText": True, "autoHeight": True}  # the snippet's room
        if sortable and col_id in SORTABLE:
            column |= {"sortable": True, "sort": order if col_id == sort else None, "sortingOrder": list(ORDERS)}
        columns.append(column)
    return columns


def results_grid(
    grid_id: str,
    models: Sequence[ModelSummary],
    *,
    sort: str | None = None,
    order: str = "desc",
    sortable: bool = False,
    selectable: bool = False,
) -> dag.AgGrid:
    """`selectable`: a checkbox per row (the grid's `selectedRows`), kept by id across new rows."""
    selection = {"rowSelection": SELECTION, "selectionColumnDef": SELECTION_COLUMN} if selectable else {}
    return dag.AgGrid(
        id=grid_id,
        rowData=[row(model) for model in models],
        columnDefs=column_defs(sort, order, sortable),
        **({"getRowId": "params.data.id"} if selectable else {}),
        dashGridOptions={
            **selection,
            "domLayout": "autoHeight",
            "ensureDomOrder": True,
            "suppressMultiSort": True,
            "suppressMovableColumns": True,
            "suppressCellFocus": True,
            "suppressAnimationFrame": True,
            "animateRows": False,  # rows drawn at once, not frame by frame
            "postSortRows": {"function": "keepServerOrder(params)"},
        },
        className=f"ag-theme-alpine {GRID_CLASS}",
        style={"height": None},
    )


def results_list(models: Sequence[ModelSummary]) -> html.Ul:
    """The compact form for narrow screens: id, a line of facts, the snippet."""
    return html.Ul(
        [
            html.Li(
                [
                    dcc.Link(model.repo_id, href=model_href(model.repo_id), className="model-link"),
                    html.Div(
                        " · ".join(
                            fact
                            for fact in (
                                model.pipeline_tag,
                                model.library_name,
                                model.quant,
                                f"{model.downloads:,} downloads",
                                f"{model.likes:,} likes",
                                None if model.quality is None else f"quality {model.quality}",
                            )
                            if fact
                        ),
                        className="small text-muted",
                    ),
                    *([html.Div(snippet_children(model.snippet), className="snippet small")] if model.snippet else []),
                    *variants_details(model),
                ],
                className="list-group-item",
            )
            for model in models
        ],
        className=f"list-group {LIST_CLASS}",
    )


def results_view(grid_id: str, models: Sequence[ModelSummary], **grid_options) -> html.Div:
    """The grid on wide screens, the list on narrow ones (CSS chooses)."""
    return html.Div(
        [
            html.Div(results_grid(grid_id, models, **grid_options), className=WIDE_ONLY),
            html.Div(results_list(models), className=NARROW_ONLY),
        ],
        className="results",
    )
