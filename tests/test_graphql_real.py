"""GraphQL over real Hub models (the first 50,000 of ../shared, tests/real_catalog.py): each
query equals its REST twin, and a page of real models with their base models costs the same
number of statements at 10 models as at 100."""

from __future__ import annotations

import pytest

from tests.test_compare_real import BASE, DOLPHIN, I1_GGUF
from tests.test_graphql import MODELS, data_of, rest, statements_of

SEARCHES = [  # (GraphQL variables, the same search as a query string)
    ({"filter": {"pipelineTag": ["text-generation"]}, "sort": "LIKES"}, "pipeline_tag=text-generation&sort=likes"),
    ({"filter": {"library": ["peft"], "hasBaseModel": True}}, "library=peft&has_base_model=true"),
    ({"filter": {"q": "llama 3 8b"}}, "q=llama+3+8b"),
    (
        {"filter": {"descendantOf": BASE}, "sort": "CREATED", "order": "ASC"},
        f"descendant_of={BASE}&sort=created&order=asc",
    ),
    (
        {"filter": {"minParams": "7B", "maxParams": "8B", "license": ["apache-2.0"]}, "sort": "PARAMS"},
        "min_params=7B&max_params=8B&license=apache-2.0&sort=params",
    ),
]


@pytest.mark.parametrize(("variables", "query_string"), SEARCHES)
def test_real_searches_equal_the_search_route(real_client, variables, query_string):
    found = data_of(real_client, MODELS, {**variables, "first": 50})["models"]
    twin = rest(real_client, f"/models?{query_string}&per_page=50")
    assert [node["id"] for node in found["nodes"]] == [model["id"] for model in twin["data"]]
    assert found["nodes"], "the search should find real models"
    assert (found["totalCount"], found["totalExact"]) == (twin["meta"]["total"], twin["meta"]["total_exact"])
    assert found["pageInfo"]["endCursor"] == twin["meta"]["next_cursor"]


ANCESTORS_AND_LICENCES = """query($id: String!) {
  model(id: $id) {
    id license baseModels { id relationType declared model { id license } }
    ancestors(depth: 5) { id generations model { id license } }
  }
}"""


def test_a_real_quantization_s_ancestors_and_their_licences(real_client):
    found = data_of(real_client, ANCESTORS_AND_LICENCES, {"id": I1_GGUF})["model"]
    assert [(node["id"], node["generations"]) for node in found["ancestors"]] == [(DOLPHIN, 1), (BASE, 2)]
    for node in found["ancestors"]:
        assert node["model"]["license"] == rest(real_client, f"/models/{node['id']}")["data"]["license"]
    detail = rest(real_client, f"/models/{I1_GGUF}")["data"]
    assert [(link["id"], link["relationType"], link["declared"]) for link in found["baseModels"]] == [
        (link["id"], link["relation_type"], link["declared"]) for link in detail["base_models"]
    ]
    up = rest(real_client, f"/models/{I1_GGUF}/ancestry?direction=up&depth=5")["data"]
    assert {node["id"] for node in found["ancestors"]} == {node["id"] for node in up["nodes"] if node["depth"] < 0}


PAGE = """query($first: Int!) {
  models(filter: {hasBaseModel: true, pipelineTag: ["text-generation"]}, first: $first) {
    nodes { id license tags { name type } baseModels { id model { id license pipelineTag } } }
  }
}"""


def test_a_real_page_with_its_bases_is_a_fixed_number_of_statements(real_db, real_client):
    small, _ = statements_of(real_db, real_client, PAGE, {"first": 10})
    large, found = statements_of(real_db, real_client, PAGE, {"first": 100})
    assert large == small
    nodes = found["models"]["nodes"]
    assert len(nodes) == 100 and all(node["baseModels"] for node in nodes)
    for node in nodes[:5]:  # spot-checked against the detail route
        detail = rest(real_client, f"/models/{node['id']}")["data"]
        assert [link["id"] for link in node["baseModels"]] == [link["id"] for link in detail["base_models"]]
        assert sorted(tag["name"] for tag in node["tags"]) == sorted(
            n for names in detail["tags"].values() for n in names
        )
