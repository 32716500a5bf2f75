"""schemathesis over the app's own OpenAPI document (no 5xx, no answer outside the schema) and
over its GraphQL schema (no 5xx, every error with one of the API's codes)."""

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from app.api.errors import ERRORS
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


@pytest.fixture
def graphql_schema(shared_url, db):
    ingest(db, family_records())
    app = create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=shared_url, rate_limit="off"), database=db)
    return schemathesis.graphql.from_wsgi("/api/graphql", app)


def test_no_query_breaks_the_graphql_api(graphql_schema):
    """Generated queries of every root field, arguments of every type: never a 5xx, and every
    error in GraphQL's shape with one of the API's codes."""
    found = [result.ok() for result in graphql_schema.get_all_operations()]
    assert len(found) >= 5, "every root field of the schema"
    for operation in found:

        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(headers={"Accept-Encoding": "identity"})
            assert response.status_code < 500, response.text
            for error in response.json().get("errors") or []:
                assert error["extensions"]["code"] in ERRORS, error

        check()
