"""Server-wide guards against malformed requests: whatever a client sends, it gets a 4xx (JSON
under /api/v1 and for Dash's own endpoints), never a 500 nor the dashboard page by mistake.

- a path with NUL characters is a 404 everywhere (PostgreSQL text cannot hold NUL);
- a path under /api/v1 that no API route serves (say `/api/v1//models`) is the API's 404,
  not the dashboard's catch-all page;
- HTTP errors raised before any route (405 for TRACE, 413, 404 of odd paths) are JSON under
  /api/v1 and for Dash's endpoints, the dashboard's pages keep Werkzeug's HTML;
- request bodies are bounded (the API reads none; Dash callbacks send small JSON);
- a Dash callback request that is not what the dashboard itself sends (wrong types, missing
  keys, NUL, unknown outputs) is a 400 JSON, not an exception in a callback;
- a component-suite path that Dash does not serve (`../`, unknown files) is a 404.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from dash import Dash
from dash.exceptions import DependencyException
from flask import Flask, Response, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, NotFound

from app.api import DASH_CALLBACK_PATH, is_api_path
from app.api.database_errors import is_database_failure
from app.api.errors import ApiError, http_error

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 100_000  # a callback carries a few controls' values: kilobytes, not megabytes
# A refused body up to this size is read and dropped, so the connection can serve the next
# request (gunicorn closes it, unannounced, when it cannot drain the rest quickly).
MAX_DRAINED_BYTES = 1_048_576  # nginx's client_max_body_size in deploy/nginx
DASH_INTERNAL_PREFIX = "/_dash-"
DASH_CATCH_ALL = "/<path:path>"  # the dashboard's pages: never the answer to an API path
COMPONENT_SUITES_PREFIX = "/_dash-component-suites/"
# What a callback raises when its input has a shape the dashboard never sends: a string where a
# list was expected, a null, an object.
MALFORMED_INPUT_ERRORS = (
    TypeError,
    ValueError,
    KeyError,
    AttributeError,
    IndexError,
    LookupError,
    RecursionError,
    UnicodeError,
    OverflowError,
)
DATA_EXCEPTION_CLASS = "22"  # SQLSTATE class of values PostgreSQL refuses (NUL, out of range)
# A number bound where text belongs: no operator for those types, or a type mismatch.
WRONG_TYPE_SQLSTATES = frozenset({"42883", "42804"})


class MalformedCallback(ValueError):
    pass


def answers_json(path: str) -> bool:
    return is_api_path(path) or path.startswith(DASH_INTERNAL_PREFIX)


def init_guards(server: Flask, dash_app: Dash) -> None:
    """Call once the Dash app is mounted (its routes must exist to be wrapped)."""
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    server.before_request(_refuse_odd_paths)
    server.register_error_handler(HTTPException, _http_error)
    for rule in server.url_map.iter_rules():
        if rule.rule == DASH_CALLBACK_PATH:
            server.view_functions[rule.endpoint] = _guard_callback(server.view_functions[rule.endpoint], dash_app)
        elif rule.rule.startswith(COMPONENT_SUITES_PREFIX):
            server.view_functions[rule.endpoint] = _guard_component_suites(server.view_functions[rule.endpoint])


def _refuse_odd_paths() -> None:
    if "\x00" in request.path:
        raise NotFound("No page at a path with NUL characters.")
    if is_api_path(request.path) and request.url_rule is not None and request.url_rule.rule == DASH_CATCH_ALL:
        raise NotFound(f"No API route at {request.path!r}.")


def _http_error(error: HTTPException):
    """HTTP errors of requests no blueprint handler saw (routing errors, Dash's routes)."""
    if error.code == 413:
        _drain_body()
    if error.response is not None or not answers_json(request.path):
        return error
    response = http_error(error, {"path": request.path} if error.code == 404 else None).response()
    valid_methods = getattr(error, "valid_methods", None)  # set by MethodNotAllowed
    if error.code == 405 and isinstance(valid_methods, list):
        response.headers["Allow"] = ", ".join(valid_methods)
    return response


def _drain_body() -> None:
    remaining = request.content_length or 0
    if remaining > MAX_DRAINED_BYTES:
        return
    stream = request.environ["wsgi.input"]
    while remaining > 0 and (chunk := stream.read(min(remaining, 65_536))):
        remaining -= len(chunk)


def _guard_callback(dispatch: Callable, dash_app: Dash) -> Callable:
    @wraps(dispatch)
    def guarded():
        try:
            _check_callback_body(request.get_json(silent=True), dash_app)
            return dispatch()
        except HTTPException:
            raise
        except Exception as error:
            if not _caused_by_input(error):
                raise
            log.warning(
                "refused a malformed callback request: %s: %s",
                type(error).__name__,
                error,
                exc_info=log.isEnabledFor(logging.DEBUG),
            )
            return _invalid_callback(
                str(error)
                if isinstance(error, MalformedCallback)
                else "The callback's inputs are not what the dashboard sends."
            )

    return guarded


def _caused_by_input(error: Exception) -> bool:
    if isinstance(error, (MalformedCallback, *MALFORMED_INPUT_ERRORS)):
        return True
    if isinstance(error, DBAPIError) and not is_database_failure(error):  # a down database: a 503
        # no SQLSTATE: the driver could not even send the value
        sqlstate = getattr(error.orig, "sqlstate", None)
        return sqlstate is None or sqlstate.startswith(DATA_EXCEPTION_CLASS) or sqlstate in WRONG_TYPE_SQLSTATES
    return False


def _check_callback_body(body, dash_app: Dash) -> None:
    """The shape every request of the dashboard's own renderer has."""
    if not isinstance(body, dict):
        raise MalformedCallback("The body is not a JSON object.")
    if not isinstance(body.get("output"), str) or body["output"] not in dash_app.callback_map:
        raise MalformedCallback("No such callback output.")
    outputs, expected = body.get("outputs"), _output_count(body["output"])
    if expected > 1:
        if not isinstance(outputs, list) or len(outputs) != expected or not all(_is_output(o) for o in outputs):
            raise MalformedCallback(f"`outputs` is not a list of {expected} {{id, property}} objects.")
    elif not (_is_output(outputs) and (isinstance(outputs, dict) or _is_pattern(body["output"]))):
        raise MalformedCallback("`outputs` is not an {id, property} object.")
    for key in ("inputs", "state"):
        items = body.get(key, [])
        if not isinstance(items, list) or not all(_is_dependency(item) for item in items):
            raise MalformedCallback(f"`{key}` is not a list of {{id, property, value}} objects.")
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(item, str) for item in changed):
        raise MalformedCallback("`changedPropIds` is not a list of strings.")
    if _has_nul(body):
        raise MalformedCallback("NUL characters are not allowed.")


