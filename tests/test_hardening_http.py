"""Hardening of the HTTP surface (issue #11), through a real `catalog serve` where the real
server is what matters, and through Flask's test client otherwise."""

from __future__ import annotations

import csv
import io

import pytest
import requests

from data.db import Database
from tests.factories import add_models
from tests.served import catalog_database, serve

HOSTILE_CELLS = ["=HYPERLINK(\"http://evil.example\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.fixture(scope="module")
def served(server_url, template_url):
    with catalog_database(server_url) as url:
        db = Database.from_urls(url)
        add_models(db, *(f"org/model-{n}" for n in range(150)), license="mit")
        for number, cell in enumerate(HOSTILE_CELLS):
            add_models(db, f"hostile/cell-{number}", license=cell, pipeline_tag=cell, trending_score=-1.5)
        db.dispose()
        with serve(url) as running:
            yield running


# --- CSV ---------------------------------------------------------------------------------------


def csv_rows(served, **params) -> list[dict]:
    response = requests.get(served.url + "/api/v1/models", params={"format": "csv", **params}, timeout=20)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_csv_export_streams_every_row_under_gunicorn(served):
    rows = csv_rows(served, license="mit")
    assert len(rows) == 150  # more than one streamed chunk (100 rows each)
    assert rows[0]["id"] == "org/model-0" and rows[0]["downloads"] == "150000"


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted_and_numbers_stay_numbers(served):
    rows = {row["id"]: row for row in csv_rows(served, author="hostile")}
    assert len(rows) == len(HOSTILE_CELLS)
    for number, cell in enumerate(HOSTILE_CELLS):
        row = rows[f"hostile/cell-{number}"]
        assert row["license"] == "'" + cell and row["pipeline_tag"] == "'" + cell
        assert row["trending_score"] == "-1.5"  # a negative number is a number, not a formula
