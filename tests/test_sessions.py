"""Sessions held on the server: log-out ends a session even for a copy of its cookie; a password
change ends the user's other sessions; an administrator resets a password and deactivates an
account (its decisions keep their author); log-in throttling."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import select

from app import accounts
from app.models import LoginFailure, UserSession
from app.services import decide_and_next
from screening.models import Decision, Stage, Verdict
from screening.records import kept_records
from screening.review.access import review_access
from screening.review.models import AuditEvent, Role, User, utcnow
from tests.factories import PASSWORD, import_fixture, join, make_review, make_user
from tests.web import csrf_token, log_in, post_form

NEW_PASSWORD = "a brand new passphrase"


def _copy(app, client: TestClient) -> TestClient:
    """A second browser holding a copy of the first one's session cookie (a stolen cookie)."""
    thief = TestClient(app)
    thief.cookies.set("winnow_session", client.cookies["winnow_session"])
    return thief


def _login_status(client: TestClient, email: str, password: str) -> int:
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       follow_redirects=False).status_code


def test_log_out_ends_the_session_on_the_server_so_a_copied_cookie_stops_working(app, client, session):
    user = make_user(session, email="rev@example.org")
    log_in(client, "rev@example.org")
    thief = _copy(app, client)
    assert thief.get("/api/me").json()["id"] == user.id
    stored = session.exec(select(UserSession).where(UserSession.user_id == user.id)).one()
    assert len(stored.key_hash) == 64 and stored.key_hash not in client.cookies["winnow_session"]
    post_form(client, "/logout", {})
    assert client.get("/api/me").status_code == 401
    assert thief.get("/api/me").status_code == 401  # the cookie is still signed, but its session is over
    assert thief.get("/", follow_redirects=False).headers["location"].startswith("/login")
    assert accounts.live_session_count(session, user.id) == 0


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, client, other_client, session):
    user = make_user(session, email="rev@example.org")
    log_in(client, "rev@example.org")
    log_in(other_client, "rev@example.org")  # the laptop left at the library
    wrong = post_form(client, "/profile/password", {"current_password": "not it", "password": NEW_PASSWORD})
    assert wrong.status_code == 422 and "current password is not right" in wrong.text
    short = post_form(client, "/profile/password", {"current_password": PASSWORD, "password": "short"})
    assert short.status_code == 422 and "10 to 200 characters" in short.text
    assert other_client.get("/api/me").status_code == 200  # nothing changed yet
    done = post_form(client, "/profile/password", {"current_password": PASSWORD, "password": NEW_PASSWORD},
                     follow_redirects=True)
    assert "every other session of yours has ended" in done.text
    assert client.get("/api/me").json()["id"] == user.id
    assert other_client.get("/api/me").status_code == 401
    assert _login_status(TestClient(app), "rev@example.org", PASSWORD) == 401
    assert _login_status(TestClient(app), "rev@example.org", NEW_PASSWORD) == 303


def test_an_admin_resets_a_password_ending_every_session_of_that_person(app, client, other_client, session):
    make_user(session, email="admin@example.org", is_admin=True)
    person = make_user(session, email="rev@example.org", name="Rev")
    log_in(other_client, "rev@example.org")
    log_in(client, "admin@example.org")
    refused = post_form(client, f"/admin/users/{person.id}/password", {"password": "short"})
    assert refused.status_code == 422 and "10 to 200 characters" in refused.text
    done = post_form(client, f"/admin/users/{person.id}/password", {"password": NEW_PASSWORD}, follow_redirects=True)
    assert "New password set for Rev" in done.text
    assert other_client.get("/api/me").status_code == 401
    assert _login_status(other_client, "rev@example.org", NEW_PASSWORD) == 303
    # not for anyone else to do
    assert post_form(other_client, f"/admin/users/{person.id}/password", {"password": NEW_PASSWORD}).status_code == 403
    assert post_form(client, "/admin/users/999/password", {"password": NEW_PASSWORD}).status_code == 404


