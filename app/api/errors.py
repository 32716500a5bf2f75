"""The API's one error shape: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: Any = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def invalid_parameter(parameter: str, reason: str) -> ApiError:
    """The one 400 for a bad query parameter, whichever layer found it."""
    return ApiError(400, "INVALID_PARAMETER", f"Invalid {parameter}: {reason}.",
                    {"parameter": parameter, "reason": reason})


def error_response(status: int, code: str, message: str, details: Any = None):
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return jsonify(body), status


def http_error_response(error: HTTPException, details: Any = None):
    """Werkzeug's HTTP errors (404, 405, 413…) in the envelope, coded by their names."""
    code = "NOT_FOUND" if error.code == 404 else error.name.upper().replace(" ", "_")
    return error_response(error.code or 500, code, error.description or error.name, details)
