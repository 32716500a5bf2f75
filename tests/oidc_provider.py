"""A small OpenID Connect provider on 127.0.0.1, for testing sign-in through the real authlib client.

    with OidcProvider(users=[ProviderUser("alice-1", "alice@example.com")]) as provider:
        settings = Settings(oidc_issuer=provider.issuer, oidc_client_id=provider.client_id,
                            oidc_client_secret=provider.client_secret, ...)

Endpoints: discovery, JWKS (an RSA key made per provider), /authorize, /token, /userinfo.
/authorize renders a page with one "Sign in as EMAIL" button per user (id `sign-in-as-N`) and a
Cancel button (id `cancel`), for the browser; `auto_approve = "alice-1"` (a subject) answers
with the redirect at once, for HTTP tests. /token checks the client secret (basic or post), the
code, its redirect_uri and the PKCE verifier (S256 only), and answers an RS256 id_token.

`failure` spoils the next sign-ins on purpose: "deny" (error=access_denied), "wrong_nonce",
"wrong_audience" (another client's, though its azp names ours), "expired" (exp ten minutes
ago), "wrong_key" (signed by a key not in the JWKS, under the published kid), "wrong_issuer",
"discovery_issuer" (the discovery document names another issuer), "token_error" (/token
answers invalid_grant).
`requests` logs every request (method, path, args, form) to check what the client sent.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

FAILURES = frozenset(
    {"deny", "wrong_nonce", "wrong_audience", "expired", "wrong_key", "wrong_issuer", "discovery_issuer", "token_error"}
)
KEY_ID = "test-key-1"


@dataclass(frozen=True)
class ProviderUser:
    subject: str
    email: str
    email_verified: bool = True
    email_in_id_token: bool = True  # False: only /userinfo tells it, as some providers do


@dataclass
class Grant:
    user: ProviderUser
    client_id: str
    redirect_uri: str
    nonce: str | None
    challenge: str | None
    method: str | None


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def json_response(data: dict, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json", headers={"Cache-Control": "no-store"})


class OidcProvider:
    def __init__(self, users: list[ProviderUser], *, client_id: str = "catalog-test", client_secret: str | None = None):
        self.users = {user.subject: user for user in users}
        self.client_id, self.client_secret = client_id, client_secret or secrets.token_urlsafe(24)
        self.auto_approve: str | None = None
        self._failure: str | None = None
        self.requests: list[dict] = []
        self.issued: list[str] = []  # every code and token handed out: none may reach a log
        self.key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        self._other_key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID})
        self._grants: dict[str, Grant] = {}
        self._access: dict[str, ProviderUser] = {}
        self._lock = threading.Lock()
        self._server = None
        self.issuer = ""

    @property
    def failure(self) -> str | None:
        return self._failure

    @failure.setter
    def failure(self, mode: str | None) -> None:
        assert mode is None or mode in FAILURES, mode  # a typo would test nothing
        self._failure = mode

    # -- lifecycle -------------------------------------------------------------
    def __enter__(self) -> OidcProvider:
        self._server = make_server("127.0.0.1", 0, self, threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self._lock:
            self.requests.append(
                {
                    "method": request.method,
                    "path": request.path,
                    "args": request.args.to_dict(),
                    "form": request.form.to_dict(),
                }
            )
        route = {
            "/.well-known/openid-configuration": self._discovery,
            "/jwks": self._jwks,
            "/authorize": self._authorize,
            "/token": self._token,
            "/userinfo": self._userinfo,
        }.get(request.path)
        response = route(request) if route else json_response({"error": "not_found"}, 404)
        return response(environ, start_response)

    def paths(self) -> list[str]:
        with self._lock:
            return [entry["path"] for entry in self.requests]

    # -- endpoints -------------------------------------------------------------
    def _discovery(self, request: Request) -> Response:
        return json_response(
            {
                "issuer": "http://evil.example" if self.failure == "discovery_issuer" else self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    def _jwks(self, request: Request) -> Response:
        return json_response({"keys": [self.key.as_dict(private=False)]})

    def _authorize(self, request: Request) -> Response:
        params = request.form if request.method == "POST" else request.args
        if params.get("client_id") != self.client_id or params.get("response_type") != "code":
            return Response("unknown client or response type", status=400)
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_uri.startswith("http://127.0.0.1:"):
            return Response("redirect_uri must be on 127.0.0.1", status=400)  # nothing leaves the machine
        state = params.get("state", "")
        if request.method == "POST" and params.get("cancel") or self.failure == "deny":
            return self._back(redirect_uri, error="access_denied", error_description="The user said no", state=state)
        subject = params.get("subject") if request.method == "POST" else self.auto_approve
        if subject is None:
            return self._page(params)
        code = secrets.token_urlsafe(16)
        grant = Grant(
            self.users[subject],
            self.client_id,
            redirect_uri,
            params.get("nonce"),
            params.get("code_challenge"),
            params.get("code_challenge_method"),
        )
        with self._lock:
            self._grants[code] = grant
            self.issued.append(code)
        return self._back(redirect_uri, code=code, state=state)

    def _page(self, params) -> Response:
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
            for name, value in params.items()
        )
        buttons = "".join(
            f'<button type="submit" name="subject" value="{html.escape(user.subject)}" id="sign-in-as-{number}">'
            f"Sign in as {html.escape(user.email)}</button>"
            for number, user in enumerate(self.users.values())
        )
        cancel = '<button type="submit" name="cancel" value="1" id="cancel">Cancel</button>'
        form = f'<form method="post" action="/authorize">{hidden}{buttons}{cancel}</form>'
        page = f'<!doctype html><title>Test provider</title><link rel="icon" href="data:,">{form}'  # no favicon fetch
        return Response(page, mimetype="text/html")

    @staticmethod
    def _back(redirect_uri: str, **params: str) -> Response:
        separator = "&" if "?" in redirect_uri else "?"
        return Response(status=302, headers={"Location": f"{redirect_uri}{separator}{urlencode(params)}"})

    def _token(self, request: Request) -> Response:
        client_id, secret = self._client_credentials(request)
        if client_id != self.client_id or secret != self.client_secret:
            return json_response({"error": "invalid_client"}, 401)
        with self._lock:
            grant = self._grants.pop(request.form.get("code", ""), None)  # a code is used once
        if grant is None or request.form.get("grant_type") != "authorization_code" or self.failure == "token_error":
            return json_response({"error": "invalid_grant", "error_description": "unknown or used code"}, 400)
        if request.form.get("redirect_uri") != grant.redirect_uri:
            return json_response({"error": "invalid_grant", "error_description": "redirect_uri differs"}, 400)
        verifier = request.form.get("code_verifier")
        if grant.method != "S256" or not verifier or s256(verifier) != grant.challenge:
            return json_response({"error": "invalid_grant", "error_description": "PKCE verification failed"}, 400)
        access_token, id_token = secrets.token_urlsafe(24), self._id_token(grant)
        with self._lock:
            self._access[access_token] = grant.user
            self.issued += [access_token, id_token]
        return json_response(
            {"access_token": access_token, "token_type": "Bearer", "expires_in": 3600, "id_token": id_token}
        )

    def _client_credentials(self, request: Request) -> tuple[str | None, str | None]:
        if request.authorization and request.authorization.type == "basic":
            return request.authorization.username, request.authorization.password
        return request.form.get("client_id"), request.form.get("client_secret")

    def _id_token(self, grant: Grant) -> str:
        now = int(time.time())
        user, failure = grant.user, self.failure
        claims = {
            "iss": "http://evil.example" if failure == "wrong_issuer" else self.issuer,
            "sub": user.subject,
            "aud": "another-client" if failure == "wrong_audience" else grant.client_id,
            "iat": now - 900 if failure == "expired" else now,
            "exp": now - 600 if failure == "expired" else now + 300,
            "name": user.email.split("@")[0],
        }
        if failure == "wrong_audience":
            claims["azp"] = grant.client_id  # authlib's own checks let this pass: the aud check must not
        if grant.nonce is not None:
            claims["nonce"] = "not-the-nonce" if failure == "wrong_nonce" else grant.nonce
        if user.email_in_id_token:
            claims.update(email=user.email, email_verified=user.email_verified)
        key = self._other_key if failure == "wrong_key" else self.key
        return jwt.encode({"alg": "RS256", "kid": KEY_ID}, claims, key)

    def _userinfo(self, request: Request) -> Response:
        token = (
            request.authorization.token if request.authorization and request.authorization.type == "bearer" else None
        )
        with self._lock:
            user = self._access.get(token or "")
        if user is None:
            return json_response({"error": "invalid_token"}, 401)
        return json_response({"sub": user.subject, "email": user.email, "email_verified": user.email_verified})
