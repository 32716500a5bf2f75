"""The API's OpenAPI 3.1 description and Swagger UI.

Route modules mark their handlers with `@documented(...)`; `GET /api/v1/openapi.json` is
built from every marked route on the server (path and methods from the URL rule, query
parameters from the `params` model, the body from the `response` model), so the description
cannot drift from the pydantic models the routes validate with (see `parse_query`).
`GET /api/v1/docs` is Swagger UI, its files served from assets/vendor/swagger-ui (no CDN).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from importlib.metadata import PackageNotFoundError, version
from types import UnionType
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from flask import Flask, Response, current_app, request
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from pydantic.json_schema import JsonSchemaMode
from werkzeug.routing import Rule

from app.api import bp
from app.api.errors import DATABASE_FAILURES, ERRORS, ApiError, invalid_parameter
from app.auth.csrf import SAFE_METHODS
from app.auth.identity import BEARER_REJECTIONS
from app.live import EVENTS
from app.rate_limit import UNLIMITED_PATHS
from app.security_headers import content_security_policy, script_hash
from data.query import unknown_parameter

OPENAPI_VERSION = "3.1.0"
SCHEMA_REF = "#/components/schemas/{model}"
ATTRIBUTE = "__openapi__"
ERROR_CODES = "x-error-codes"  # an error response's codes (an OpenAPI extension field)
# Swagger UI 5.35.0 from npm's swagger-ui-dist; its licence files lie beside it.
SWAGGER_ASSETS = "/assets/vendor/swagger-ui"
M = TypeVar("M", bound=BaseModel)


class ErrorInfo(BaseModel):
    code: Literal[tuple(ERRORS)] = Field(  # type: ignore[valid-type]
        description="Stable machine-readable code, e.g. NOT_FOUND or RATE_LIMITED (app/api/errors.py)."
    )
    message: str = Field(description="A sentence for people.")
    details: dict[str, Any] = Field(description="Structured facts about the error; may be empty.")


class ErrorResponse(BaseModel):
    """Every error answer of the API has this shape."""

    error: ErrorInfo


@dataclass(frozen=True)
class Operation:
    summary: str
    description: str | None
    params: type[BaseModel] | None
    response: Any
    meta: Any
    errors: tuple[str, ...]  # codes of ERRORS
    tags: tuple[str, ...]
    other_formats: tuple[tuple[str, str], ...] = ()  # (media type, what it holds)
    body: type[BaseModel] | None = None  # the JSON request body
    status: int = 200  # of a success


def documented(
    *,
    summary: str,
    description: str | None = None,
    params: type[BaseModel] | None = None,
    response: Any = None,
    meta: Any = None,
    errors: Iterable[str] = (),
    tags: Iterable[str] = (),
    other_formats: Mapping[str, str] | None = None,
    body: type[BaseModel] | None = None,
    status: int = 200,
):
    """Publish a route in openapi.json; works above or below `@bp.get(...)`.

    params: the pydantic model of the query (and path) parameters.
    response, meta: the types of the envelope's `data` and `meta` (a model, `list[Model]`...).
    errors: the error codes (keys of app.api.errors.ERRORS) the route answers itself; each is
        listed under its status (RATE_LIMITED is added where the rate limit applies).
    other_formats: media types the route also answers 200 with, and what they hold.
    body: the pydantic model of the JSON request body (see `parse_body`); status: of a success.
    """
    unknown = set(errors) - set(ERRORS)
    if unknown:
        raise ValueError(f"error codes not in app.api.errors.ERRORS: {', '.join(sorted(unknown))}")
    operation = Operation(
        summary,
        description,
        params,
        response,
        meta,
        tuple(errors),
        tuple(tags),
        tuple((other_formats or {}).items()),
        body,
        status,
    )

    def mark(view):
        setattr(view, ATTRIBUTE, operation)
        return view

    return mark


def parse_query(model: type[M], also_known: Collection[str] = ()) -> M:
    """The request's query string validated by `model`; a 400 INVALID_PARAMETER otherwise, also
    for a parameter neither `model` nor `also_known` (the route's other parameters) names.

    A field typed as a list takes every value of a repeated key; others take the last one.
    """
    keys = {field.alias or name: field for name, field in model.model_fields.items()}
    for key in request.args:
        if key not in keys and key not in also_known:
            unknown = unknown_parameter(key, [*keys, *also_known])
            raise invalid_parameter(unknown.parameter, unknown.reason)
    values = {}
    for key, field in keys.items():
        if key in request.args:
            values[key] = request.args.getlist(key) if _is_sequence(field.annotation) else request.args[key]
    try:
        return model.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        parameter = ".".join(str(part) for part in first["loc"]) or "query"
        raise invalid_parameter(parameter, first["msg"]) from None


def parse_body(model: type[M]) -> M:
    """The request's JSON body validated by `model`: 400 INVALID_BODY when it is not a JSON
    object, 400 INVALID_FIELD naming the first field that is wrong."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        reason = "it is missing or not JSON" if body is None else "it is JSON, but not an object"
        raise ApiError("INVALID_BODY", {"reason": reason})
    try:
        parsed = model.model_validate(body)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        raise ApiError("INVALID_FIELD", {"field": field, "reason": first["msg"]}) from None
    for name, value in parsed:
        if isinstance(value, str) and "\x00" in value:  # PostgreSQL text cannot hold NUL, as in app.api
            raise ApiError("INVALID_FIELD", {"field": name, "reason": "NUL characters are not allowed"})
    return parsed


def _is_sequence(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    return origin in (Union, UnionType) and any(_is_sequence(arg) for arg in get_args(annotation))


# --- building openapi.json -----------------------------------------------------------------


def build_openapi(app: Flask) -> dict:
    routes = _documented_routes(app)
    schemas, defs = _schemas(operation for _, operation in routes)
    paths: dict[str, dict] = {}
    for rule, operation in routes:
        item = paths.setdefault(openapi_path(rule.rule), {})
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            item[method.lower()] = _operation(rule, method, operation, schemas, defs)
    inlined = {_ref_name(schemas[(op.params, "validation")]) for _, op in routes if op.params is not None}
    return {
        "openapi": OPENAPI_VERSION,
        "info": _info(),
        "paths": paths,
        "components": {"schemas": _components(defs, paths, inlined)},
    }


def _documented_routes(app: Flask) -> list[tuple[Rule, Operation]]:
    routes = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        operation = getattr(app.view_functions.get(rule.endpoint), ATTRIBUTE, None)
        if operation is not None:
            routes.append((rule, operation))
    return routes


def openapi_path(rule: str) -> str:
    """`/models/<path:repo_id>` → `/models/{repo_id}`."""
    return re.sub(r"<(?:[^:<>]+:)?(\w+)>", r"{\1}", rule)


def _path_arguments(rule: str) -> list[tuple[str, str]]:
    """(name, converter) of each path argument, in order."""
    return [(name, converter or "default") for converter, name in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule)]


def _schemas(operations: Iterable[Operation]) -> tuple[dict, dict]:
    """One pass over every type, so shared models become one entry in components/schemas."""
    inputs: dict[tuple[Any, JsonSchemaMode], None] = {(ErrorResponse, "serialization"): None}  # an ordered set
    for operation in operations:
        for model in (operation.params, operation.body):
            if model is not None:
                inputs[(model, "validation")] = None
        for kind in (operation.response, operation.meta):
            if kind is not None:
                inputs[(kind, "serialization")] = None
    by_key, top = TypeAdapter.json_schemas(
        [(kind, mode, TypeAdapter(kind)) for kind, mode in inputs], ref_template=SCHEMA_REF
    )
    return by_key, top.get("$defs", {})


def _operation(rule: Rule, method: str, operation: Operation, schemas: dict, defs: dict) -> dict:
    result: dict[str, Any] = {
        "operationId": rule.endpoint.rsplit(".", 1)[-1] + ("" if method == "GET" else f"_{method.lower()}"),
        "summary": operation.summary,
    }
    if operation.description:
        result["description"] = operation.description
    if operation.tags:
        result["tags"] = list(operation.tags)
    parameters = _parameters(rule, operation, schemas, defs)
    if parameters:
        result["parameters"] = parameters
    if operation.body is not None:
        body_schema = schemas[(operation.body, "validation")]
        result["requestBody"] = {"required": True, "content": {"application/json": {"schema": body_schema}}}
    result["responses"] = _responses(rule, method, operation, schemas)
    return result


def _parameters(rule: Rule, operation: Operation, schemas: dict, defs: dict) -> list[dict]:
    properties, required = _fields(operation.params, schemas, defs)
    parameters = []
    for name, converter in _path_arguments(rule.rule):
        schema = properties.pop(name, None) or _converter_schema(converter)
        parameters.append(_parameter(name, "path", True, schema))
    for name, schema in properties.items():
        parameters.append(_parameter(name, "query", name in required, schema))
    return parameters


def _fields(params: type[BaseModel] | None, schemas: dict, defs: dict) -> tuple[dict, set]:
    if params is None:
        return {}, set()
    model = defs[_ref_name(schemas[(params, "validation")])]
    return dict(model.get("properties", {})), set(model.get("required", ()))


def _ref_name(schema: dict) -> str:
    return schema["$ref"].rsplit("/", 1)[-1]


def _converter_schema(converter: str) -> dict:
    return {"int": {"type": "integer"}, "float": {"type": "number"}}.get(converter, {"type": "string"})


def _parameter(name: str, where: str, required: bool, schema: dict) -> dict:
    schema = {key: value for key, value in schema.items() if key != "title"}
    description = schema.pop("description", None)
    parameter = {"name": name, "in": where, "required": required, "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


EVENT_STREAM = "text/event-stream"


def _event_schema(formats: Mapping[str, str]) -> dict:
    """One Server-Sent Event as a client parses it (its `data` is JSON text)."""
    return {
        "type": "object",
        "description": formats[EVENT_STREAM],
        "required": ["data"],
        "properties": {
            "event": {"type": "string", "enum": list(EVENTS)},
            "id": {"type": "string"},
            "data": {"type": "string", "contentMediaType": "application/json"},
            "retry": {"type": "integer"},
        },
    }


def _responses(rule: Rule, method: str, operation: Operation, schemas: dict) -> dict:
    success = str(operation.status)
    responses: dict[str, Any] = {
        success: {
            "description": "Success: the `data` and `meta` envelope.",
            "content": {"application/json": {"schema": _envelope(operation, schemas)}},
        }
    }
    for media_type, holds in operation.other_formats:
        responses[success]["content"][media_type] = {"schema": {"type": "string", "description": holds}}
    streams = EVENT_STREAM in dict(operation.other_formats)
    if streams:  # events, one by one: no JSON answer, no ETag
        responses[success]["content"] = {EVENT_STREAM: {"schema": _event_schema(dict(operation.other_formats))}}
    codes = list(operation.errors)
    if method == "GET" and not streams:
        responses["304"] = {"description": "Not Modified: the body's ETag matches If-None-Match."}
    if method not in SAFE_METHODS:
        codes.append("CSRF_FAILED")  # app.auth.csrf checks every such request made without a bearer
    # app.auth.identity resolves every API request's caller before its route runs: a bearer it
    # refuses, or the database failing under the lookup of a key, token or session cookie.
    codes += [code for code in (*BEARER_REJECTIONS, *DATABASE_FAILURES) if code not in codes]
    if rule.rule not in UNLIMITED_PATHS:
        codes.append("RATE_LIMITED")
    error = {"application/json": {"schema": schemas[(ErrorResponse, "serialization")]}}
    by_status: dict[int, list[str]] = {}
    for code in codes:
        by_status.setdefault(ERRORS[code].status, []).append(code)
    for status, listed in sorted(by_status.items()):
        responses[str(status)] = {
            "description": f"{HTTPStatus(status).phrase}: {', '.join(listed)}",
            "content": error,
            ERROR_CODES: listed,
        }
    return responses


def _envelope(operation: Operation, schemas: dict) -> dict:
    data = schemas[(operation.response, "serialization")] if operation.response is not None else {}
    meta = schemas[(operation.meta, "serialization")] if operation.meta is not None else {"type": "object"}
    return {"type": "object", "required": ["data", "meta"], "properties": {"data": data, "meta": meta}}


def _components(defs: dict, paths: dict, inlined: set[str]) -> dict:
    """Parameter models are spelled out as parameters: keep their schema only if referred to."""

    def referred_to(name: str) -> bool:
        others = {key: value for key, value in defs.items() if key != name}
        return json.dumps(SCHEMA_REF.format(model=name)) in json.dumps([paths, others])

    return {name: schema for name, schema in defs.items() if name not in inlined or referred_to(name)}


def _info() -> dict:
    try:
        release = version("model-catalog")
    except PackageNotFoundError:
        release = "0.0.0"
    return {
        "title": "Model Catalog API",
        "version": release,
        "description": (
            "Read-only JSON API over the catalog of Hugging Face Hub models. Answers are "
            '`{"data": ..., "meta": ...}`; errors are `{"error": {"code", "message", "details"}}`. '
            "GET answers carry an ETag (send If-None-Match for a 304) and Cache-Control, and are "
            "compressed with gzip or brotli on request. Requests are rate limited per client "
            "(429 RATE_LIMITED with Retry-After)."
        ),
    }


# --- routes --------------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi():
    document = current_app.extensions.get("catalog_openapi")
    if document is None:  # routes are fixed once the server runs: build once per server
        document = current_app.extensions["catalog_openapi"] = build_openapi(current_app)
    return current_app.response_class(json.dumps(document, indent=1), mimetype="application/json")


# The page depends on nothing in the request (the spec's URL is relative to the page), so a
# cached copy is the same for everyone; its one inline script is allowed by its hash alone.
SWAGGER_INIT = """
    const root = document.getElementById("swagger-ui");
    window.ui = SwaggerUIBundle({url: root.dataset.spec, dom_id: "#swagger-ui", deepLinking: true, validatorUrl: null});
"""
SWAGGER_PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Model Catalog API</title>
  <link rel="stylesheet" href="{SWAGGER_ASSETS}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-spec="openapi.json"></div>
  <script src="{SWAGGER_ASSETS}/swagger-ui-bundle.js"></script>
  <script>{SWAGGER_INIT}</script>
</body>
</html>
"""
SWAGGER_SCRIPT_HASH = script_hash(SWAGGER_INIT)


@bp.get("/docs")
def swagger_ui():
    response = Response(SWAGGER_PAGE, mimetype="text/html")
    response.headers["Content-Security-Policy"] = content_security_policy([SWAGGER_SCRIPT_HASH])
    return response
