"""`has_card=` over real cards: the model-tree files (README text) and raw `/api/models/{id}`
answers (card data), against truth read here from the raw JSON; and the triggers that keep
`model_search.has_card` current whoever writes a model or a card.
"""

from __future__ import annotations

import json
import zipfile

import pytest
from sqlalchemy import text

from data.ingest.files import FileSource
from data.ingest.pipeline import ingest
from tests.conftest import client_over, module_catalog, require_shared

TREES = ("hf-snapshot", "raw", "oderinwale-model-trees")
DETAILS = ("hf-snapshot", "raw", "stalnaker-hf-supply-chain", "model_data")


def card_files() -> list:
    trees = sorted(require_shared(*TREES).glob("*.json"))
    details = [require_shared(*DETAILS, "q.zip"), require_shared(*DETAILS, "7.zip")]
    assert len(trees) == 25
    return trees + details


def raw_cards(files) -> dict[str, bool]:
    """Lower-cased id → whether any of its records has README text or card data."""
    found: dict[str, bool] = {}
    for path in files:
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                records = [json.loads(archive.read(name)) for name in archive.namelist() if name.endswith(".json")]
            pairs = [(r["id"], isinstance(r.get("cardData"), dict)) for r in records]
        else:
            entries = json.loads(path.read_text())["models"]
            pairs = [(e["model_id"], isinstance(e.get("card"), str) and bool(e["card"].strip())) for e in entries]
        for repo_id, has in pairs:
            found[repo_id.lower()] = found.get(repo_id.lower(), False) or has
    return found


@pytest.fixture(scope="module")
def cards_db(server_url, template_url):
    with module_catalog(server_url, "catalog_has_card") as db:
        ingest(db, FileSource(card_files()))
        yield db


@pytest.fixture(scope="module")
def truth(cards_db) -> dict[str, bool]:
    with cards_db.session(read_only=True) as session:
        stored = {r.lower(): r for r in session.execute(text("SELECT repo_id FROM models")).scalars()}
    raw = raw_cards(card_files())
    assert set(stored) <= set(raw)
    return {stored[key]: raw[key] for key in stored}


@pytest.fixture(scope="module")
def client(cards_db, shared_url):
    return client_over(cards_db, shared_url)


def ids(client, **params) -> set[str]:
    found: set[str] = set()
    params = {**params, "per_page": 100}
    while True:
        body = client.get("/api/v1/models", query_string=params).get_json()
        found |= {model["id"] for model in body["data"]}
        if not body["meta"]["next_cursor"]:
            return found
        params["cursor"] = body["meta"]["next_cursor"]


def test_has_card_splits_the_catalog_as_the_raw_records_do(client, truth):
    with_card = {repo_id for repo_id, has in truth.items() if has}
    assert 1_000 < len(with_card) < len(truth) - 1_000  # both sides are large: READMEs and card data alike
    assert ids(client, has_card="true") == with_card
    assert ids(client, has_card="false") == set(truth) - with_card


def test_has_card_combines_with_text_and_other_filters(client, truth):
    llamas = ids(client, q="llama")
    assert ids(client, q="llama", has_card="false") == {r for r in llamas if not truth[r]}
    assert ids(client, q="llama", has_card="true", sort="likes") == {r for r in llamas if truth[r]}


def test_has_card_facet_counts_match(client, truth):
    for params, scope in (({}, set(truth)), ({"q": "llama"}, ids(client, q="llama"))):
        body = client.get("/api/v1/models", query_string={**params, "facets": "has_card"}).get_json()
        counted = {row["value"]: row["count"] for row in body["meta"]["facets"]["has_card"]}
        assert body["meta"]["facets_exact"]
        assert counted == {
            "true": sum(truth[r] for r in scope),
            "false": sum(not truth[r] for r in scope),
        }


@pytest.mark.parametrize("bad", ["maybe", "2", "yes please"])
def test_a_bad_has_card_is_a_400(client, bad):
    answer = client.get("/api/v1/models", query_string={"has_card": bad})
    assert answer.status_code == 400
    assert answer.get_json()["error"]["details"]["parameter"] == "has_card"


def has_card(session, repo_id: str) -> bool:
    return session.execute(
        text("SELECT s.has_card FROM model_search s JOIN models m USING (id) WHERE m.repo_id = :r"), {"r": repo_id}
    ).scalar_one()


def test_triggers_keep_has_card_current_whoever_writes(db):
    from tests.factories import add_models

    add_models(db, "org/plain", "org/with-data", card_data={"license": "mit"})
    with db.session() as session:
        assert has_card(session, "org/with-data") and has_card(session, "org/plain")  # both have card data
        session.execute(text("UPDATE models SET card_data = NULL WHERE repo_id = 'org/plain'"))
        assert not has_card(session, "org/plain")
        session.execute(
            text("INSERT INTO model_cards (id, card) SELECT id, '# Plain' FROM models WHERE name = 'plain'")
        )
        assert has_card(session, "org/plain")
        session.execute(text("UPDATE models SET downloads = downloads + 1"))  # an unrelated change keeps it
        assert has_card(session, "org/plain")
        session.execute(text("DELETE FROM model_cards"))
        assert not has_card(session, "org/plain")
        assert has_card(session, "org/with-data")  # its card data remains
        session.execute(text("UPDATE models SET card_data = NULL"))
        assert not has_card(session, "org/with-data")
        session.execute(
            text("INSERT INTO models (repo_id, author, name, card_data) VALUES ('org/new', 'org', 'new', '{}')")
        )
        assert has_card(session, "org/new")
