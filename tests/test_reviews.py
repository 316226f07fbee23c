"""Reviews and membership: the domain functions, the pages and the API."""

import pytest
from sqlmodel import select

from screening.review import members, reviews
from screening.review.access import review_access, reviews_for_user
from screening.review.errors import InvalidInput, NotFound, PermissionDenied
from screening.review.models import AuditEvent, Membership, ReviewUpdate, Role
from tests.factories import join, make_review, make_user
from tests.web import csrf_token, log_in, post_form


def test_the_creator_is_the_first_lead_and_the_creation_is_logged(session):
    lead = make_user(session)
    review = make_review(session, lead, title="Community services", review_type="scoping")
    access = review_access(session, review.id, lead.id)
    assert access.role == Role.lead
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "review.create")).one()
    assert (event.actor_id, event.review_id, event.detail["title"]) == (lead.id, review.id, "Community services")


def test_a_user_sees_only_the_reviews_they_belong_to(session):
    ada, bob = make_user(session), make_user(session)
    mine = make_review(session, ada)
    make_review(session, bob)
    assert [access.review.id for access in reviews_for_user(session, ada.id)] == [mine.id]
    with pytest.raises(NotFound):
        review_access(session, mine.id, bob.id)


def test_membership_roles_and_the_last_lead(session):
    lead, colleague = make_user(session), make_user(session)
    review = make_review(session, lead)
    access = review_access(session, review.id, lead.id)
    members.add_member(session, access, colleague.email.upper(), Role.viewer)
    viewer_access = review_access(session, review.id, colleague.id)
    with pytest.raises(PermissionDenied, match="needs the lead role"):
        members.add_member(session, viewer_access, lead.email, Role.viewer)
    with pytest.raises(InvalidInput, match="only lead"):
        members.add_member(session, access, lead.email, Role.reviewer)
    with pytest.raises(InvalidInput, match="No active account"):
        members.add_member(session, access, "nobody@example.org", Role.reviewer)
    members.add_member(session, access, colleague.email, Role.lead)
    members.remove_member(session, access, lead.id)  # allowed now: another lead remains
    assert [row.user.id for row in members.list_members(session, review.id)] == [colleague.id]
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.review_id == review.id).order_by(AuditEvent.id)).all()
    assert actions == ["review.create", "member.add", "member.role", "member.remove"]


def test_update_review_logs_the_changed_fields_only(session):
    lead = make_user(session)
    review = make_review(session, lead, title="Old")
    access = review_access(session, review.id, lead.id)
    reviews.update_review(session, access, ReviewUpdate(title="New", question="", eligibility_criteria="Adults"))
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "review.update")).one()
    assert event.detail["fields"] == ["eligibility_criteria", "title"]


def test_a_review_created_on_the_page_appears_on_the_dashboard(client, session):
    make_user(session, email="lead@example.org")
    log_in(client, "lead@example.org")
    response = post_form(client, "/reviews/new", {
        "title": "Community services for complex emotional needs", "question": "What services exist?",
        "review_type": "scoping", "eligibility_criteria": "Adults with a personality disorder diagnosis",
    }, follow_redirects=True)
    assert response.status_code == 200
    assert "You are its lead" in response.text and "Scoping review" in response.text
    dashboard = client.get("/").text
    assert "Community services for complex emotional needs" in dashboard and "lead" in dashboard


def test_an_invalid_review_form_is_shown_again_with_messages_and_nothing_stored(client, session):
    make_user(session, email="lead@example.org")
    log_in(client, "lead@example.org")
    response = post_form(client, "/reviews/new", {"title": "", "question": "Kept", "review_type": "narrative"})
    assert response.status_code == 422
    assert "at least 1 character" in response.text
    assert "Input should be &#39;systematic&#39; or &#39;scoping&#39;" in response.text
    assert "Kept</textarea>" in response.text
    assert reviews_for_user(session, 1) == []


def test_api_validation_gives_field_messages_and_stores_nothing(client, session):
    make_user(session, email="lead@example.org")
    log_in(client, "lead@example.org")
    headers = {"X-CSRF-Token": csrf_token(client, "/")}
    response = client.post("/api/reviews", json={"title": "x" * 301, "review_type": "systematic"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "title"]
    assert client.get("/api/reviews").json() == []


def test_lead_adds_and_removes_members_through_the_htmx_partial(client, session):
    lead = make_user(session, email="lead@example.org")
    make_user(session, email="col@example.org", name="Colleague Name")
    review = make_review(session, lead)
    log_in(client, "lead@example.org")
    token = csrf_token(client, "/")
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    added = client.post(f"/reviews/{review.id}/members", data={"email": "col@example.org", "role": "reviewer"}, headers=headers)
    assert added.status_code == 200
    assert added.text.lstrip().startswith('<section id="members"')  # the partial, not the whole page
    assert "Colleague Name" in added.text
    unknown = client.post(f"/reviews/{review.id}/members", data={"email": "who@example.org", "role": "reviewer"}, headers=headers)
    assert unknown.status_code == 422 and "No active account" in unknown.text
    colleague_id = session.exec(select(Membership.user_id).where(Membership.role == Role.reviewer)).one()
    removed = client.post(f"/reviews/{review.id}/members/{colleague_id}/remove", headers=headers)
    assert removed.status_code == 200 and "Colleague Name" not in removed.text


def test_members_through_the_api(client, session):
    lead = make_user(session, email="lead@example.org")
    col = make_user(session, email="col@example.org")
    review = make_review(session, lead)
    log_in(client, "lead@example.org")
    headers = {"X-CSRF-Token": csrf_token(client, "/")}
    members = client.put(f"/api/reviews/{review.id}/members", json={"email": "col@example.org", "role": "viewer"}, headers=headers)
    assert {(m["email"], m["role"]) for m in members.json()} == {("lead@example.org", "lead"), ("col@example.org", "viewer")}
    last_lead = client.delete(f"/api/reviews/{review.id}/members/{lead.id}", headers=headers)
    assert last_lead.status_code == 422 and "only lead" in last_lead.json()["detail"][0]["msg"]
    assert client.delete(f"/api/reviews/{review.id}/members/{col.id}", headers=headers).status_code == 204


def test_a_viewer_sees_the_review_but_no_lead_controls(client, session):
    lead, viewer = make_user(session), make_user(session, email="viewer@example.org")
    review = make_review(session, lead)
    join(session, review, lead, viewer, Role.viewer)
    log_in(client, "viewer@example.org")
    page = client.get(f"/reviews/{review.id}/members").text
    assert "Add a member" not in page and "Remove" not in page and "/settings" not in page
