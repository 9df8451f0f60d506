"""Property-based bad input: schemathesis drives every endpoint of /openapi.json (1.1.0) and of
/api/v2.0.0/openapi.json (2.0.0).

Whatever the generated body, query and token, the server must never answer 5xx, and every
answer must match the documented success or failure shape. (schemathesis' own pytest plugin
does not run on this pytest, so the cases are drawn through hypothesis directly.)
"""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.support.helpers import Api, Sim
from yspbx.testing import ServerProcess

pytestmark = pytest.mark.slow

CASES_PER_ENDPOINT = 40


@pytest.mark.parametrize("document", ["/openapi.json", "/api/v2.0.0/openapi.json"])
def test_no_endpoint_answers_5xx(server: ServerProcess, sim: Sim, document: str) -> None:
    # Generated logins fail and lock 127.0.0.1 out; real tokens come from another address.
    api = Api(server.url, "127.0.0.9")
    schema = schemathesis.openapi.from_url(server.url + document)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    assert len(operations) >= 4
    # One login per endpoint: a login per case would pass api.max_sessions_per_ip.
    tokens: list[str] = []
    for operation in operations:
        tokens.append(api.token())

        @hypothesis.settings(
            max_examples=CASES_PER_ENDPOINT,
            deadline=None,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        @hypothesis.given(case=operation.as_strategy())
        def exercise(case: Case[Any]) -> None:
            # Half the cases carry a real token, so the endpoints' own rules run too.
            carries_token = case.query is not None and "token" in case.query
            if carries_token and "logout" not in case.path and hash(repr(case.body)) % 2:
                assert case.query is not None
                case.query["token"] = tokens[-1]
            case.call_and_validate(
                base_url=server.url, checks=[not_a_server_error, response_schema_conformance]
            )

        exercise()
    # Every generated case really reached the server.
    assert len(sim.get("/journal")) >= len(operations) * CASES_PER_ENDPOINT // 2
