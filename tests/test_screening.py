"""Dual, blind screening through the pages and the API; conflicts; the lead's resolution."""

import pytest

from screening.decisions import reasons, stages
from screening.models import Stage
from screening.review.models import Role, utcnow
from screening.records import kept_records
from tests.factories import import_fixture, join, make_review, make_user
from tests.web import csrf_token, log_in

TA = "title_abstract"


@pytest.fixture
def team(session, tmp_path):
    lead = make_user(session, email="lead@example.org", name="Lead")
    ann = make_user(session, email="ann@example.org", name="Ann Screener")
    ben = make_user(session, email="ben@example.org", name="Ben Screener")
    review = make_review(session, lead)
    join(session, review, lead, ann, Role.reviewer)
    join(session, review, lead, ben, Role.reviewer)
    import_fixture(session, review, lead, "import/asreview_cohen_adhd_sample.csv", uploads_dir=tmp_path)
    return review, [record.id for record in kept_records(session, review.id)]


def _api(client, email):
    log_in(client, email)
    return {"X-CSRF-Token": csrf_token(client, "/")}


def test_two_reviewers_screen_blind_and_conflicts_appear_exactly_where_they_differ(client, other_client, team):
    review, records = team
    ann, ben = _api(client, "ann@example.org"), _api(other_client, "ben@example.org")
    base = f"/api/reviews/{review.id}"
    assert client.get(f"{base}/screen/{TA}/next").json()["id"] == records[0]
    ann_verdicts = ["include", "exclude", "maybe", "exclude"]
    ben_verdicts = ["include", "include", "exclude", "exclude"]
    for record_id, verdict in zip(records, ann_verdicts):
        answer = client.post(f"{base}/screen/{TA}/{record_id}", json={"verdict": verdict, "note": "Ann's note"}, headers=ann)
        assert answer.status_code == 200
    # blind: Ben sees neither Ann's verdict nor her note, in the page or the API
    page = other_client.get(f"/reviews/{review.id}/screen/{TA}").text
    assert "Ann&#39;s note" not in page and "Ann's note" not in page and "A colleague" not in page
    assert "Ann" not in other_client.get(f"{base}/screen/{TA}/next").text
    for record_id, verdict in zip(records, ben_verdicts):
        other_client.post(f"{base}/screen/{TA}/{record_id}", json={"verdict": verdict}, headers=ben)
    conflicts = client.get(f"{base}/conflicts/{TA}").json()
    assert [conflict["record_id"] for conflict in conflicts] == records[1:3]
    # once a conflict exists, each sees the other's verdict
    revisit = other_client.get(f"/reviews/{review.id}/screen/{TA}?record={records[1]}").text
    assert "A colleague: <strong>exclude</strong>" in revisit
    statistics = client.get(f"{base}/statistics").json()[0]
    # 2 of 4 agree on moving on; Ann moves 2/4 on, Ben 2/4: p_e = 0.5, kappa = 0
    assert statistics["agreement"] == {"n": 4, "percent_agreement": 0.5, "kappa": 0.0}


def test_the_lead_resolves_a_conflict_on_the_page_and_it_leaves(client, other_client, session, team):
    review, records = team
    for email, verdict in (("ann@example.org", "include"), ("ben@example.org", "exclude")):
        headers = _api(other_client, email)
        other_client.post(f"/api/reviews/{review.id}/screen/{TA}/{records[0]}", json={"verdict": verdict}, headers=headers)
    log_in(client, "lead@example.org")
    page = client.get(f"/reviews/{review.id}/conflicts/{TA}").text
    assert "Ann Screener" in page and "Ben Screener" in page and f"Record {records[0]}" in page
    token = csrf_token(client, "/")
    resolved = client.post(f"/reviews/{review.id}/conflicts/{TA}/{records[0]}", data={"verdict": "include", "csrf_token": token},
                           headers={"HX-Request": "true"})
    assert resolved.status_code == 200 and "No conflicts at this stage" in resolved.text
    assert list(session.exec(stages.records_at_stage(session, review, Stage.full_text))) == [records[0]]


def test_screening_page_decides_with_htmx_and_shows_the_next_record(client, team):
    review, records = team
    log_in(client, "ann@example.org")
    token = csrf_token(client, "/")
    page = client.get(f"/reviews/{review.id}/screen/{TA}").text
    assert f"Record {records[0]}" in page and 'data-key="i"' in page
    first = client.post(f"/reviews/{review.id}/screen/{TA}/{records[0]}", data={"verdict": "include", "csrf_token": token},
                        headers={"HX-Request": "true"})
    assert first.text.lstrip().startswith('<div id="screen"') and f"Record {records[1]}" in first.text
    again = client.post(f"/reviews/{review.id}/screen/{TA}/{records[0]}", data={"verdict": "include", "csrf_token": token},
                        headers={"HX-Request": "true"})
    assert again.status_code == 200  # a double submit is harmless
    assert client.get(f"/api/reviews/{review.id}/statistics").json()[0]["progress"]["decided_by_me"] == 1


