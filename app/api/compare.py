"""GET /api/v1/compare?ids=a,b: models side by side and how they are related (data.compare)."""

from __future__ import annotations

import csv
import io
from typing import Literal

from flask import Response
from pydantic import BaseModel, Field

from app.api import bp, database, envelope
from app.api.catalog import csv_cell
from app.api.docs import documented, parse_query
from app.api.errors import DATABASE_FAILURES, ApiError
from app.api.payload import payload
from components import routes
from data.compare import MAX_MODELS, MIN_MODELS, Comparison, compare, parse_ids

LIST_SEPARATOR = "; "  # a list (datasets, licence warnings) in one CSV cell


class CompareParams(BaseModel):
    ids: str = Field(
        ...,
        max_length=2_000,
        description=f"{MIN_MODELS} to {MAX_MODELS} distinct model ids, comma-separated, in any case",
    )
    format: Literal["json", "csv"] = Field("json", description="csv: a row per field, a column per model")


@bp.get("/compare")
@documented(
    summary="Models side by side, and how they are related",
    description="`rows`: each field with a value per model (in the order asked) and whether they "
    "differ; `relations`: each pair once, `kind` `ancestor` (one descends from the other), "
    "`common_ancestor` (the nearest model both descend from, with the path and relation types "
    "down to each) or `unrelated`; `nodes` and `edges`: those paths as a graph. Unknown ids are "
    "a 404 `MODEL_NOT_FOUND` naming them in `details.ids`.",
    params=CompareParams,
    errors=["INVALID_PARAMETER", "MODEL_NOT_FOUND", *DATABASE_FAILURES],
    tags=["models"],
    other_formats={"text/csv": "format=csv: a header row (field, differs, then the models' ids), a row per field"},
)
def compare_models():
    params = parse_query(CompareParams)
    repo_ids = parse_ids(params.ids)
    with database().session(read_only=True) as session:
        found = compare(session, repo_ids)
    if found.missing:
        many = len(found.missing) > 1
        raise ApiError(
            "MODEL_NOT_FOUND",
            {"ids": found.missing},
            message=f"No model{'s' if many else ''} {', '.join(found.missing)} in the catalog.",
        )
    if params.format == "csv":
        return _csv(found)
    return envelope(payload(found), page=routes.compare_href(found.ids))


def _csv(found: Comparison) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["field", "differs", *(csv_cell(repo_id) for repo_id in found.ids)])
    for row in found.rows:
        writer.writerow([row.field, row.differs, *(_cell(value) for value in row.values)])
    response = Response(buffer.getvalue().encode(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="compare.csv"'
    return response


def _cell(value):
    if isinstance(value, list):
        return csv_cell(LIST_SEPARATOR.join(map(str, value)))
    return csv_cell(value)
