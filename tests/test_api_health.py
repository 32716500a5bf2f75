import pytest

from app.factory import create_app
from app.settings import Settings
from data.db import Database


def test_health_reports_ok(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json["data"]["status"] == "ok"
    assert response.json["data"]["database"] == "ok"
    assert "meta" in response.json


def test_health_is_503_when_the_database_is_unreachable():
    unreachable = Database.from_urls("postgresql://nobody@127.0.0.1:1/none")
    app = create_app(Settings(database_url="postgresql://nobody@127.0.0.1:1/none"), unreachable)
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


@pytest.mark.parametrize("url", ["/api/v1/trending?pipeline_tag=a%00b", "/api/v1/models?author=%00",
                                 "/api/v1/stats/license?q=x%00"])
def test_nul_characters_are_refused_on_every_route(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "INVALID_PARAMETER"


def test_nul_characters_in_paths_are_404(client):
    assert client.get("/api/v1/models/a%00b").status_code == 404
