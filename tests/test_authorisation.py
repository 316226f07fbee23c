"""The authorisation matrix: every review-scoped route, for anonymous, non-member,
viewer, reviewer and lead, HTML and JSON alike.

ROUTES must list every route whose path holds ``{review_id}``: a new route
without a row here fails ``test_the_matrix_covers_every_review_route``."""

import pytest
from fastapi.routing import APIRoute

from app.main import ROUTERS
from screening.models import Role
from tests.factories import make_review, make_user, join
from tests.web import csrf_token, log_in

# (method, path, needed role, request body); {other} is the id of a member who is neither the lead nor the caller.
ROUTES = [
    ("GET", "/reviews/{review_id}", Role.viewer, None),
    ("GET", "/reviews/{review_id}/members", Role.viewer, None),
    ("GET", "/reviews/{review_id}/settings", Role.lead, None),
    ("POST", "/reviews/{review_id}/settings", Role.lead, {"title": "Renamed", "review_type": "scoping"}),
    ("POST", "/reviews/{review_id}/members", Role.lead, {"email": "extra@example.org", "role": "viewer"}),
    ("POST", "/reviews/{review_id}/members/{other}/remove", Role.lead, {}),
    ("GET", "/reviews/{review_id}/jobs/{job_id}", Role.viewer, None),
    ("GET", "/api/reviews/{review_id}", Role.viewer, None),
    ("PUT", "/api/reviews/{review_id}", Role.lead, {"title": "Renamed"}),
    ("GET", "/api/reviews/{review_id}/members", Role.viewer, None),
    ("PUT", "/api/reviews/{review_id}/members", Role.lead, {"email": "extra@example.org", "role": "viewer"}),
    ("DELETE", "/api/reviews/{review_id}/members/{other}", Role.lead, None),
    ("GET", "/api/reviews/{review_id}/jobs/{job_id}", Role.viewer, None),
]
CALLERS = ["anonymous", "non-member", "viewer", "reviewer", "lead"]


def test_the_matrix_covers_every_review_route():
    routes = {
        (method, route.path.replace("{user_id}", "{other}"))
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and "{review_id}" in route.path
        for method in route.methods
    }
    assert routes == {(method, path) for method, path, _, _ in ROUTES}


@pytest.fixture
def world(session, engine):
    from app.jobs import enqueue

    lead = make_user(session, name="Lead")
    people = {"lead": lead, "non-member": make_user(session, name="Stranger")}
    review = make_review(session, lead)
    for role in (Role.viewer, Role.reviewer):
        people[role.value] = make_user(session, name=role.value.title())
        join(session, review, lead, people[role.value], role)
    other = make_user(session, name="Other")
    join(session, review, lead, other, Role.reviewer)
    make_user(session, email="extra@example.org")
    job = enqueue(session, "noop", review_id=review.id, kinds={"noop": lambda session, report, review_id: None})
    return {"people": people, "review": review, "other": other, "job": job}


def _expected_status(caller: str, needed: Role, path: str, method: str) -> int:
    is_api = path.startswith("/api/")
    if caller == "anonymous":
        return 401 if is_api else 303
    if caller == "non-member":
        return 404
    if not Role(caller).allows(needed):
        return 403
    return {"POST": 200, "DELETE": 204}.get(method, 200) if method != "POST" or "settings" not in path else 303


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("method", "template", "needed", "body"), ROUTES, ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
def test_each_caller_gets_the_status_they_should(client, world, caller, method, template, needed, body):
    if caller != "anonymous":
        log_in(client, world["people"][caller].email)
    token = csrf_token(client, "/login")
    path = template.format(review_id=world["review"].id, other=world["other"].id, job_id=world["job"].id)
    headers = {"X-CSRF-Token": token}
    if method == "GET":
        response = client.get(path, follow_redirects=False)
    elif path.startswith("/api/"):
        response = client.request(method, path, json=body, headers=headers, follow_redirects=False)
    else:
        response = client.request(method, path, data={**(body or {}), "csrf_token": token}, follow_redirects=False)
    expected = _expected_status(caller, needed, template, method)
    assert response.status_code == expected, response.text[:500]
    if expected == 404:
        # a non-member learns nothing about the review, not even its title
        assert world["review"].title not in response.text
