"""The first 50,000 real Hub models of ../shared in a database of their own, for one test module.

A plugin of tests/conftest.py: the fixtures are session-scoped, so the first module asking for
`real_db` ingests (about 20 s with the lineage and summary views) and every later one reads the
same database, dropped at the end of the run. The tests over it only read.
"""

from __future__ import annotations

import pytest

from data.ingest.files import FileSource
from data.ingest.pipeline import ingest
from tests.conftest import client_over, module_catalog
from tests.search_truth import RawModel, raw_pages
from tests.test_ingest_shared import pages

PAGES = 50


@pytest.fixture(scope="session")
def raw_models() -> dict[str, RawModel]:
    """The same models read straight from the JSON, independently of ingestion."""
    return raw_pages(pages(PAGES))


@pytest.fixture(scope="session")
def real_db(server_url, template_url):
    files = pages(PAGES)
    with module_catalog(server_url, "catalog_real") as db:
        ingest(db, FileSource(files))
        yield db


@pytest.fixture(scope="session")
def real_client(real_db, shared_url):
    return client_over(real_db, shared_url)
