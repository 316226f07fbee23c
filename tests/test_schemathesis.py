"""Schemathesis generates requests from /openapi.json, valid and not, for every API operation,
as an administrator leading a review with records: none may answer with a server error (5xx).
A bad request gets a 4xx with a message, never a crash.

Driven by hand through Hypothesis, operation by operation, so one run names every operation that
failed (and the request that did it) rather than stopping at the first."""

import schemathesis
from hypothesis import HealthCheck, given, settings

EXAMPLES = 25  # per operation


def test_no_request_the_schema_allows_or_not_gets_a_server_error(openapi_schema, api_token):
    headers = {"Authorization": f"Bearer {api_token}"}
    failures, operations = {}, 0
    for result in openapi_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case):
            try:
                response = case.call(headers=headers)
            except Exception as error:  # the test client re-raises what the app did not handle: a 500
                failures.setdefault(operation.label, f"{error!r} for {case.as_curl_command()}")
                return
            if response.status_code >= 500:
                failures.setdefault(operation.label,
                                    f"{response.status_code} for {case.as_curl_command()}: {response.text[:300]}")

        call()
    assert operations > 50
    assert failures == {}, "\n".join(f"{label}: {failure}" for label, failure in failures.items())


def test_the_schema_loads_as_schemathesis_reads_it(openapi_schema):
    assert isinstance(openapi_schema, schemathesis.schemas.BaseSchema)


# What the run above found, each pinned down.

def test_a_field_validators_refusal_is_a_422_naming_the_field(client, api_token):
    response = client.post("/api/users", json={"email": "000", "name": "0", "password": "long enough pass"},
                           headers={"Authorization": f"Bearer {api_token}"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "email"]
    assert "email address" in response.json()["detail"][0]["msg"]


def test_an_id_beyond_the_databases_range_names_nothing(client, api_token):
    headers = {"Authorization": f"Bearer {api_token}"}
    response = client.get(f"/api/reviews/{2**70}/statistics", headers=headers)
    assert response.status_code == 404 and "ids go up to 2147483647" in response.json()["detail"]
    assert client.get(f"/api/reviews/1/extraction/forms/{2**40}/versions", headers=headers).status_code == 404


def test_a_number_in_a_body_beyond_its_columns_range_is_a_422(client, api_token):
    response = client.post("/api/reviews/1/screen/title_abstract/1", json={"verdict": "exclude", "reason_id": 2**40},
                           headers={"Authorization": f"Bearer {api_token}"})
    assert response.status_code == 422, response.text
