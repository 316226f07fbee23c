"""Everything the pages do, the API does: for each page route that changes something, an API
route must call the same domain or service function. Read from the handlers' code, so a new
page action without its API twin fails here."""

import ast
import inspect
import textwrap
import types

from fastapi.routing import APIRoute

from app.main import ROUTERS

CHANGES = {"POST", "PUT", "PATCH", "DELETE"}
DOMAIN = ("screening", "extraction", "app.services", "app.accounts")
# Page actions with no API twin, and why.
PAGE_ONLY = {
    "/login": "scripts authenticate with a personal token, not a log-in",
    "/logout": "likewise: a token is revoked, not logged out",
    "/setup": "creates the first administrator of a fresh install, once, in the browser",
    "/profile/tokens": "a token is made by a person logged in; a leaked token must not mint more",
    "/profile/tokens/{token_id}/revoke": "likewise, from the profile page",
    "/profile/password": "needs the current password, from a person: a leaked token must not take the account over",
}


def _domain_calls(endpoint) -> set[str]:
    """The domain functions a route handler calls directly, as module.function."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(endpoint)))
    scope = endpoint.__globals__
    called = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        target = None
        if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            owner = scope.get(node.func.value.id)
            target = getattr(owner, node.func.attr, None) if isinstance(owner, types.ModuleType) else None
        elif isinstance(node.func, ast.Name):
            target = scope.get(node.func.id)
        if callable(target) and getattr(target, "__module__", "").startswith(DOMAIN):
            called.add(f"{target.__module__}.{target.__name__}")
    return called


def _changing_routes(api: bool) -> list[APIRoute]:
    return [route for router in ROUTERS for route in router.routes
            if isinstance(route, APIRoute) and route.methods & CHANGES and route.path.startswith("/api/") is api]


def test_every_page_action_has_an_api_route_calling_the_same_function():
    api_calls = set().union(*(_domain_calls(route.endpoint) for route in _changing_routes(api=True)))
    missing = {}
    for route in _changing_routes(api=False):
        if route.path in PAGE_ONLY:
            continue
        calls = _domain_calls(route.endpoint)
        assert calls, f"{route.path} calls no domain function: routes must call one"
        if not calls & api_calls:
            missing[route.path] = sorted(calls)
    assert missing == {}, f"page actions with no API route doing the same: {missing}"


def test_the_exceptions_are_real_page_routes():
    paths = {route.path for route in _changing_routes(api=False)}
    assert set(PAGE_ONLY) <= paths
