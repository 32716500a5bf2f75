"""The API's one error shape: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from typing import Any

from flask import jsonify


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
