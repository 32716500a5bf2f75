"""Search, model detail, trending, statistics and authors under /api/v1."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from datetime import date, datetime
from typing import Literal

from flask import Response, request, stream_with_context
from flask.json.provider import DefaultJSONProvider
from pydantic import BaseModel, Field

from app.api import bp, database, envelope
from app.api.docs import documented
from app.api.docs import parse_query as parse_params
from app.api.errors import DATABASE_FAILURES, ApiError, invalid_parameter
from app.api.payload import JSON_NAMES, payload
from data import catalog, quality, stats
from data.catalog import ModelSummary
from data.query import SearchQuery, parse_query, query_string
from data.search import export, search

CSV_CAP = 10_000
# Spreadsheets run cells starting with these as formulas (OWASP "CSV injection").
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NOT_IN_CSV = {"variants", "trend"}  # nested, and never on a search's rows
CSV_COLUMNS = [JSON_NAMES.get(name, name) for name in ModelSummary.__dataclass_fields__ if name not in NOT_IN_CSV]


class IsoJSONProvider(DefaultJSONProvider):
    """Dates as ISO 8601 (Flask's default is the e-mail date format)."""

    @staticmethod
    def default(value):
        if isinstance(value, datetime | date):
            return value.isoformat()
        return DefaultJSONProvider.default(value)


@bp.record_once
def _iso_dates(state) -> None:
    state.app.json = IsoJSONProvider(state.app)


def search_query(also_known: Collection[str] = ()) -> SearchQuery:
    return parse_query(request.args.items(multi=True), also_known=also_known)


class OutputFormat(BaseModel):
    format: Literal["json", "csv"] = Field(
        "json", description=f"csv: the whole result (at most {CSV_CAP:,} models, streamed) as CSV"
    )


class SearchParams(SearchQuery, OutputFormat):
    """The search grammar and the output format (documentation only)."""


@bp.get("/models")
@documented(
    summary="Search models",
    params=SearchParams,
    errors=["INVALID_PARAMETER", *DATABASE_FAILURES],
    tags=["models"],
    description="Filters AND across fields and OR within one; `page` or `cursor` pages. Every model has "
    "`quality`, its quality score from 0 to 100 (null until computed): `sort=quality`, `min_quality=`; "
    "its components are described under GET /models/{repo_id}.",
    other_formats={"text/csv": f"format=csv: a header row, then up to {CSV_CAP:,} models"},
)
def search_models():
    query = search_query(also_known=OutputFormat.model_fields)
    if parse_params(OutputFormat, also_known=SearchQuery.model_fields).format == "csv":
        return csv_response(query)
    with database().session(read_only=True) as session:
        result = search(session, query)
    return envelope(
        payload(result.models),
        page=None if query.cursor else query.page,
        per_page=query.per_page,
        total=result.total,
        total_exact=result.total_exact,
        next_cursor=result.next_cursor,
        facets=result.facets,
        facets_exact=result.facets_exact,
        match=result.match,
        query=query_string(query),
    )


def csv_response(query: SearchQuery) -> Response:
    """Streamed: rows leave as they are read, so memory stays flat whatever the cap.
    Chunks are bytes: WSGI servers (gunicorn) refuse str."""
    db = database()

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        with db.session(read_only=True) as session:
            for number, model in enumerate(export(session, query, CSV_CAP)):
                fields = payload(model)
                writer.writerow([csv_cell(fields[column]) for column in CSV_COLUMNS])
                if number % 100 == 99:
                    yield _drain(buffer)
        yield _drain(buffer)

    response = Response(stream_with_context(rows()), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="models.csv"'
    response.direct_passthrough = True  # streamed: no ETag, no compression of the whole body
    return response


def _drain(buffer: io.StringIO) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode()


def csv_cell(value):
    """Numbers stay numbers; text a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_STARTS):
        return "'" + value
    return value


@bp.get("/models/<path:repo_id>")
@documented(
    summary="Everything the catalog knows about a model",
    description="`quality` is the model's quality score from 0 to 100 (null until computed at the end of an "
    "ingest), the sum of the points in `quality_breakdown`: one entry per component (`component`, "
    "`label`, `points`, of at most `weight`), in this order:\n\n" + quality.describe(),
    errors=["MODEL_NOT_FOUND", *DATABASE_FAILURES],
    tags=["models"],
)
def model_detail(repo_id: str):
    with database().session(read_only=True) as session:
        detail = catalog.model_detail(session, repo_id)
    if detail is None:
        raise ApiError("MODEL_NOT_FOUND", {"id": repo_id})
    return envelope(payload(detail))


class TrendingParams(BaseModel):
    limit: int = Field(20, ge=1, le=100)
    pipeline_tag: list[str] = Field(default_factory=list, max_length=50)


@bp.get("/trending")
@documented(
    summary="Models by trending score",
    description="Each model's `trend` gives the score it is ranked by and its basis: `hub` (the Hub's "
    "score), `growth` (gained over the sync's recent history) or, in a catalog with neither, "
    "`likes_per_day` (likes per day since creation, among models created in the last 30 days); "
    "`meta.bases` describes the bases used.",
    params=TrendingParams,
    errors=["INVALID_PARAMETER", *DATABASE_FAILURES],
    tags=["models"],
)
def trending():
    params = parse_params(TrendingParams)
    with database().session(read_only=True) as session:
        models = catalog.trending(session, params.limit, params.pipeline_tag)
    bases = {model.trend.basis: catalog.TREND_BASES[model.trend.basis] for model in models if model.trend}
    return envelope(payload(models), limit=params.limit, bases=bases)


@bp.get("/stats")
@documented(summary="Catalog totals", errors=DATABASE_FAILURES, tags=["statistics"])
def catalog_totals():
    with database().session(read_only=True) as session:
        return envelope(stats.totals(session))


@bp.get("/stats/<dimension>")
@documented(
    summary="Counts by one dimension over any search result",
    params=SearchQuery,
    description="Exact, or estimated from a sample of a large result (`meta.exact` false).",
    errors=["INVALID_PARAMETER", *DATABASE_FAILURES],
    tags=["statistics"],
)
def dimension_stats(dimension: str):
    if dimension not in stats.DIMENSIONS:
        raise invalid_parameter("dimension", f"one of {', '.join(stats.DIMENSIONS)}")
    query = search_query()
    with database().session(read_only=True) as session:
        counts = stats.dimension(session, dimension, query)
    return envelope(counts.values, dimension=dimension, exact=counts.exact, query=query_string(query))


@bp.get("/authors/<author>")
@documented(
    summary="An author's totals and top models", errors=["AUTHOR_NOT_FOUND", *DATABASE_FAILURES], tags=["authors"]
)
def author(author: str):
    with database().session(read_only=True) as session:
        profile = catalog.author_profile(session, author)
    if profile is None:
        raise ApiError("AUTHOR_NOT_FOUND", {"author": author})
    return envelope(payload(profile))
