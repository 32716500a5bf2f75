"""Security headers on every answer: a Content-Security-Policy that allows this app's own
scripts, styles, fonts and API only (no external origin, no framing), and the headers older
browsers read for the same (X-Frame-Options, X-Content-Type-Options, Referrer-Policy)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from flask import Flask, Response

BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def script_hash(script: str) -> str:
    """The CSP source that allows exactly this inline script."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def content_security_policy(script_hashes: Iterable[str] = ()) -> str:
    """`script_hashes`: the 'sha256-…' sources of inline scripts a page runs (Dash's renderer
    start and clientside callbacks). Styles may be inline: Dash, Plotly and Swagger UI set them."""
    scripts = " ".join(["'self'", *script_hashes])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def init_security_headers(server: Flask, script_hashes: Iterable[str]) -> None:
    policy = content_security_policy(script_hashes)

    def add(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", policy)  # a route may know better
        for name, value in BASE_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    server.after_request(add)
