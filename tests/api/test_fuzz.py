"""Schema-driven fuzzing: no request the OpenAPI schema allows, or not, gets a 5xx."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api.app import create_app
from tests.factories import add_order, add_product

schema = schemathesis.openapi.from_dict(create_app().openapi())


@pytest.fixture
def catalogue(session):
    """A few rows so that generated ids sometimes exist."""
    product = add_product(session, "SYR-5", stock=2, min_stock=10)
    add_product(session, "GLV-M", stock=50, min_stock=20, max_stock=80)
    add_order(session, product, quantity=18)
    add_order(session, product, quantity=3, status="ORDERED")
    session.commit()


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_generated_request_gets_a_server_error(case, client, catalogue):
    case.call_and_validate(base_url=str(client.base_url), checks=[not_a_server_error])
