import pytest

from app.factory import create_app
from app.settings import Settings
from data import migrate
from data.db import Database
from tests.stack import TEST_SECRET_KEY


def test_health_reports_ok(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json["data"]["status"] == "ok"
    assert response.json["data"]["database"] == "ok"
    assert "meta" in response.json


def test_health_is_503_when_the_database_is_unreachable():
    unreachable = Database.from_urls("postgresql://nobody@127.0.0.1:1/none")
    app = create_app(
        Settings(secret_key=TEST_SECRET_KEY, database_url="postgresql://nobody@127.0.0.1:1/none"), unreachable
    )
    response = app.test_client().get("/api/v1/health")
    assert response.status_code == 503
    assert response.json["error"]["code"] == "DATABASE_UNAVAILABLE"
    assert set(response.json["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/v1/", "/api/v1/statistics/x/y"])
def test_unknown_api_paths_answer_json_404(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert response.is_json
    assert response.json["error"]["code"] == "NOT_FOUND"
    assert response.json["error"]["message"]


def test_dashboard_is_served_at_the_root(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"<title>Model Catalog</title>" in response.data


def test_no_stylesheet_comes_from_outside(client):
    page = client.get("/").data.decode()
    assert "/assets/vendor/bootstrap.min.css" in page
    assert "https://" not in page and "http://" not in page


def test_paths_no_rule_can_match_still_answer_json(client):
    response = client.get("/api/v1/models/%1D%0A")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    "url", ["/api/v1/trending?pipeline_tag=a%00b", "/api/v1/models?author=%00", "/api/v1/stats/license?q=x%00"]
)
def test_nul_characters_are_refused_on_every_route(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "INVALID_PARAMETER"


def test_nul_characters_in_paths_are_404(client):
    assert client.get("/api/v1/models/a%00b").status_code == 404


# --- readiness ------------------------------------------------------------------------------


def test_ready_at_the_head_revision(client):
    response = client.get("/api/v1/ready")
    assert response.status_code == 200
    assert response.json["data"] == {"status": "ready", "database": "ok", "schema_revision": migrate.head_revision()}
    assert response.headers["Cache-Control"] == "no-store"
    assert "X-Cache" not in response.headers


@pytest.mark.parametrize("revision", ["base", "0001"])
def test_not_ready_while_migrations_are_pending_then_ready_after_upgrade(fresh_database_url, revision):
    migrate.downgrade(fresh_database_url, "base")
    if revision != "base":
        migrate.upgrade(fresh_database_url, revision)
    db = Database.from_urls(fresh_database_url)
    client = create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=fresh_database_url), db).test_client()
    try:
        response = client.get("/api/v1/ready")
        assert response.status_code == 503
        error = response.json["error"]
        assert error["code"] == "MIGRATIONS_PENDING"
        assert "catalog db upgrade" in error["message"]
        assert error["details"] == {
            "schema_revision": None if revision == "base" else revision,
            "required_revision": migrate.head_revision(),
        }
        assert response.headers["Cache-Control"] == "no-store"
        migrate.upgrade(fresh_database_url)
        assert client.get("/api/v1/ready").status_code == 200  # no restart needed
    finally:
        db.dispose()


def test_not_ready_when_a_newer_release_migrated_the_database(fresh_database_url):
    from sqlalchemy import text

    db = Database.from_urls(fresh_database_url)
    with db.session() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
        session.commit()
    try:
        response = (
            create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=fresh_database_url), db)
            .test_client()
            .get("/api/v1/ready")
        )
        assert response.status_code == 503
        error = response.json["error"]
        assert error["code"] == "SCHEMA_NEWER_THAN_CODE" and "upgrade" not in error["message"]
        assert error["details"]["schema_revision"] == "9999_from_the_future"
    finally:
        db.dispose()


def test_not_ready_when_the_database_is_unreachable():
    unreachable = Database.from_urls("postgresql://nobody@127.0.0.1:1/none")
    app = create_app(
        Settings(secret_key=TEST_SECRET_KEY, database_url="postgresql://nobody@127.0.0.1:1/none"), unreachable
    )
    response = app.test_client().get("/api/v1/ready")
    assert response.status_code == 503
    assert response.json["error"]["code"] == "DATABASE_UNAVAILABLE"
    assert set(response.json["error"]) == {"code", "message", "details"}


def test_probes_are_not_rate_limited(settings, db):
    client = create_app(settings.model_copy(update={"rate_limit": "1/minute"}), db).test_client()
    statuses = [client.get(path).status_code for path in ["/api/v1/ready", "/api/v1/health"] * 3]
    assert statuses == [200] * 6
    assert client.get("/api/v1/stats").status_code == 200
    assert client.get("/api/v1/stats").status_code == 429


def test_readiness_is_documented(client):
    spec = client.get("/api/v1/openapi.json").json
    ready = spec["paths"]["/api/v1/ready"]["get"]
    assert ready["summary"] and "MIGRATIONS_PENDING" in ready["description"]
    assert {"200", "503"} <= set(ready["responses"]) and "429" not in ready["responses"]
