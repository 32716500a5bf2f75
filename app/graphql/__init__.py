"""The GraphQL API at /api/graphql (app.api.GRAPHQL_PATH): queries by POST or GET, GraphiQL for
a browser. It sits beside /api/v1 and shares its API keys, rate limit, response cache and error
codes (app.api.is_api_path covers it); it only reads, so it needs no CSRF token."""

from __future__ import annotations

from cross_web import HTTPException
from flask import Flask, Response, current_app, g, request
from strawberry.flask.views import AsyncGraphQLView

from app.api import GRAPHQL_PATH
from app.api.errors import ApiError, http_code
from app.graphql.context import Context
from app.graphql.errors import INVALID_QUERY
from app.graphql.schema import schema
from app.security_headers import content_security_policy, script_hash

# GraphiQL 3.8.3 and React 18.3.1 from npm, their licence files beside them (no CDN).
GRAPHIQL_ASSETS = "/assets/vendor/graphiql"
GRAPHIQL_INIT = """
    const root = document.getElementById("graphiql");
    const fetcher = GraphiQL.createFetcher({url: root.dataset.endpoint});
    ReactDOM.createRoot(root).render(React.createElement(GraphiQL, {fetcher, defaultEditorToolsVisibility: true}));
"""
GRAPHIQL_PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Model Catalog GraphQL</title>
  <link rel="stylesheet" href="{GRAPHIQL_ASSETS}/graphiql.min.css">
  <style>body {{ margin: 0; }} #graphiql {{ height: 100vh; }}</style>
</head>
<body>
  <div id="graphiql" data-endpoint="{GRAPHQL_PATH}"></div>
  <script src="{GRAPHIQL_ASSETS}/react.production.min.js"></script>
  <script src="{GRAPHIQL_ASSETS}/react-dom.production.min.js"></script>
  <script src="{GRAPHIQL_ASSETS}/graphiql.min.js"></script>
  <script>{GRAPHIQL_INIT}</script>
</body>
</html>
"""
GRAPHIQL_SCRIPT_HASH = script_hash(GRAPHIQL_INIT)


class CatalogGraphQLView(AsyncGraphQLView):
    async def get_context(self, request, response) -> Context:  # type: ignore[override]
        g.graphql_context = Context(current_app.extensions["catalog_db"])
        return g.graphql_context

    async def dispatch_request(self):  # type: ignore[override]
        try:
            return await self.run(request=request)
        except HTTPException as error:  # no query, a body that is not JSON, a mutation by GET
            code = INVALID_QUERY if error.status_code == 400 else http_code(error.status_code, error.reason)
            refused = ApiError(code, {"reason": error.reason}, message=error.reason).response()
            refused.status_code = error.status_code
            return refused
        finally:
            context = g.pop("graphql_context", None)
            if context is not None:
                context.close()

    async def render_graphql_ide(self, request) -> Response:
        page = Response(GRAPHIQL_PAGE, mimetype="text/html")
        page.headers["Content-Security-Policy"] = content_security_policy([GRAPHIQL_SCRIPT_HASH])
        page.headers["Cache-Control"] = "no-store"  # the same URL answers JSON to a query
        return page


def init_graphql(server: Flask) -> None:
    view = CatalogGraphQLView.as_view("graphql", schema=schema, graphql_ide="graphiql", multipart_uploads_enabled=False)
    server.add_url_rule(GRAPHQL_PATH, view_func=view, methods=["GET", "POST"])