def _has_nul(value) -> bool:
    pending = [value]
    while pending:  # a loop, not recursion: the body may nest as deep as its size allows
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending += item.keys()
            pending += item.values()
        elif isinstance(item, list):
            pending += item
    return False


def _output_count(output: str) -> int:
    """`..a.b...c.d..` names two outputs, `a.b` one (Dash's own spelling)."""
    if output.startswith("..") and output.endswith(".."):
        return len(output[2:-2].split("..."))
    return 1


def _is_pattern(output: str) -> bool:
    return output.startswith("{")  # a dict id: matched by ALL/MATCH, so a list of outputs


def _is_output(item) -> bool:
    if isinstance(item, list):  # a pattern-matching (ALL) output
        return all(_is_output(part) for part in item)
    return isinstance(item, dict) and isinstance(item.get("id"), str | dict) and isinstance(item.get("property"), str)


def _is_dependency(item) -> bool:
    if isinstance(item, list):  # pattern-matching (ALL) inputs: a list of dependencies
        return all(_is_dependency(part) for part in item)
    return isinstance(item, dict) and isinstance(item.get("id"), str | dict) and isinstance(item.get("property"), str)


def _invalid_callback(message: str) -> Response:
    return ApiError("INVALID_CALLBACK_REQUEST", message=message).response()


def _guard_component_suites(serve: Callable) -> Callable:
    @wraps(serve)
    def guarded(**arguments):
        try:
            return serve(**arguments)
        except DependencyException:
            raise NotFound("Dash serves no such file.") from None

    return guarded
