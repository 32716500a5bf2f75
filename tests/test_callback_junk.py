"""Every server callback of the dashboard, sent junk the way a hostile client can: through
/_dash-update-component, with wrong types and unbounded lists where control values belong.
None may answer 5xx; a callback that has nothing to do answers 204."""

from __future__ import annotations

import json
import re

import pytest

from tests.factories import add_models

JUNK = {
    "null": None, "number": 7, "float": -3.5, "bool": True, "empty list": [], "object": {"a": {"b": [1]}},
    "mixed list": ["text-generation", 1, None, {"x": 1}, ["nested"]],
    "long text": "q" * 20_000, "nul": "a\x00b", "huge list": ["value"] * 40_000,
    "list of objects": [{"id": "acme/x", "sort": "desc", "colId": "likes"}] * 3,
    "object like a node": {"id": ["not", "text"], "expandable": True, "relation": {"x": 1}},
}


def server_callbacks(server) -> list[tuple[str, dict]]:
    return [(key, spec) for key, spec in server.extensions["dash"].callback_map.items() if "callback" in spec]


def component_id(raw: str):
    """A dependency's id; a pattern id (ALL) gets one concrete component."""
    if not raw.startswith("{"):
        return raw
    return {key: ("tasks" if value == ["ALL"] else value) for key, value in json.loads(raw).items()}


def dependency(dep: dict, value) -> dict | list:
    entry = {"id": component_id(dep["id"]), "property": dep["property"], "value": value}
    return [entry] if dep["id"].startswith("{") else entry


def outputs(key: str) -> list[dict] | dict:
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    specs = []
    for part in parts:
        component, prop = part.rsplit(".", 1)
        specs.append({"id": component, "property": re.sub(r"@.*", "", prop)})
    return specs if key.startswith("..") else specs[0]


def body(key: str, spec: dict, value) -> dict:
    inputs = [dependency(dep, value) for dep in spec["inputs"]]
    return {
        "output": key, "outputs": outputs(key), "inputs": inputs,
        "state": [dependency(dep, value) for dep in spec.get("state", [])],
        "changedPropIds": [f"{dep['id']}.{dep['property']}" for dep in spec["inputs"] if not dep["id"].startswith("{")],
    }


@pytest.fixture
def catalog(db):
    add_models(db, "acme/base-7b", "acme/chat-7b", pipeline_tag="text-generation")


def test_the_app_has_the_callbacks_this_corpus_is_meant_to_cover(app):
    keys = " ".join(key for key, _ in server_callbacks(app))
    for output in ("search-grid.rowData", "search-url.search", "search-sort.value", "search-filters.className",
                   "trending-results.children", "analytics-tasks.children", "model-tab-content.children",
                   "page.children", "url.href"):
        assert output in keys


@pytest.mark.parametrize("junk", JUNK, ids=list(JUNK))
def test_no_callback_fails_on_junk_inputs(app, client, catalog, junk):
    failures = []
    for key, spec in server_callbacks(app):
        response = client.post("/_dash-update-component", json=body(key, spec, JUNK[junk]))
        if response.status_code >= 500:
            failures.append((key, response.status_code))
    assert failures == []
