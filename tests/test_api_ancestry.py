"""GET /api/v1/models/<repo_id>/ancestry: the lineage graph as JSON, and every error."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.ingest.pipeline import ingest
from tests.family import family_records

FIXTURES = Path(__file__).parent / "fixtures"
URL = "/api/v1/models/acme/base-7b/ancestry"


@pytest.fixture
def family_client(client, db):
    ingest(db, family_records())
    return client


def node_depths(body) -> dict[str, int]:
    return {node["id"]: node["depth"] for node in body["data"]["nodes"]}


def test_the_graph_and_its_summary(family_client):
    response = family_client.get(URL)
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"data", "meta"}
    assert body["data"]["root"] == "acme/base-7b"
    assert node_depths(body) == {
        "acme/base-7b": 0,
        "lab/base-7b-chat": 1,
        "tuner/base-7b-lora-r16": 1,
        "quant/base-7b-chat-GGUF": 2,
        "merger/chat-merge-7b": 2,
    }
    assert body["data"]["nodes"][1] == {
        "id": "lab/base-7b-chat",
        "author": "lab",
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "downloads": 50000,
        "likes": 300,
        "derivative_count": 2,
        "in_catalog": True,
        "depth": 1,
    }
    assert {
        "source": "acme/base-7b",
        "target": "tuner/base-7b-lora-r16",
        "relation_type": "adapter",
        "declared": True,
    } in body["data"]["edges"]
    assert len(body["data"]["edges"]) == 5
    assert body["meta"] == {
        "truncated": False,
        "total_descendants": 4,
        "max_depth": 2,
        "counts_by_relation": {"finetune": 1, "adapter": 1, "quantized": 1, "merge": 1},
    }


def test_up_with_a_missing_parent(family_client):
    body = family_client.get("/api/v1/models/orphan/child-of-deleted/ancestry?direction=up").json
    assert body["data"]["nodes"][1] == {
        "id": "gone/deleted-model",
        "author": None,
        "pipeline_tag": None,
        "library_name": None,
        "downloads": None,
        "likes": None,
        "derivative_count": None,
        "in_catalog": False,
        "depth": -1,
    }
    assert body["data"]["edges"] == [
        {
            "source": "gone/deleted-model",
            "target": "orphan/child-of-deleted",
            "relation_type": "quantized",
            "declared": True,
        }
    ]


def test_filters_come_from_the_query_string(family_client):
    body = family_client.get(f"{URL}?direction=down&relation=finetune&relation=adapter&depth=2&limit=10").json
    assert node_depths(body) == {"acme/base-7b": 0, "lab/base-7b-chat": 1, "tuner/base-7b-lora-r16": 1}
    assert body["meta"]["truncated"] is False
    limited = family_client.get(f"{URL}?limit=1").json
    assert node_depths(limited) == {"acme/base-7b": 0, "lab/base-7b-chat": 1}
    assert limited["meta"]["truncated"] is True and limited["meta"]["total_descendants"] == 4
    shallow = family_client.get(f"{URL}?depth=1").json
    assert max(node_depths(shallow).values()) == 1 and shallow["meta"]["truncated"] is True


def test_ids_match_regardless_of_case(family_client):
    body = family_client.get("/api/v1/models/LAB/Base-7B-Chat/ancestry?direction=up").json
    assert body["data"]["root"] == "lab/base-7b-chat"
    assert node_depths(body) == {"lab/base-7b-chat": 0, "acme/base-7b": -1}


def test_an_unknown_model_is_404(family_client):
    response = family_client.get("/api/v1/models/a/b/ancestry")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "MODEL_NOT_FOUND"
    # The id "a/b", not "a/b/ancestry": this route answered, not the model detail.
    assert response.json["error"]["details"] == {"id": "a/b"}


def test_only_the_ancestry_suffix_is_this_route(family_client):
    response = family_client.get("/api/v1/models/acme/base-7b/ancestry/more")
    assert response.status_code == 404
    assert "data" not in response.json


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("direction=sideways", "direction"),
        ("direction=", "direction"),
        ("depth=0", "depth"),
        ("depth=51", "depth"),
        ("depth=deep", "depth"),
        ("limit=0", "limit"),
        ("limit=2001", "limit"),
        ("limit=1.5", "limit"),
        ("relation=finetune&relation=distill", "relation"),
        ("relation=", "relation"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(family_client, query, parameter):
    response = family_client.get(f"{URL}?{query}")
    assert response.status_code == 400
    error = response.json["error"]
    assert error["code"] == "INVALID_PARAMETER"
    assert error["details"]["parameter"] == parameter
    assert error["details"]["reason"]
    assert parameter in error["message"]


def test_bad_parameters_are_400_even_for_an_unknown_model(family_client):
    assert family_client.get("/api/v1/models/a/b/ancestry?depth=0").status_code == 400


def test_the_limits_are_inclusive(family_client):
    assert family_client.get(f"{URL}?depth=50&limit=2000").status_code == 200
    assert family_client.get(f"{URL}?depth=1&limit=1").status_code == 200


def test_the_route_is_in_the_openapi_description(client):
    operation = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/models/{repo_id}/ancestry"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"repo_id", "direction", "depth", "relation", "limit"}
    assert {"200", "400", "404"} <= set(operation["responses"])
