"""Driving the pages through a test client as a person would: with the page's CSRF token."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.factories import PASSWORD

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: TestClient, page: str = "/login") -> str:
    match = _TOKEN.search(client.get(page).text)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def post_form(client: TestClient, url: str, data: dict, **kwargs):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/profile")}, **kwargs)


def log_in(client: TestClient, email: str, password: str = PASSWORD):
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return response
