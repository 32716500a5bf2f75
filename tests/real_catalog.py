"""The first 50,000 real Hub models of ../shared in a database of their own, for one test module.

Import the fixtures into a module (`from tests.real_catalog import real_db, real_client, raw_models`);
each importing module ingests once (about 10 s) and drops the database at its end.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from data.db import Database
from data.ingest.files import FileSource
from data.ingest.pipeline import ingest
from tests.conftest import TEMPLATE_DB, _admin, _database_url
from tests.search_truth import RawModel, raw_pages
from tests.test_ingest_shared import pages

PAGES = 50


@pytest.fixture(scope="module")
def raw_models() -> dict[str, RawModel]:
    """The same models read straight from the JSON, independently of ingestion."""
    return raw_pages(pages(PAGES))


@pytest.fixture(scope="module")
def real_db(server_url, template_url):
    files = pages(PAGES)
    name = f"catalog_real_{uuid.uuid4().hex[:8]}"
    admin = _admin(server_url)
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}"))
    db = Database.from_urls(_database_url(server_url, name))
    ingest(db, FileSource(files))
    yield db
    db.dispose()
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(scope="module")
def real_client(real_db, shared_url):
    from app.factory import create_app
    from app.settings import Settings

    return create_app(Settings(database_url=shared_url, rate_limit="off"), database=real_db).test_client()
