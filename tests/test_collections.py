"""Collections (#15): named lists of models with a note each, private or public, as JSON and as
CSV (also through a real `catalog serve`)."""

from __future__ import annotations

import csv
import io
import json
import urllib.request

import pytest
from sqlalchemy import text

from app.factory import create_app
from data.accounts.keys import create_key
from data.accounts.users import create_user
from data.db import Database
from data.ingest.pipeline import ingest
from tests.served import catalog_database, serve

API = "/api/v1"
MODELS = [
    {"id": "acme/chat", "pipeline_tag": "text-generation", "library_name": "transformers", "downloads": 90, "likes": 9},
    {"id": "lab/vision", "pipeline_tag": "image-classification", "downloads": 5, "likes": 0},
]


def keys_of(db: Database) -> dict[str, str]:
    found = {}
    with db.session() as session:
        for email in ("ana@example.org", "bo@example.org"):
            found[email] = create_key(session, create_user(session, email, None).id, "script")[1]
        session.commit()
    return found


@pytest.fixture
def client(settings, db):
    ingest(db, MODELS)
    return create_app(settings, db).test_client()


@pytest.fixture
def keys(db) -> dict[str, str]:
    return keys_of(db)


def call(client, key: str | None, method: str, path: str, body: dict | None = None):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.open(API + path, method=method, json=body, headers=headers)


def test_a_collection_keeps_models_with_their_notes_in_the_order_added(client, keys):
    key = keys["ana@example.org"]
    made = call(client, key, "POST", "/me/collections", {"name": " Picks "})
    assert made.status_code == 201
    picks = made.json["data"]
    assert (picks["name"], picks["public"], picks["item_count"]) == ("Picks", False, 0)
    path = f"/me/collections/{picks['id']}"
    assert call(client, key, "PUT", f"{path}/models/LAB/Vision", {"note": "small"}).json["data"]["id"] == "lab/vision"
    call(client, key, "PUT", f"{path}/models/acme/chat", {"note": "first try"})
    call(client, key, "PUT", f"{path}/models/acme/chat", {"note": "the one"})  # a note changed, not a second item
    read = call(client, key, "GET", f"/collections/{picks['id']}").json
    assert [(i["id"], i["note"]) for i in read["data"]] == [("lab/vision", "small"), ("acme/chat", "the one")]
    assert read["data"][1]["model"]["downloads"] == 90 and read["meta"]["owned"] is True
    assert [c["item_count"] for c in call(client, key, "GET", "/me/collections").json["data"]] == [2]

    missing = call(client, key, "PUT", f"{path}/models/nobody/nothing", {"note": ""})
    assert (missing.status_code, missing.json["error"]["code"]) == (404, "COLLECTION_MODEL_NOT_FOUND")
    assert call(client, key, "DELETE", f"{path}/models/lab/vision").status_code == 200
    assert [i["id"] for i in call(client, key, "GET", f"/collections/{picks['id']}").json["data"]] == ["acme/chat"]
    assert call(client, key, "DELETE", path).status_code == 200
    assert call(client, key, "GET", "/me/collections").json["data"] == []


def test_a_private_collection_is_nobody_elses_and_a_public_one_everybodys(client, keys):
    key, other = keys["ana@example.org"], keys["bo@example.org"]
    made = call(client, key, "POST", "/me/collections", {"name": "mine"}).json["data"]
    call(client, key, "PUT", f"/me/collections/{made['id']}/models/acme/chat", {"note": "n"})
    public = f"/collections/{made['id']}"
    for reader in (None, other):
        answer = call(client, reader, "GET", public)
        assert (answer.status_code, answer.json["error"]["code"]) == (404, "COLLECTION_NOT_FOUND")
    for method, suffix, body in (
        ("PATCH", "", {"public": True}),
        ("DELETE", "", None),
        ("PUT", "/models/acme/chat", {}),
    ):
        answer = call(client, other, method, f"/me/collections/{made['id']}{suffix}", body)
        assert answer.json["error"]["code"] == "COLLECTION_NOT_FOUND"
    call(client, key, "PATCH", f"/me/collections/{made['id']}", {"public": True})
    shared = call(client, None, "GET", public)
    assert shared.status_code == 200 and shared.json["meta"]["owned"] is False
    assert shared.headers["Cache-Control"] == "private, no-store"  # made private again, it stops at once
    assert [i["note"] for i in shared.json["data"]] == ["n"]


def test_an_item_outlives_its_model_leaving_the_catalog(client, db, keys):
    key = keys["ana@example.org"]
    made = call(client, key, "POST", "/me/collections", {"name": "kept", "public": True}).json["data"]
    call(client, key, "PUT", f"/me/collections/{made['id']}/models/lab/vision", {"note": "gone soon"})
    with db.session() as session:
        session.execute(text("DELETE FROM models WHERE repo_id = 'lab/vision'"))
        session.commit()
    (item,) = call(client, None, "GET", f"/collections/{made['id']}").json["data"]
    assert (item["id"], item["note"], item["model"]) == ("lab/vision", "gone soon", None)


@pytest.mark.parametrize(
    "path_suffix, method, body, field",
    [
        ("", "POST", {"name": ""}, "name"),
        ("", "POST", {"name": "x" * 101}, "name"),
        ("", "POST", {"name": "x", "public": "yes please"}, "public"),
        ("/{id}/models/acme/chat", "PUT", {"note": "x" * 2_001}, "note"),
        ("/{id}/models/acme/chat", "PUT", {"note": 5}, "note"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, keys, path_suffix, method, body, field):
    key = keys["ana@example.org"]
    made = call(client, key, "POST", "/me/collections", {"name": "ok"}).json["data"]
    answer = call(client, key, method, "/me/collections" + path_suffix.format(id=made["id"]), body)
    assert answer.status_code == 400 and answer.json["error"]["details"]["field"] == field
    assert call(client, key, "GET", f"/collections/{made['id']}").json["data"] == []


def exported(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode())))


@pytest.fixture
def served(server_url, template_url):
    with catalog_database(server_url) as database_url, serve(database_url) as app:
        db = Database.from_urls(database_url)
        ingest(db, MODELS)
        yield app.url, keys_of(db)["ana@example.org"]
        db.dispose()


def test_the_csv_export_through_catalog_serve(served):
    url, key = served

    def send(method: str, path: str, body: bytes | None = None) -> bytes:
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        request = urllib.request.Request(url + API + path, body, headers, method=method)
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.read()

    made = json.loads(send("POST", "/me/collections", b'{"name": "export me"}'))["data"]
    send("PUT", f"/me/collections/{made['id']}/models/acme/chat", json.dumps({"note": '=HYPERLINK("x")'}).encode())
    send("PUT", f"/me/collections/{made['id']}/models/lab/vision", b'{"note": "plain, with a comma"}')
    rows = exported(send("GET", f"/collections/{made['id']}?format=csv"))
    assert rows[0] == [
        "repo_id",
        "note",
        "added_at",
        "in_catalog",
        "pipeline_tag",
        "library_name",
        "downloads",
        "likes",
    ]
    assert [row[:2] for row in rows[1:]] == [["acme/chat", '\'=HYPERLINK("x")'], ["lab/vision", "plain, with a comma"]]
    assert rows[1][3:] == ["True", "text-generation", "transformers", "90", "9"]
