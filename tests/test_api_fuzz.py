"""schemathesis over the app's own OpenAPI document: no 5xx, no answer outside the schema."""

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from app.factory import create_app
from app.settings import Settings
from data.ingest.pipeline import ingest
from tests.family import family_records
from tests.stack import TEST_SECRET_KEY

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def api_schema(shared_url, db):
    ingest(db, family_records())
    app = create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=shared_url, rate_limit="off"), database=db)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def operations(schema):
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 8, "every API route should be in openapi.json"
    return found


def test_no_input_breaks_the_api(api_schema):
    for operation in operations(api_schema):

        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(
                headers={"Accept-Encoding": "identity"},  # the WSGI client does not decompress
                # A schema cannot say "a cursor this API gave out": a made-up one is rightly a 400.
                excluded_checks=[checks.positive_data_acceptance],
            )

        check()