def test_a_full_text_exclusion_without_a_reason_is_refused_with_a_clear_message(client, other_client, session, team):
    review, records = team
    for email in ("ann@example.org", "ben@example.org"):
        headers = _api(other_client, email)
        other_client.post(f"/api/reviews/{review.id}/screen/{TA}/{records[0]}", json={"verdict": "include"}, headers=headers)
    log_in(client, "ann@example.org")
    token = csrf_token(client, "/")
    refused = client.post(f"/reviews/{review.id}/screen/full_text/{records[0]}", data={"verdict": "exclude", "csrf_token": token},
                          headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "Excluding at full text needs a reason" in refused.text
    api = client.post(f"/api/reviews/{review.id}/screen/full_text/{records[0]}", json={"verdict": "exclude"},
                      headers={"X-CSRF-Token": token})
    assert api.status_code == 422 and api.json()["detail"][0]["loc"] == ["body", "reason_id"]
    reason = reasons.exclusion_reasons(session, review.id)[2]
    accepted = client.post(f"/api/reviews/{review.id}/screen/full_text/{records[0]}",
                           json={"verdict": "exclude", "reason_id": reason.id}, headers={"X-CSRF-Token": token})
    assert accepted.status_code == 200 and accepted.json()["decision"]["reason_id"] == reason.id


def test_lead_edits_screening_settings_and_reasons(client, session, team):
    review, _ = team
    log_in(client, "lead@example.org")
    token = csrf_token(client, "/")
    client.post(f"/reviews/{review.id}/settings/screening",
                data={"blind": "on", "pilot_size": "3", "inclusion_terms": "community\nday service", "csrf_token": token})
    client.post(f"/reviews/{review.id}/settings/reasons", data={"label": "Wrong country", "csrf_token": token})
    session.refresh(review)
    assert (review.dual_screening, review.blind, review.inclusion_terms) == (False, True, "community\nday service")
    assert review.pilot_size == 3
    assert "Pilot: the first 3 records, screened by everyone" in client.get(f"/reviews/{review.id}/statistics").text
    negative = client.post(f"/reviews/{review.id}/settings/screening", data={"pilot_size": "-1", "csrf_token": token})
    assert negative.status_code == 422 and "greater than or equal to 0" in negative.text
    assert "Wrong country" in [reason.label for reason in reasons.exclusion_reasons(session, review.id)]
    empty = client.post(f"/reviews/{review.id}/settings/reasons", data={"label": " ", "csrf_token": token})
    assert empty.status_code == 422 and "1 to 120 characters" in empty.text


def test_terms_are_highlighted_in_two_colours():
    from app.templating import highlight

    marked = highlight("Community day services <b> for inpatients", "community\nday service", "inpatient")
    assert '<mark class="term-in">Community</mark> <mark class="term-in">day service</mark>s' in marked
    assert '<mark class="term-out">inpatient</mark>s' in marked and "&lt;b&gt;" in marked


def test_the_record_list_filters_searches_and_keeps_blind_mode(client, other_client, session, team):
    review, records = team
    for email, verdicts in (("ann@example.org", ["include", "maybe", "exclude"]),
                            ("ben@example.org", ["include", "exclude", "exclude"])):
        headers = _api(other_client, email)
        for record_id, verdict in zip(records, verdicts):
            other_client.post(f"/api/reviews/{review.id}/screen/{TA}/{record_id}", json={"verdict": verdict}, headers=headers)
    log_in(client, "ann@example.org")
    base = f"/api/reviews/{review.id}/records"
    mine = client.get(base, params={"show": "mine"}).json()
    assert [item["record_id"] for item in mine] == records[:3]
    agreed = next(item for item in mine if item["record_id"] == records[0])
    assert len(agreed["decisions"]) == 1 and agreed["outcome"] is None  # blind: Ben's verdict stays hidden
    conflict = client.get(base, params={"show": "conflicts"}).json()
    assert [item["record_id"] for item in conflict] == [records[1]] and len(conflict[0]["decisions"]) == 2
    assert [item["record_id"] for item in client.get(base, params={"show": "maybe"}).json()] == [records[1]]
    # "clonidine" is in record 1's title and record 4's abstract only
    assert [item["record_id"] for item in client.get(base, params={"q": "CLONIDINE"}).json()] == [records[0], records[3]]
    assert client.get(base, params={"q": "no such words anywhere"}).json() == []
    page = client.get(f"/reviews/{review.id}/records", params={"show": "conflicts"}).text
    assert "Ben Screener" in page and "hidden while blind" not in page
    assert client.get(base, params={"show": "everything"}).status_code == 422


def test_the_lead_overrides_any_record_from_the_list_and_it_is_logged(client, session, team):
    from sqlmodel import select

    from screening.review.models import AuditEvent

    review, records = team
    log_in(client, "lead@example.org")
    token = csrf_token(client, "/")
    page = client.get(f"/reviews/{review.id}/records").text
    assert f"Include<span class=\"visually-hidden\"> record {records[2]}" in page
    response = client.post(f"/reviews/{review.id}/conflicts/{TA}/{records[2]}",
                           data={"verdict": "exclude", "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("/records?stage=title_abstract")
    outcome = next(s for s in stages.statuses(session, review, Stage.title_abstract) if s.record_id == records[2])
    assert outcome.outcome.value == "excluded" and outcome.resolution.kind.value == "override"
    assert session.exec(select(AuditEvent.action).where(AuditEvent.action == "resolution.override")).one()


def test_title_abstract_decisions_queue_one_training_that_the_worker_runs(client, other_client, session, engine, team):
    from sqlmodel import select

    from app import jobs
    from app.models import Job, JobStatus

    review, records = team
    # blind: the ranking learns from records both screeners have decided, so both decide these
    for each_client, email in [(client, "ann@example.org"), (other_client, "ben@example.org")]:
        headers = _api(each_client, email)
        for record_id, verdict in zip(records, ["include", "exclude", "exclude"]):
            each_client.post(f"/api/reviews/{review.id}/screen/{TA}/{record_id}", json={"verdict": verdict}, headers=headers)
    queued = session.exec(select(Job).where(Job.kind == "train")).all()
    assert len(queued) == 1  # a burst of decisions waits for one training
    assert jobs.run_next_job(engine) is False  # which gathers decisions for a moment first
    queued[0].not_before = utcnow()
    session.add(queued[0])
    session.commit()
    assert jobs.run_next_job(engine) is True
    session.refresh(queued[0])
    assert queued[0].status == JobStatus.succeeded and "Ranked" in queued[0].message
    page = client.get(f"/reviews/{review.id}/screen/{TA}").text
    assert "Relevance" in page


def test_the_lead_runs_the_stopping_check_from_the_statistics_page(client, session, team):
    review, records = team
    log_in(client, "lead@example.org")
    token = csrf_token(client, "/")
    page = client.get(f"/reviews/{review.id}/statistics").text
    assert "Start the check" in page and "Callaghan" in page
    too_many = client.post(f"/reviews/{review.id}/stopping", data={"sample_size": "99", "csrf_token": token})
    assert too_many.status_code == 422 and "Choose a sample of 1 to" in too_many.text
    started = client.post(f"/reviews/{review.id}/stopping", data={"sample_size": "2", "csrf_token": token},
                          follow_redirects=True)
    assert "They come first in every queue" in started.text
    early = client.post(f"/reviews/{review.id}/stopping/1/record", data={"csrf_token": token})
    assert early.status_code == 422 and "still wait for screening" in early.text


def test_the_statistics_page_draws_the_recall_curve_from_the_teams_labels(client, other_client, team):
    import json
    import re

    review, records = team
    for each_client, email in [(client, "ann@example.org"), (other_client, "ben@example.org")]:
        headers = _api(each_client, email)
        for record_id, verdict in zip(records, ["exclude", "include", "exclude"]):
            each_client.post(f"/api/reviews/{review.id}/screen/{TA}/{record_id}", json={"verdict": verdict}, headers=headers)
    page = client.get(f"/reviews/{review.id}/statistics").text
    block = re.search(r'<script type="application/json" data-chart="recall-curve">(.*?)</script>', page).group(1)
    assert json.loads(block)["data"]["values"] == [{"screened": 0, "found": 0}, {"screened": 2, "found": 1},
                                                   {"screened": 3, "found": 1}]
    assert re.search(r'src="[^"]*/static/charts.js"', page)


def test_the_screening_page_leads_to_the_full_text_queue(client, team):
    review, _ = team
    log_in(client, "ann@example.org")
    page = client.get(f"/reviews/{review.id}/screen/{TA}").text
    assert f'href="/reviews/{review.id}/screen/full_text"' in page
    assert client.get(f"/reviews/{review.id}/screen/full_text").status_code == 200
