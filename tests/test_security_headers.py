"""Security headers on every kind of response, and templates free of the inline code the CSP forbids."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from app.headers import SECURITY_HEADERS
from tests.factories import make_user
from tests.web import log_in

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def _assert_headers(response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, f"{response.request.url}: {name} is {response.headers.get(name)!r}"
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_the_policy_forbids_inline_code_framing_and_plugins():
    policy = dict(part.strip().split(" ", 1) for part in SECURITY_HEADERS["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert SECURITY_HEADERS["X-Content-Type-Options"] == "nosniff"


def test_pages_api_static_files_and_errors_all_carry_the_headers(app, client, session):
    make_user(session, email="rev@example.org")
    responses = [client.get("/login"), client.get("/api/me"), client.get("/static/winnow.css"),
                 client.get("/static/vendor/htmx.min.js"), client.get("/no-such-page"), client.get("/api/no-such"),
                 client.get("/openapi.json"), client.get("/docs")]
    log_in(client, "rev@example.org")
    responses += [client.get("/"), client.get("/api/reviews"), client.get("/reviews/999"),
                  client.get("/reviews/999", headers={"HX-Request": "true"}), client.post("/logout")]  # no CSRF: 403
    assert [r.status_code for r in responses] == [200, 401, 200, 200, 404, 404, 200, 200, 200, 200, 404, 404, 403]
    for response in responses:
        _assert_headers(response)


@pytest.mark.parametrize("path", ["/boom", "/api/boom"])
def test_an_unexpected_server_error_carries_the_headers_and_tells_nothing_of_the_code(app, path):
    def boom():
        raise RuntimeError("secret internals")

    app.add_api_route(path, boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(path)
    assert response.status_code == 500
    assert "secret internals" not in response.text and "went wrong on the server" in response.text
    _assert_headers(response)


INLINE_CODE = {
    # a data block (type="application/json") is not run, so the policy lets it be
    "an inline <script> (give it a src in app/static/)": re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/json\")[^>]*>", re.I),
    "a <style> element (move it to a .css file)": re.compile(r"<style\b", re.I),
    "a style attribute (use a class)": re.compile(r"""\sstyle\s*=""", re.I),
    "an on...= event handler (listen in a .js file)": re.compile(r"""\son[a-z]+\s*=""", re.I),
    "an hx-on attribute (htmx evaluates it as script)": re.compile(r"""\s(data-)?hx-on""", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
    "hx-vars or a js: value (htmx evaluates it)": re.compile(r"""hx-vars|hx-vals\s*=\s*['"]\s*js:""", re.I),
}


def test_no_template_holds_inline_script_or_style():
    found = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(template.read_text().splitlines(), start=1):
            found += [f"{template.relative_to(TEMPLATES)}:{number}: {what}: {line.strip()}"
                      for what, pattern in INLINE_CODE.items() if pattern.search(line)]
    assert not found, "The Content-Security-Policy would block these:\n" + "\n".join(found)


def test_the_inline_code_patterns_do_catch_it():
    samples = ['<script>alert(1)</script>', '<style>p{}</style>', '<p style="color:red">', '<img onerror="x()">',
               '<button hx-on:click="x()">', '<a href="javascript:x()">', """<div hx-vals='js:{a: 1}'>""",
               '<script type="text/javascript">x()</script>']
    for sample in samples:
        assert any(pattern.search(sample) for pattern in INLINE_CODE.values()), sample
    for allowed in ('<script src="/static/x.js" defer></script>', '<script type="application/json" data-chart="x">'):
        assert not any(pattern.search(allowed) for pattern in INLINE_CODE.values()), allowed


def test_htmx_is_told_not_to_inject_its_indicator_style_nor_to_evaluate_script():
    base = (TEMPLATES / "base.html").read_text()
    assert '"includeIndicatorStyles": false' in base and '"allowEval": false' in base


def test_the_api_docs_load_swagger_ui_from_winnow_itself(client):
    response = client.get("/docs")
    assert response.status_code == 200
    references = [urlsplit(found) for found in re.findall(r"""(?:src|href)=["']([^"']+)""", response.text)]
    assert references and all(reference.netloc in ("", "testserver") and reference.path.startswith("/static/")
                              for reference in references), references
    assert "<script>" not in response.text  # its start-up code is a static file too
    for reference in references:
        assert client.get(reference.path).status_code == 200, f"{reference.path}: run `make static`"
    assert client.get("/redoc").status_code == 404  # ReDoc would come from a CDN: not offered
