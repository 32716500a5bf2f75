"""The GraphQL schema: its queries call the same `data` functions as the REST routes under
/api/v1 (search, model detail, lineage, authors, statistics, trending, similar models)."""

from __future__ import annotations

from pathlib import Path

import strawberry
from strawberry.extensions import AddValidationRules
from strawberry.schema.config import StrawberryConfig

from app.graphql import grammar
from app.graphql.errors import CatalogSchema
from app.graphql.grammar import LONG_SCALAR, Long, ModelFilter, ModelSort, SortOrder
from app.graphql.limits import QueryMeasure
from app.graphql.types import Author, Counts, Ctx, Model, ModelConnection, ValueCount, connection
from data import catalog, stats

MAX_TRENDING = 100  # as GET /api/v1/trending
TOP_MODELS = 10
StatsDimension = grammar.enum_of("StatsDimension", stats.DIMENSIONS)


@strawberry.type
class Query:
    @strawberry.field(description="Search models (GET /api/v1/models): filters, sort, and pages by cursor")
    def models(
        self,
        info: Ctx,
        filter: ModelFilter | None = None,  # type: ignore[valid-type]
        sort: ModelSort | None = None,
        order: SortOrder | None = None,
        first: int = grammar.DEFAULT_FIRST,
        after: str | None = None,
    ) -> ModelConnection:
        return connection(info, grammar.query(grammar.filter_pairs(filter), sort, order, first, after))

    @strawberry.field(description="A model by its Hub id, in any case (GET /api/v1/models/{id})")
    async def model(self, info: Ctx, id: str) -> Model | None:
        summary = await info.context.summary(id)
        return Model.of(summary) if summary else None

    @strawberry.field(description="An author's totals and most downloaded models (GET /api/v1/authors/{author})")
    def author(self, info: Ctx, name: str, first: int = TOP_MODELS) -> Author | None:
        grammar.check_first(first)
        profile = catalog.author_profile(info.context.session, name, top=first)
        if profile is None:
            return None
        return Author(
            name=profile.author,
            model_count=profile.model_count,
            total_downloads=Long(profile.total_downloads),
            total_likes=profile.total_likes,
            derived_model_count=profile.derived_model_count,
            first_created_at=profile.first_created_at,
            last_created_at=profile.last_created_at,
            top_models=[Model.of(model) for model in profile.top_models],
        )

    @strawberry.field(
        description="Counts by one dimension over the models the filter selects (GET /api/v1/stats/{dimension})"
    )
    def stats(self, info: Ctx, dimension: StatsDimension, filter: ModelFilter | None = None) -> Counts:  # type: ignore[valid-type]
        query = grammar.query(grammar.filter_pairs(filter), None, None, grammar.DEFAULT_FIRST, None)
        name: str = dimension.value  # type: ignore[attr-defined]
        counts = stats.dimension(info.context.session, name, query)
        values = [ValueCount(value=str(item["value"]), count=item["count"]) for item in counts.values]
        return Counts(dimension=name, exact=counts.exact, values=values)

    @strawberry.field(description="Models by trending score (GET /api/v1/trending); each model's `trend` says why")
    def trending(self, info: Ctx, first: int = 20, pipeline_tag: list[str] | None = None) -> list[Model]:
        grammar.check_first(first, MAX_TRENDING)
        found = catalog.trending(info.context.session, first, pipeline_tag or [])
        return [Model.of(model) for model in found]


schema = CatalogSchema(
    query=Query,
    extensions=[lambda: AddValidationRules([QueryMeasure])],  # made anew for each request
    config=StrawberryConfig(scalar_map={Long: LONG_SCALAR}),
)


SCHEMA_FILE = Path(__file__).with_name("schema.graphql")  # kept in the repository: its drift fails a test


def schema_text() -> str:
    """The schema in GraphQL's SDL, as `catalog graphql-schema` writes it."""
    return schema.as_str() + "\n"
