"""The first 50,000 real Hub models of ../shared in a database of their own, for one test module.

A plugin of tests/conftest.py: the fixtures are module-scoped, so each module asking for `real_db`
ingests once (about 10 s) and drops the database at its end.
"""

from __future__ import annotations

import pytest

from data.ingest.files import FileSource
from data.ingest.pipeline import ingest
from tests.conftest import client_over, module_catalog
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
    with module_catalog(server_url, "catalog_real") as db:
        ingest(db, FileSource(files))
        yield db


@pytest.fixture(scope="module")
def real_client(real_db, shared_url):
    return client_over(real_db, shared_url)
