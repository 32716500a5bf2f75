"""The GraphQL API at /api/graphql through the Flask test client, over the family fixture: each
query equals its REST twin, errors come in GraphQL's shape with the API's codes, the depth and
cost limits refuse before anything runs, keys and rate limits are REST's, and the exported
schema is the code's."""

from __future__ import annotations

import pytest
from graphql import get_introspection_query

import app.api  # noqa: F401  (first: app.auth, imported before it, is a circular import)
from app.factory import create_app
from app.graphql.limits import MAX_COST, MAX_DEPTH
from app.graphql.schema import SCHEMA_FILE, schema_text
from app.settings import Settings
from data.accounts.keys import create_key
from data.accounts.users import create_user
from data.ingest.pipeline import ingest
from tests.family import family_records
from tests.stack import TEST_SECRET_KEY

GRAPHQL = "/api/graphql"
API = "/api/v1"
ROOT = "acme/base-7b"
SUMMARY_FIELDS = "id author pipelineTag libraryName license downloads likes quality hasBaseModel derivativeCount"


@pytest.fixture
def family(db):
    ingest(db, family_records())


def ask(client, query: str, variables: dict | None = None, **headers) -> dict:
    answer = client.post(GRAPHQL, json={"query": query, "variables": variables or {}}, headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json


def data_of(client, query: str, variables: dict | None = None) -> dict:
    found = ask(client, query, variables)
    assert "errors" not in found, found["errors"]
    return found["data"]


def only_error(found: dict) -> dict:
    [error] = found["errors"]
    return error


def rest(client, path: str) -> dict:
    answer = client.get(f"{API}{path}")
    assert answer.status_code == 200, answer.json
    return answer.json


MODELS = """query($filter: ModelFilter, $sort: ModelSort, $order: SortOrder, $first: Int!, $after: String) {
  models(filter: $filter, sort: $sort, order: $order, first: $first, after: $after) {
    totalCount totalExact pageInfo { hasNextPage endCursor } nodes { id license downloads quality }
  }
}"""

TWINS = [  # (GraphQL variables, the same search as a query string)
    ({}, ""),
    ({"filter": {"pipelineTag": ["text-generation"]}, "sort": "LIKES"}, "pipeline_tag=text-generation&sort=likes"),
    ({"filter": {"descendantOf": ROOT, "relation": ["quantized"]}}, f"descendant_of={ROOT}&relation=quantized"),
    ({"filter": {"q": "base 7b", "hasBaseModel": True}}, "q=base+7b&has_base_model=true"),
    (
        {"filter": {"minParams": "1B", "license": ["apache-2.0", "mit"]}, "order": "ASC"},
        "min_params=1B&license=apache-2.0&license=mit&order=asc",
    ),
    ({"sort": "QUALITY", "filter": {"minQuality": 1}}, "sort=quality&min_quality=1"),
]


@pytest.mark.parametrize(("variables", "query_string"), TWINS)
def test_models_equal_the_search_route_page_by_page(client, family, variables, query_string):
    after, cursor = None, None
    for _ in range(5):
        found = data_of(client, MODELS, {**variables, "first": 2, "after": after})["models"]
        twin = rest(client, f"/models?{query_string}&per_page=2" + (f"&cursor={cursor}" if cursor else ""))
        assert [node["id"] for node in found["nodes"]] == [model["id"] for model in twin["data"]]
        assert [node["license"] for node in found["nodes"]] == [model["license"] for model in twin["data"]]
        assert (found["totalCount"], found["totalExact"]) == (twin["meta"]["total"], twin["meta"]["total_exact"])
        assert found["pageInfo"]["endCursor"] == twin["meta"]["next_cursor"]
        assert found["pageInfo"]["hasNextPage"] == (twin["meta"]["next_cursor"] is not None)
        after = cursor = found["pageInfo"]["endCursor"]
        if after is None:
            break


DETAIL = f"""query($id: String!) {{
  model(id: $id) {{
    {SUMMARY_FIELDS} createdAt totalFileSize cardData
    tags {{ name type }} files {{ name size }} datasets
    baseModels {{ id relationType declared source inCatalog model {{ id license }} }}
    qualityBreakdown {{ component label points weight }}
  }}
}}"""


def test_a_model_equals_its_detail_route(client, family):
    for record in family_records():
        repo_id = record["id"]
        found = data_of(client, DETAIL, {"id": repo_id.upper()})["model"]  # any case, as on the Hub
        detail = rest(client, f"/models/{repo_id}")["data"]
        assert found["id"] == detail["id"] == repo_id
        for name, rest_name in (
            ("pipelineTag", "pipeline_tag"),
            ("libraryName", "library_name"),
            ("license", "license"),
        ):
            assert found[name] == detail[rest_name]
        assert (found["downloads"], found["likes"], found["quality"]) == (
            detail["downloads"],
            detail["likes"],
            detail["quality"],
        )
        assert (found["totalFileSize"], found["cardData"]) == (detail["total_file_size"], detail["card_data"])
        assert sorted((tag["type"], tag["name"]) for tag in found["tags"]) == sorted(
            (kind, name) for kind, names in detail["tags"].items() for name in names
        )
        assert found["files"] == detail["files"] and found["datasets"] == detail["datasets"]
        assert [{key: link[key] for key in ("id", "declared", "source")} for link in found["baseModels"]] == [
            {key: link[key] for key in ("id", "declared", "source")} for link in detail["base_models"]
        ]
        for link in found["baseModels"]:
            assert (link["model"] is not None) == link["inCatalog"]
        assert found["qualityBreakdown"] == detail["quality_breakdown"]


def test_an_unknown_model_is_null(client, family):
    assert data_of(client, DETAIL, {"id": "nobody/nothing"}) == {"model": None}


LINEAGE = """query($id: String!, $depth: Int!) {
  model(id: $id) {
    ancestors(depth: $depth) { id generations inCatalog model { license } }
    descendants(depth: $depth, first: 100) { id generations inCatalog model { id } }
  }
}"""


def test_ancestors_and_descendants_equal_the_ancestry_route(client, family):
    for record in family_records():
        for depth in (1, 3):
            found = data_of(client, LINEAGE, {"id": record["id"], "depth": depth})["model"]
            up = rest(client, f"/models/{record['id']}/ancestry?direction=up&depth={depth}")["data"]
            down = rest(client, f"/models/{record['id']}/ancestry?direction=down&depth={depth}&limit=100")["data"]
            assert {(node["id"], node["generations"]) for node in found["ancestors"]} == {
                (node["id"], -node["depth"]) for node in up["nodes"] if node["depth"] < 0
            }
            assert {(node["id"], node["generations"]) for node in found["descendants"]} == {
                (node["id"], node["depth"]) for node in down["nodes"] if node["depth"] > 0
            }
            licences = {node["id"]: node["model"]["license"] for node in found["ancestors"] if node["model"]}
            for ancestor_id, licence in licences.items():
                assert licence == rest(client, f"/models/{ancestor_id}")["data"]["license"]


def test_derivatives_are_the_base_model_search(client, family):
    query = "query($id: String!) { model(id: $id) { derivatives(first: 50) { totalCount nodes { id } } } }"
    found = data_of(client, query, {"id": ROOT})["model"]["derivatives"]
    twin = rest(client, f"/models?base_model={ROOT}&per_page=50")
    assert [node["id"] for node in found["nodes"]] == [model["id"] for model in twin["data"]]
    assert found["totalCount"] == twin["meta"]["total"] > 0


def test_author_stats_and_trending_equal_their_routes(client, family):
    query = """{
      author(name: "ACME", first: 5) { name modelCount totalDownloads totalLikes topModels { id } }
      stats(dimension: LICENSE, filter: {author: ["acme", "lab"]}) { dimension exact values { value count } }
      trending(first: 5) { id trend { score basis } }
    }"""
    found = data_of(client, query)
    author = rest(client, "/authors/acme")["data"]
    assert found["author"]["name"] == author["author"]
    assert (found["author"]["modelCount"], found["author"]["totalDownloads"]) == (
        author["model_count"],
        author["total_downloads"],
    )
    assert [model["id"] for model in found["author"]["topModels"]] == [
        model["id"] for model in author["top_models"][:5]
    ]
    counts = rest(client, "/stats/license?author=acme&author=lab")
    assert found["stats"]["values"] == [
        {"value": str(item["value"]), "count": item["count"]} for item in counts["data"]
    ]
    assert found["stats"]["exact"] == counts["meta"]["exact"]
    trending = rest(client, "/trending?limit=5")["data"]
    assert [model["id"] for model in found["trending"]] == [model["id"] for model in trending]
    assert [model["trend"] for model in found["trending"]] == [model["trend"] for model in trending]


def test_a_query_by_get_is_cached_like_the_rest_api(client, family):
    path = GRAPHQL + "?query={models(first:2){nodes{id}}}"
    first, second = client.get(path), client.get(path)
    assert first.status_code == second.status_code == 200
    assert first.json == second.json and first.json["data"]["models"]["nodes"]
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "argument"),
    [
        ('{ models(filter: {minParams: "lots"}) { totalCount } }', "minParams"),
        ("{ models(first: 101) { totalCount } }", "first"),
        ('{ models(filter: {relation: ["cousin"]}) { totalCount } }', "relation"),
        ('{ models(after: "not-a-cursor") { totalCount } }', "after"),
        (f'{{ model(id: "{ROOT}") {{ ancestors(depth: 99) {{ id }} }} }}', "depth"),
        (f'{{ model(id: "{ROOT}") {{ similar(first: 51) {{ id }} }} }}', "first"),
        ("{ trending(first: 0) { id } }", "first"),
    ],
)
def test_a_bad_argument_is_invalid_parameter_by_its_graphql_name(client, family, query, argument):
    error = only_error(ask(client, query))
    assert error["extensions"]["code"] == "INVALID_PARAMETER"
    assert error["extensions"]["details"]["parameter"] == argument
    assert error["message"].startswith(f"Invalid {argument}: ")
    assert error["path"]


