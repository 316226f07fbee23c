"""Records removed before screening with a reason, and the import batch's identification route."""

import pytest
from sqlmodel import select

from app.services import decide_and_next
from screening import importing
from screening.decisions import removing
from screening.decisions.stages import kept_in_review
from screening.models import IdentificationRoute, Stage, Verdict
from screening.records import kept_records, record_counts
from screening.review.access import review_access
from screening.review.errors import InvalidInput, PermissionDenied
from screening.review.models import AuditEvent, Role
from tests.factories import import_fixture, join, make_review, make_user


@pytest.fixture
def review_world(session, tmp_path):
    lead = make_user(session)
    review = make_review(session, lead)
    batch = import_fixture(session, review, lead, "dedup/stroke_sample.csv", uploads_dir=tmp_path)
    return lead, review, batch, kept_records(session, review.id)


def test_removed_records_leave_screening_until_restored(session, review_world):
    lead, review, _, kept = review_world
    access = review_access(session, review.id, lead.id)
    before = record_counts(session, review.id)
    years = [record.year for record in kept if record.year]
    cut = sorted(years)[len(years) // 2]
    old = {record.id for record in kept if record.year and record.year < cut}
    assert old
    result = removing.remove_records(session, access, "  published before   the cut ", published_before=cut)
    assert result == removing.Removed(len(old), 0)
    assert old.isdisjoint(session.exec(kept_in_review(review.id)))
    assert removing.removal_reasons(session, review.id) == [removing.RemovalReason("published before the cut", len(old))]
    after = record_counts(session, review.id)
    assert (after.removed, after.to_screen) == (len(old), before.to_screen - len(old))
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "record.remove")).all()
    assert {int(event.object_id) for event in events} == old
    assert removing.restore_records(session, access, "published before the cut") == len(old)
    assert old <= set(session.exec(kept_in_review(review.id)))
    assert record_counts(session, review.id) == before


def test_screened_records_cannot_be_removed_and_nothing_changes(session, review_world):
    lead, review, _, kept = review_world
    access = review_access(session, review.id, lead.id)
    decide_and_next(session, access, kept[0].id, Stage.title_abstract, Verdict.exclude)
    with pytest.raises(InvalidInput, match=f"already screened.*{kept[0].id}"):
        removing.remove_records(session, access, "Out of scope", record_ids=[kept[0].id, kept[1].id])
    assert removing.removal_reasons(session, review.id) == []
    with pytest.raises(InvalidInput, match="reason"):
        removing.remove_records(session, access, " ", record_ids=[kept[1].id])
    with pytest.raises(InvalidInput, match="not a year"):
        removing.remove_records(session, access, "Old", published_before=19)
    with pytest.raises(InvalidInput, match="No records are removed"):
        removing.restore_records(session, access, "Never used")


def test_only_the_lead_removes_or_sets_the_route(session, review_world):
    lead, review, batch, kept = review_world
    reviewer = make_user(session)
    join(session, review, lead, reviewer, Role.reviewer)
    access = review_access(session, review.id, reviewer.id)
    with pytest.raises(PermissionDenied):
        removing.remove_records(session, access, "Old", record_ids=[kept[0].id])
    with pytest.raises(PermissionDenied):
        importing.set_identification(session, access, batch.id, IdentificationRoute.website)


def test_the_lead_sets_a_batch_identification_route(session, review_world):
    lead, review, batch, _ = review_world
    assert batch.identification is IdentificationRoute.database
    access = review_access(session, review.id, lead.id)
    changed = importing.set_identification(session, access, batch.id, importing.parse_identification("citation_searching"))
    assert changed.identification is IdentificationRoute.citation_searching
    assert changed.source_name == "Embase"  # the source's name stays
    with pytest.raises(InvalidInput, match="website, organisation"):
        importing.parse_identification("twitter")


def test_pages_and_api_remove_and_set_the_route(client, session, review_world):
    from tests.web import csrf_token, log_in
    lead, review, batch, kept = review_world
    log_in(client, lead.email)
    token = csrf_token(client, f"/reviews/{review.id}/imports")
    answer = client.post(f"/reviews/{review.id}/removals", data={"csrf_token": token, "reason": "Old",
                                                                "record_ids": "abc"})
    assert answer.status_code == 422 and "“abc” is not one" in answer.text
    answer = client.post(f"/reviews/{review.id}/removals", data={"csrf_token": token, "reason": "Old",
                                                                "record_ids": f"{kept[3].id}, {kept[4].id}"})
    assert answer.status_code == 200 and "Old" in answer.text and "Restore to screening" in answer.text
    api = client.put(f"/api/reviews/{review.id}/imports/{batch.id}/identification", json={"identification": "website"},
                     headers={"X-CSRF-Token": token})
    assert api.json()["identification"] == "website"
    assert client.get(f"/api/reviews/{review.id}/removals").json() == [{"reason": "Old", "records": 2}]
    restored = client.post(f"/api/reviews/{review.id}/removals/restore", json={"reason": "Old"},
                           headers={"X-CSRF-Token": token})
    assert restored.json() == {"restored": 2}


def test_the_queue_never_serves_a_removed_record(session, review_world):
    from screening.decisions.queue import next_record

    lead, review, _, kept = review_world
    access = review_access(session, review.id, lead.id)
    removing.remove_records(session, access, "Out of scope", record_ids=[record.id for record in kept[:-1]])
    served = next_record(session, access, Stage.title_abstract)
    assert served is not None and served.id == kept[-1].id
