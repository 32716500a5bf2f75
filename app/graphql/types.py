"""GraphQL's types of `data`'s results. A model's own columns come from its summary; what it is
related to (tags, files, bases, lineage, neighbours) is read by the request's loaders, so a list
of models costs one statement per kind of field asked for, not one per model."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from app.graphql import grammar
from app.graphql.context import Context
from app.graphql.grammar import Long
from data import catalog, lineage
from data.catalog import ModelSummary
from data.search import search
from data.similar import serve as similar

Ctx = Info[Context, None]
DEFAULT_LINEAGE_DEPTH = 3
DEFAULT_DESCENDANTS = 100


@strawberry.type
class Tag:
    name: str
    type: str


@strawberry.type
class ModelFile:
    name: str
    size: Long | None


@strawberry.type
class Trend:
    score: float
    basis: str = strawberry.field(description="hub, growth or likes_per_day (see GET /api/v1/trending)")


@strawberry.type
class QualityPart:
    component: str
    label: str
    points: int | None
    weight: int


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None = strawberry.field(description="`after` of the next page")


@strawberry.type(description="A page of models: the same grammar, order and totals as GET /api/v1/models")
class ModelConnection:
    total_count: int
    total_exact: bool = strawberry.field(description="false: `totalCount` is an estimate (a large result)")
    nodes: list[Model]
    page_info: PageInfo


@strawberry.type
class BaseModelLink:
    id: str
    relation_type: str
    declared: bool = strawberry.field(description="named by the model's author (a typed tag, card data), not inferred")
    source: str
    in_catalog: bool

    @strawberry.field(description="the base model, when it is in the catalog")
    async def model(self, info: Ctx) -> Model | None:
        return await _model(info, self.id)


@strawberry.type(description="A model's ancestor or descendant")
class Relative:
    id: str
    generations: int = strawberry.field(description="how many generations from the model (1: a parent or a child)")
    in_catalog: bool

    @strawberry.field
    async def model(self, info: Ctx) -> Model | None:
        return await _model(info, self.id) if self.in_catalog else None


@strawberry.type
class SimilarModel:
    score: float = strawberry.field(description="cosine similarity, 1 = the same words")
    reasons: list[str]
    id: str

    @strawberry.field
    async def model(self, info: Ctx) -> Model | None:
        return await _model(info, self.id)


@strawberry.type
class Model:
    id: str
    author: str
    pipeline_tag: str | None
    library_name: str | None
    license: str | None
    downloads: Long
    likes: int
    trending_score: float | None
    created_at: datetime | None
    last_modified: datetime | None
    gated: str | None
    has_base_model: bool
    derivative_count: int
    params: Long | None
    params_source: str | None
    quant: str | None
    quality: int | None = strawberry.field(description="the quality score, 0-100 (null until computed)")
    trend: Trend | None = strawberry.field(description="on trending lists: the score they are ranked by")

    @classmethod
    def of(cls, summary: ModelSummary) -> Model:
        trend = Trend(score=summary.trend.score, basis=summary.trend.basis) if summary.trend else None
        fields = {name: getattr(summary, name) for name in MODEL_COLUMNS}
        return cls(id=summary.repo_id, trend=trend, **fields)

    @strawberry.field(description="sorted by name")
    async def tags(self, info: Ctx) -> list[Tag]:
        by_type = await info.context.loader(catalog.tags_of, {}).load(self.id)
        found = [Tag(name=name, type=kind) for kind, names in by_type.items() for name in names]
        return sorted(found, key=lambda tag: (tag.name, tag.type))

    @strawberry.field
    async def files(self, info: Ctx) -> list[ModelFile]:
        found = await info.context.loader(catalog.files_of, []).load(self.id)
        return [ModelFile(name=file.name, size=file.size) for file in found]

    @strawberry.field
    async def datasets(self, info: Ctx) -> list[str]:
        return await info.context.loader(catalog.datasets_of, []).load(self.id)

    @strawberry.field
    async def base_models(self, info: Ctx) -> list[BaseModelLink]:
        found = await info.context.loader(catalog.base_models_of, []).load(self.id)
        return [BaseModelLink(**vars(link)) for link in found]

    @strawberry.field(description="models naming this one as a base (GET /api/v1/models?base_model=)")
    def derivatives(
        self,
        info: Ctx,
        relation: list[str] | None = None,
        first: int = grammar.DEFAULT_FIRST,
        after: str | None = None,
    ) -> ModelConnection:
        pairs = [("base_model", self.id), *(("relation", kind) for kind in relation or [])]
        return connection(info, grammar.query(pairs, None, None, first, after))

    @strawberry.field(description="every ancestor within `depth` generations, nearest first")
    def ancestors(self, info: Ctx, depth: int = DEFAULT_LINEAGE_DEPTH) -> list[Relative]:
        return _relatives(info, self.id, "up", depth, None, lineage.MAX_LIMIT)

    @strawberry.field(
        description="descendants within `depth` generations (of `relation` types), most downloaded first, "
        "with the models on their paths from this one; at most `first`"
    )
    def descendants(
        self,
        info: Ctx,
        depth: int = DEFAULT_LINEAGE_DEPTH,
        relation: list[str] | None = None,
        first: int = DEFAULT_DESCENDANTS,
    ) -> list[Relative]:
        return _relatives(info, self.id, "down", depth, relation, first)

    @strawberry.field(description="the models most like this one, best first; null until similarity is trained")
    def similar(self, info: Ctx, first: int = similar.DEFAULT_LIMIT) -> list[SimilarModel] | None:
        grammar.check_first(first, similar.MAX_LIMIT)
        found = similar.neighbours(info.context.session, self.id, first)
        if found is None or found.index is None:
            return None
        return [
            SimilarModel(id=item.id, score=item.score, reasons=[reason.text for reason in item.reasons])
            for item in found.suggestions
        ]

    @strawberry.field(description="each component's points, in the order GET /api/v1/models/{id} describes")
    async def quality_breakdown(self, info: Ctx) -> list[QualityPart]:
        detail = await info.context.detail(self.id)
        return [QualityPart(**vars(part)) for part in detail.quality_breakdown] if detail else []

    @strawberry.field(description="the model card's metadata as the Hub gave it")
    async def card_data(self, info: Ctx) -> JSON | None:
        detail = await info.context.detail(self.id)
        return detail.card_data if detail else None

    @strawberry.field(description="the files' sizes, or the Hub's used storage when it lists none")
    async def total_file_size(self, info: Ctx) -> Long | None:
        detail = await info.context.detail(self.id)
        return Long(detail.total_file_size) if detail and detail.total_file_size is not None else None


# The summary's columns a Model takes as they are (its id is `id`, its trend a type of its own).
MODEL_COLUMNS = tuple(
    name for name in ModelSummary.__dataclass_fields__ if name not in {"repo_id", "trend", "snippet", "variants"}
)


@strawberry.type
class ValueCount:
    value: str
    count: int


@strawberry.type
class Counts:
    dimension: str
    exact: bool = strawberry.field(description="false: estimated from a sample of a large result")
    values: list[ValueCount]


@strawberry.type
class Author:
    name: str
    model_count: int
    total_downloads: Long
    total_likes: int
    derived_model_count: int
    first_created_at: datetime | None
    last_created_at: datetime | None
    top_models: list[Model] = strawberry.field(description="most downloaded first")


async def _model(info: Ctx, repo_id: str) -> Model | None:
    summary = await info.context.summary(repo_id)
    return Model.of(summary) if summary else None


def connection(info: Ctx, query) -> ModelConnection:
    result = search(info.context.session, query)
    return ModelConnection(
        total_count=result.total,
        total_exact=result.total_exact,
        nodes=[Model.of(model) for model in result.models],
        page_info=PageInfo(has_next_page=result.next_cursor is not None, end_cursor=result.next_cursor),
    )


def _relatives(info: Ctx, repo_id: str, direction: str, depth: int, relation, limit: int) -> list[Relative]:
    found = lineage.ancestry(
        info.context.session, repo_id, direction=direction, depth=depth, relation=relation, limit=limit
    )
    if found is None:
        return []
    nodes = [node for node in found.nodes if (node.depth < 0 if direction == "up" else node.depth > 0)]
    nodes.sort(key=lambda node: (abs(node.depth), -(node.downloads or 0), node.id))
    return [Relative(id=node.id, generations=abs(node.depth), in_catalog=node.in_catalog) for node in nodes]
