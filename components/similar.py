"""The model page's "Models like this": the nearest models and why each is like this one.

Filled by a callback after the page has loaded (callbacks/model.py): the page's first render
never waits for it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dash import dcc, html

from components import ids, routes

if TYPE_CHECKING:  # the results' types only: components run no queries
    from data.similar.serve import Similar, Suggestion

SIMILAR = ids.of("model", "similar")
SHOWN = 10
NOT_TRAINED = "Not trained yet: `catalog similar rebuild` or the next `catalog sync` learns which models are alike."


def panel() -> html.Section:
    """The section as the page first renders it: a placeholder the callback replaces."""
    return html.Section(
        [
            html.H2("Models like this", className="h5"),
            html.Div(html.P("Finding models like this…", className="text-muted"), id=SIMILAR),
        ],
        className="model-similar mt-4",
    )


def suggestions(found: Similar) -> html.Div | html.P:
    if found.index is None:
        return html.P(NOT_TRAINED, className="text-muted similar-not-trained")
    if not found.suggestions:
        return html.P("No model is much like this one.", className="text-muted")
    return html.Ol([_item(suggestion) for suggestion in found.suggestions], className="similar-list")


def _item(suggestion: Suggestion) -> html.Li:
    facts = [
        f"{suggestion.score:.0%} alike",
        suggestion.pipeline_tag,
        suggestion.library_name,
        f"{suggestion.downloads:,} downloads",
    ]
    return html.Li(
        [
            dcc.Link(suggestion.id, href=routes.model_href(suggestion.id), className="similar-model"),
            html.Span(" · ".join(fact for fact in facts if fact), className="text-muted small ms-2"),
            html.Ul(
                [
                    html.Li(reason.text, className=f"similar-reason similar-{reason.kind}")
                    for reason in suggestion.reasons
                ],
                className="small mb-2",
            ),
        ],
        className="similar-suggestion",
    )