def test_graphql_own_errors_keep_their_message(client, family):
    error = only_error(ask(client, "{ models { nodes { idd } } }"))
    assert error["extensions"]["code"] == "INVALID_QUERY"
    assert "idd" in error["message"] and error["locations"]
    assert only_error(ask(client, "mutation { x }"))["extensions"]["code"] == "INVALID_QUERY"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("not json", "application/json"), ('{"variables": {}}', "application/json"), ("[1, 2]", "application/json")],
)
def test_a_body_that_is_no_query_is_a_400_in_graphql_shape(client, body, content_type):
    answer = client.post(GRAPHQL, data=body, content_type=content_type)
    assert answer.status_code == 400
    error = only_error(answer.json)
    assert error["extensions"]["code"] == "INVALID_QUERY" and error["message"]


def nested(levels: int) -> str:
    inner = "id"
    for _ in range(levels):
        inner = f"baseModels {{ model {{ {inner} }} }}"
    return f'{{ model(id: "{ROOT}") {{ {inner} }} }}'


def test_a_query_too_deep_is_refused_before_it_runs(client, family):
    assert "errors" not in ask(client, nested((MAX_DEPTH - 2) // 2))
    error = only_error(ask(client, nested(MAX_DEPTH)))
    assert error["extensions"]["code"] == "QUERY_TOO_DEEP"
    assert error["extensions"]["details"] == {"depth": 2 * MAX_DEPTH + 2, "max_depth": MAX_DEPTH}
    assert "data" not in ask(client, nested(MAX_DEPTH)) or ask(client, nested(MAX_DEPTH))["data"] is None


def test_a_query_too_costly_is_refused_with_its_cost(client, family):
    wide = "{ models(first: 100) { nodes { derivatives(first: 100) { nodes { id tags { name } } } } } }"
    error = only_error(ask(client, wide))
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["details"]["cost"] > MAX_COST == error["extensions"]["details"]["max_cost"]
    # The same through a fragment, and through a variable (counted at its largest).
    fragment = (
        "{ models(first: 100) { nodes { ...d } } } "
        "fragment d on Model { derivatives(first: 100) { nodes { id tags { name } } } }"
    )
    assert only_error(ask(client, fragment))["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    variable = "query($n: Int!) { models(first: $n) { nodes { derivatives(first: $n) { nodes { tags { name } } } } } }"
    assert only_error(ask(client, variable, {"n": 1}))["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    # A list of a hundred models with their bases and those bases' licences is well within.
    assert "errors" not in ask(client, "{ models(first: 100) { nodes { id baseModels { model { license } } } } }")


def test_introspection_is_not_limited(client):
    found = ask(client, get_introspection_query(descriptions=True))
    assert "errors" not in found and found["data"]["__schema"]["queryType"]["name"] == "Query"


# --- keys and rate limits: REST's ------------------------------------------------------------


@pytest.fixture
def key(db) -> str:
    with db.session() as session:
        user = create_user(session, "graph@example.org", "correct horse battery staple", "analyst")
        _, secret = create_key(session, user.id, "notebook")
        session.commit()
    return secret


def test_a_bad_key_is_refused_in_graphql_shape(client, key):
    answer = client.post(GRAPHQL, json={"query": "{ trending { id } }"}, headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401
    assert only_error(answer.json)["extensions"]["code"] == "INVALID_CREDENTIALS"
    good = client.post(GRAPHQL, json={"query": "{ trending { id } }"}, headers={"Authorization": f"Bearer {key}"})
    assert good.status_code == 200 and "errors" not in good.json


def test_the_rate_limit_is_the_rest_api_s(settings, db, key):
    limited = create_app(
        Settings(**(settings.model_dump() | {"rate_limit": "2/minute", "key_rate_limit": "3/minute"})), database=db
    )
    client = limited.test_client()
    body = {"query": "{ trending { id } }"}
    assert [client.post(GRAPHQL, json=body).status_code for _ in range(2)] == [200, 200]
    assert client.get(f"{API}/trending").status_code == 429  # one budget for both APIs
    refused = client.post(GRAPHQL, json=body)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    error = only_error(refused.json)
    assert error["extensions"]["code"] == "RATE_LIMITED" and error["extensions"]["details"]["limit"] == 2
    keyed = {"Authorization": f"Bearer {key}"}  # a key counts against its own budget
    assert [client.post(GRAPHQL, json=body, headers=keyed).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_no_csrf_token_is_needed_to_query(settings, db):
    app = create_app(Settings(**(settings.model_dump() | {"secret_key": TEST_SECRET_KEY})), database=db)
    client = app.test_client()
    client.get(f"{API}/auth/csrf")  # a browser's session cookie and CSRF cookie, no header
    assert client.post(GRAPHQL, json={"query": "{ trending { id } }"}).status_code == 200


# --- the schema ------------------------------------------------------------------------------


def test_the_kept_schema_is_the_code_s():
    assert SCHEMA_FILE.read_text() == schema_text(), (
        "app/graphql/schema.graphql is out of date: run `catalog graphql-schema --output app/graphql/schema.graphql`"
    )


def test_the_cli_prints_the_schema(tmp_path):
    from click.testing import CliRunner

    from app.cli import main

    result = CliRunner().invoke(main, ["graphql-schema"])
    assert result.exit_code == 0 and result.output == schema_text()
    assert "type Query {" in result.output and "input ModelFilter {" in result.output


def test_the_filter_has_every_filter_of_the_grammar():
    from strawberry.utils.str_converters import to_camel_case

    from data.query import VIEW_FIELDS, SearchQuery

    text = schema_text()
    start = text.index("input ModelFilter {")
    block = text[start : text.index("\n}\n", start)]
    for name in SearchQuery.model_fields:
        assert (f"\n  {to_camel_case(name)}:" in block) == (name not in VIEW_FIELDS), name


# --- batched loading -------------------------------------------------------------------------

BASES = ["org/base-a", "org/base-b", "org/base-c"]
PAGE_WITH_BASES = """query($first: Int!) {
  models(filter: {hasBaseModel: true}, first: $first) {
    nodes { id tags { name } datasets baseModels { id relationType model { id license downloads } } }
  }
}"""


def derivatives_records(count: int) -> list[dict]:
    bases = [{"id": base, "downloads": 10**6, "cardData": {"license": "mit"}} for base in BASES]
    made = [
        {
            "id": f"user{n}/tune-{n}",
            "downloads": 1000 + n,
            "tags": [f"base_model:finetune:{BASES[n % 3]}", f"dataset:set/{n % 5}", "text-generation"],
        }
        for n in range(count)
    ]
    return bases + made


def statements_of(db, client, query: str, variables: dict) -> tuple[int, dict]:
    from sqlalchemy import event

    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(db.bind, "before_cursor_execute", count)
    try:
        found = data_of(client, query, variables)
    finally:
        event.remove(db.bind, "before_cursor_execute", count)
    return len(seen), found


def test_a_page_with_its_base_models_is_a_fixed_number_of_statements(client, db):
    ingest(db, derivatives_records(120))
    small, few = statements_of(db, client, PAGE_WITH_BASES, {"first": 10})
    large, many = statements_of(db, client, PAGE_WITH_BASES, {"first": 100})
    assert len(few["models"]["nodes"]) == 10 and len(many["models"]["nodes"]) == 100
    assert large == small, "a hundred models cost what ten do: one read per kind of field"
    assert large <= 12
    for node in many["models"]["nodes"]:
        n = int(node["id"].rsplit("-", 1)[1])
        [link] = node["baseModels"]
        assert (link["id"], link["relationType"], link["model"]["license"]) == (BASES[n % 3], "finetune", "mit")
        assert node["datasets"] == [f"set/{n % 5}"]
