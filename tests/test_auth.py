"""First-run setup, log-in, log-out, throttling, cookies, CSRF and API tokens."""

import json
from base64 import b64encode

from itsdangerous import TimestampSigner
from sqlmodel import select

from app.models import ApiToken
from screening.review.models import User
from tests.factories import PASSWORD, make_user
from tests.web import csrf_token, log_in, post_form


def test_a_fresh_install_asks_for_the_first_admin_account_and_has_no_default_password(client, session):
    assert client.get("/", follow_redirects=True).url.path == "/setup"
    token = csrf_token(client, "/setup")
    response = client.post(
        "/setup",
        data={"name": "Ada Lead", "email": "Ada@Example.org", "password": "a long passphrase", "csrf_token": token},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Welcome, Ada Lead" in response.text
    admin = session.exec(select(User)).one()
    assert (admin.email, admin.is_admin) == ("ada@example.org", True)
    assert admin.password_hash.startswith("$argon2")
    # setup is closed once an account exists
    assert client.get("/setup", follow_redirects=False).headers["location"] == "/login"
    token = csrf_token(client, "/")
    refused = client.post(
        "/setup", data={"name": "Eve", "email": "eve@example.org", "password": "another passphrase", "csrf_token": token}
    )
    assert refused.status_code == 422
    assert "already has accounts" in refused.text
    assert len(session.exec(select(User)).all()) == 1


def test_setup_form_shows_field_messages_and_stores_nothing(client, session):
    token = csrf_token(client, "/setup")
    response = client.post("/setup", data={"name": "", "email": "not-an-email", "password": "short", "csrf_token": token})
    assert response.status_code == 422
    assert "must be an email address" in response.text
    assert "at least 10 characters" in response.text
    assert 'value="not-an-email"' in response.text
    assert session.exec(select(User)).all() == []


def test_log_in_and_out(client, session):
    user = make_user(session, email="rev@example.org")
    response = log_in(client, "REV@example.org")
    assert response.headers["location"] == "/"
    assert client.get("/api/me").json()["id"] == user.id
    post_form(client, "/logout", {})
    assert client.get("/api/me").status_code == 401


def test_session_cookie_is_signed_httponly_and_samesite_lax(client, session):
    user = make_user(session, email="rev@example.org")
    cookie = log_in(client, "rev@example.org").headers["set-cookie"]
    assert cookie.startswith("winnow_session=")
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert client.get("/api/me").status_code == 200
    # a session claiming the same user but signed with another key is worthless
    forged = TimestampSigner("not-the-server-key").sign(b64encode(json.dumps({"user_id": user.id}).encode()))
    client.cookies.clear()
    client.cookies.set("winnow_session", forged.decode())
    assert client.get("/api/me").status_code == 401


def test_wrong_password_and_unknown_email_get_the_same_message(client, session):
    make_user(session, email="rev@example.org")
    token = csrf_token(client)
    wrong = client.post("/login", data={"email": "rev@example.org", "password": "nope", "csrf_token": token})
    unknown = client.post("/login", data={"email": "who@example.org", "password": "nope", "csrf_token": token})
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong email or password." in wrong.text and "Wrong email or password." in unknown.text
    assert 'value="who@example.org"' in unknown.text


def test_repeated_failures_from_one_address_are_throttled(client, session, settings):
    make_user(session, email="rev@example.org")
    token = csrf_token(client)
    for _ in range(settings.login_max_failures):
        client.post("/login", data={"email": "rev@example.org", "password": "guess", "csrf_token": token})
    # even the right password is refused while throttled
    blocked = client.post("/login", data={"email": "rev@example.org", "password": PASSWORD, "csrf_token": token})
    assert blocked.status_code == 429
    assert "Too many failed log-ins" in blocked.text


def test_a_post_without_the_csrf_token_is_refused(client, session):
    make_user(session, email="rev@example.org")
    assert client.post("/login", data={"email": "rev@example.org", "password": PASSWORD}).status_code == 403
    log_in(client, "rev@example.org")
    no_token = client.post("/reviews/new", data={"title": "A review"})
    assert no_token.status_code == 403
    assert "security token" in no_token.text
    wrong_header = client.post("/api/reviews", json={"title": "A review"}, headers={"X-CSRF-Token": "wrong"})
    assert wrong_header.status_code == 403
    right_header = client.post("/api/reviews", json={"title": "A review"}, headers={"X-CSRF-Token": csrf_token(client, "/")})
    assert right_header.status_code == 201


def test_safe_redirect_after_login_stays_on_this_site(client, session):
    make_user(session, email="rev@example.org")
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"email": "rev@example.org", "password": PASSWORD, "csrf_token": token, "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_api_token_created_on_the_profile_works_until_revoked(client, other_client, session):
    make_user(session, email="rev@example.org")
    log_in(client, "rev@example.org")
    page = post_form(client, "/profile/tokens", {"name": "import script"})
    secret = page.text.split('id="new-token">')[1].split("<")[0]
    stored = session.exec(select(ApiToken)).one()
    assert secret.startswith("wn_") and secret not in stored.token_hash
    headers = {"Authorization": f"Bearer {secret}"}
    assert other_client.get("/api/me", headers=headers).json()["email"] == "rev@example.org"
    # a token needs no CSRF token: it is not sent by a browser on its own
    assert other_client.post("/api/reviews", json={"title": "Scripted"}, headers=headers).status_code == 201
    post_form(client, f"/profile/tokens/{stored.id}/revoke", {})
    assert other_client.get("/api/me", headers=headers).status_code == 401


def test_admin_creates_accounts_and_others_may_not(client, other_client, session):
    make_user(session, email="admin@example.org", is_admin=True)
    make_user(session, email="rev@example.org")
    log_in(client, "admin@example.org")
    created = post_form(client, "/admin/users", {"name": "Colleague", "email": "col@example.org", "password": "a long passphrase"})
    assert created.status_code == 200 and "Account created for Colleague" in created.text
    duplicate = post_form(client, "/admin/users", {"name": "Again", "email": "col@example.org", "password": "a long passphrase"})
    assert duplicate.status_code == 422 and "already exists" in duplicate.text
    log_in(other_client, "rev@example.org")
    assert other_client.get("/admin/users").status_code == 403
    assert post_form(other_client, "/admin/users", {"name": "X", "email": "x@example.org", "password": "a long passphrase"}).status_code == 403
    assert other_client.post("/api/users", json={"name": "X", "email": "x@example.org", "password": "a long passphrase"},
                             headers={"X-CSRF-Token": csrf_token(other_client, "/")}).status_code == 403
    assert session.exec(select(User).where(User.email == "x@example.org")).first() is None
