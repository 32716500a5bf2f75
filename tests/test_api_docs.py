"""openapi.json and Swagger UI (app/api/docs.py)."""

from __future__ import annotations

import json
import re
from enum import StrEnum
from pathlib import Path

import pytest
from flask import Flask
from openapi_spec_validator import validate
from pydantic import BaseModel, Field

from app.api.docs import build_openapi, documented, openapi_path, parse_query
from app.api.errors import ApiError

ROOT = Path(__file__).resolve().parents[1]


def test_openapi_json_is_valid_openapi_3_1_and_documents_health(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    spec = response.json
    validate(spec)  # raises on an invalid document
    assert spec["openapi"].startswith("3.1")
    health = spec["paths"]["/api/v1/health"]["get"]
    assert health["summary"]
    assert {"200", "503"} <= set(health["responses"])
    assert "429" not in health["responses"]  # /health is not rate limited
    data = health["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["data"]
    assert schema_of(spec, data)["required"] == ["status", "database"]
    error = health["responses"]["503"]["content"]["application/json"]["schema"]["$ref"]
    assert error == "#/components/schemas/ErrorResponse"


def schema_of(spec: dict, reference: dict) -> dict:
    return spec["components"]["schemas"][reference["$ref"].rsplit("/", 1)[-1]]


def test_openapi_refs_all_resolve(client):
    spec = client.get("/api/v1/openapi.json").json
    text = json.dumps(spec)
    assert "$defs" not in text
    for ref in re.findall(r'"\$ref": "([^"]+)"', text):
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[-1] in spec["components"]["schemas"], ref


# --- the registration mechanism, on a throwaway server ---------------------------------------


class Sort(StrEnum):
    downloads = "downloads"
    likes = "likes"


class ModelQuery(BaseModel):
    repo_id: str = Field(description="The model, as author/name.")
    q: str | None = Field(None, description="Words to search for.")
    sort: Sort = Field(Sort.downloads, description="The order of the results.")
    limit: int = Field(20, ge=1, le=100, description="Results per page.")
    tag: list[str] = Field(default_factory=list, description="Tags the models must all carry.")


class Item(BaseModel):
    repo_id: str
    downloads: int


class Page(BaseModel):
    total: int
    next: str | None = None


def sample_server() -> Flask:
    server = Flask(__name__)

    @server.get("/api/v1/models/<path:repo_id>/similar")
    @documented(
        summary="Similar models",
        params=ModelQuery,
        response=list[Item],
        meta=Page,
        errors=["INVALID_PARAMETER", "MODEL_NOT_FOUND"],
        tags=["models"],
    )
    def similar(repo_id: str):
        return {}

    @documented(summary="Undecorated order works too")
    @server.get("/api/v1/items/<int:number>")
    def item(number: int):
        return {}

    @server.get("/api/v1/not-documented")
    def hidden():
        return {}

    return server


@pytest.fixture
def sample_spec() -> dict:
    spec = build_openapi(sample_server())
    validate(spec)
    return spec


def test_only_decorated_routes_are_listed_with_openapi_paths(sample_spec):
    assert set(sample_spec["paths"]) == {"/api/v1/models/{repo_id}/similar", "/api/v1/items/{number}"}


def test_parameters_come_from_the_params_model(sample_spec):
    operation = sample_spec["paths"]["/api/v1/models/{repo_id}/similar"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert parameters["repo_id"]["in"] == "path" and parameters["repo_id"]["required"]
    assert parameters["repo_id"]["description"] == "The model, as author/name."
    assert parameters["limit"] == {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": "Results per page.",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
    }
    assert parameters["tag"]["schema"]["type"] == "array"
    assert schema_of(sample_spec, parameters["sort"]["schema"])["enum"] == ["downloads", "likes"]
    assert "ModelQuery" not in sample_spec["components"]["schemas"]  # spelled out as parameters


def test_path_parameters_without_a_model_take_the_converter_type(sample_spec):
    operation = sample_spec["paths"]["/api/v1/items/{number}"]["get"]
    assert operation["parameters"] == [
        {"name": "number", "in": "path", "required": True, "schema": {"type": "integer"}}
    ]


def test_responses_wrap_the_models_in_the_envelope_and_list_errors(sample_spec):
    operation = sample_spec["paths"]["/api/v1/models/{repo_id}/similar"]["get"]
    assert operation["tags"] == ["models"]
    # 401 and 503: every route looks its caller up first (a bearer refused, the database failing).
    assert set(operation["responses"]) == {"200", "304", "400", "401", "404", "429", "503"}
    envelope = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert envelope["required"] == ["data", "meta"]
    assert envelope["properties"]["data"] == {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}
    assert envelope["properties"]["meta"] == {"$ref": "#/components/schemas/Page"}
    schemas = sample_spec["components"]["schemas"]
    assert {"Item", "Page", "ErrorResponse", "ErrorInfo"} <= set(schemas)
    assert "$defs" not in json.dumps(sample_spec)


@pytest.mark.parametrize(
    "rule, path",
    [
        ("/api/v1/health", "/api/v1/health"),
        ("/api/v1/models/<path:repo_id>", "/api/v1/models/{repo_id}"),
        ("/api/v1/models/<path:repo_id>/ancestry", "/api/v1/models/{repo_id}/ancestry"),
        ("/api/v1/a/<int(min=1):page>/<name>", "/api/v1/a/{page}/{name}"),
    ],
)
def test_openapi_path(rule, path):
    assert openapi_path(rule) == path


# --- parse_query: the same model validates the request ---------------------------------------


def test_parse_query_validates_with_the_documented_model():
    server = sample_server()
    with server.test_request_context("/?repo_id=a/b&limit=5&tag=x&tag=y&sort=likes"):
        query = parse_query(ModelQuery)
    assert (query.limit, query.tag, query.sort) == (5, ["x", "y"], Sort.likes)


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("repo_id=a/b&limit=0", "limit"),
        ("repo_id=a/b&sort=x", "sort"),
        ("limit=5", "repo_id"),
        ("repo_id=a/b&other=refused", "other"),
    ],
)
def test_parse_query_answers_400_naming_the_parameter(query, parameter):
    with sample_server().test_request_context(f"/?{query}"), pytest.raises(ApiError) as raised:
        parse_query(ModelQuery)
    assert (raised.value.status, raised.value.code) == (400, "INVALID_PARAMETER")
    assert raised.value.details["parameter"] == parameter


# --- Swagger UI ------------------------------------------------------------------------------


def test_docs_page_loads_swagger_ui_from_the_app_only(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.data.decode()
    assert "http://" not in page and "https://" not in page
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sorted(assets) == [
        "/assets/vendor/swagger-ui/swagger-ui-bundle.js",
        "/assets/vendor/swagger-ui/swagger-ui.css",
    ]
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert len(served.data) > 10_000, asset
        served.close()
    assert 'data-spec="openapi.json"' in page  # relative to the page: no request header changes it


def test_swagger_ui_ships_its_licence():
    folder = ROOT / "assets" / "vendor" / "swagger-ui"
    assert "Apache License" in (folder / "LICENSE").read_text()
    assert (folder / "NOTICE").exists()


def test_swagger_ui_is_not_loaded_by_the_dashboard(client):
    page = client.get("/").data.decode()
    assert "swagger-ui" not in page
