"""Mounts the Dash dashboard on the Flask server."""

from __future__ import annotations

import re
from pathlib import Path

import dash_cytoscape as cyto
from dash import Dash
from flask import Flask

from callbacks import router
from data.db import Database

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"
# Served by the app itself, never from a CDN; listed explicitly so that they load first.
VENDOR_STYLESHEETS = [
    "/assets/vendor/bootstrap.min.css",
    "/assets/vendor/bootstrap-icons/bootstrap-icons.min.css",
]


class CatalogDash(Dash):
    """Dash that tells a visitor nothing of the server's Python or library versions."""

    def _config(self):
        config = super()._config()
        for revealing in ("python_version", "dash_version", "plotly_version", "ddk_version", "dash_version_url"):
            config.pop(revealing, None)  # read by Dash's dev tools only, which are off
        return config

    def interpolate_index(self, *args, **kwargs):  # Dash passes every part by name
        kwargs["favicon"] = re.sub(r"\?v=[^\"]*", "", kwargs.get("favicon", ""))
        return super().interpolate_index(**kwargs)


def create_dash(server: Flask, db: Database) -> Dash:
    # The lineage graph's dagre layout lives in dash-cytoscape's extra bundle, which then replaces
    # the plain one; served from the package like every script (serve_locally), never from unpkg.
    cyto.load_extra_layouts()
    dash_app = CatalogDash(
        __name__,
        server=server,  # type: ignore[arg-type]  # Dash annotates server as bool or a factory; it takes a Flask app
        title="Model Catalog",
        assets_folder=str(ASSETS_DIR),
        assets_path_ignore=["vendor"],
        external_stylesheets=VENDOR_STYLESHEETS,
        serve_locally=True,
        update_title=None,  # type: ignore[arg-type]  # None turns the "Updating..." title off (Dash's docs)
        use_async=False,  # Dash would go async whenever asgiref is installed (GraphQL's view needs it)
    )
    dash_app.layout = router.layout  # called per page load: the navbar shows the account
    router.register(dash_app, db)
    _register_bundles(server, dash_app)
    return dash_app


def _register_bundles(server: Flask, dash_app: Dash) -> None:
    """Dash learns which script bundles it may serve while it renders its index page: a fresh
    worker asked for a bundle first would answer 500 ("not a registered library")."""
    with server.test_request_context("/"):
        dash_app._setup_server()
        dash_app.index()