def test_a_deactivated_account_cannot_log_in_nor_use_its_tokens_and_its_decisions_stay(
        app, client, other_client, session, tmp_path):
    admin = make_user(session, email="admin@example.org", is_admin=True)
    person = make_user(session, email="rev@example.org", name="Rev Iewer")
    review = make_review(session, admin)
    join(session, review, admin, person, Role.reviewer)
    import_fixture(session, review, admin, "import/asreview_cohen_adhd_sample.csv", uploads_dir=tmp_path)
    record = kept_records(session, review.id)[0]
    decide_and_next(session, review_access(session, review.id, person.id), record.id, Stage.title_abstract,
                    Verdict.include)
    secret = accounts.create_api_token(session, person.id, "script").secret
    log_in(other_client, "rev@example.org")
    assert other_client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200

    log_in(client, "admin@example.org")
    page = post_form(client, f"/admin/users/{person.id}/active", {"active": "false"}, follow_redirects=True)
    assert "Rev Iewer is deactivated" in page.text and "Reactivate" in page.text
    assert other_client.get("/api/me").status_code == 401
    assert TestClient(app).get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert _login_status(TestClient(app), "rev@example.org", PASSWORD) == 401  # the one message for every failure
    session.expire_all()
    decision = session.exec(select(Decision).where(Decision.record_id == record.id)).one()
    assert decision.reviewer_id == person.id and session.get(User, person.id).name == "Rev Iewer"
    members = client.get(f"/api/reviews/{review.id}/members").json()
    assert "Rev Iewer" in {member["name"] for member in members}
    # an administrator cannot lock themself out; reactivating lets the person back in
    me = post_form(client, f"/admin/users/{admin.id}/active", {"active": "false"})
    assert me.status_code == 422 and "cannot deactivate your own account" in me.text
    post_form(client, f"/admin/users/{person.id}/active", {"active": "true"})
    assert _login_status(TestClient(app), "rev@example.org", PASSWORD) == 303


def test_the_api_resets_passwords_and_deactivates_for_administrators_only(app, session):
    admin = make_user(session, email="admin@example.org", is_admin=True)
    person = make_user(session, email="rev@example.org")
    admin_token = {"Authorization": f"Bearer {accounts.create_api_token(session, admin.id, 'ops').secret}"}
    person_token = {"Authorization": f"Bearer {accounts.create_api_token(session, person.id, 'own').secret}"}
    api = TestClient(app)
    assert api.put(f"/api/users/{admin.id}/active", json={"active": False}, headers=person_token).status_code == 403
    reset = api.post(f"/api/users/{person.id}/password", json={"password": "x"}, headers=admin_token)
    assert reset.status_code == 422 and reset.json()["detail"][0]["loc"] == ["body", "password"]
    assert api.post(f"/api/users/{person.id}/password", json={"password": NEW_PASSWORD},
                    headers=admin_token).json()["is_active"] is True
    off = api.put(f"/api/users/{person.id}/active", json={"active": False}, headers=admin_token)
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert api.get("/api/me", headers=person_token).status_code == 401
    assert api.put(f"/api/users/{admin.id}/active", json={"active": False}, headers=admin_token).status_code == 422
    actions = [(event.actor_id, event.action) for event in session.exec(select(AuditEvent)).all()]
    assert {(admin.id, "user.password_reset"), (admin.id, "user.deactivate")} <= set(actions)


def test_log_in_throttling_counts_recent_failures_from_one_address_only(client, session, settings):
    make_user(session, email="rev@example.org")
    for _ in range(settings.login_max_failures - 1):
        assert _login_status(client, "rev@example.org", "guess") == 401
    assert _login_status(client, "rev@example.org", PASSWORD) == 303  # one below the limit: still let in
    post_form(client, "/logout", {})
    assert _login_status(client, "rev@example.org", "guess") == 401
    assert _login_status(client, "rev@example.org", PASSWORD) == 429  # the limit reached: even the right one waits
    assert _login_status(client, "nobody@example.org", PASSWORD) == 429  # whichever account is tried
    # failures older than the lock-out window no longer count
    for failure in session.exec(select(LoginFailure)).all():
        failure.at = utcnow() - timedelta(minutes=settings.login_lockout_minutes + 1)
        session.add(failure)
    session.commit()
    assert _login_status(client, "rev@example.org", PASSWORD) == 303
