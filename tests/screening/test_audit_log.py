"""The audit log as the lead reads it: every kind of change lands in it with who and when,
exports included; filters, pages, the CSV and the API; blind mode kept for a lead who screens."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from app import backup
from app.services import decide_and_next
from extraction import extracting, forms, reconciling
from extraction.models import FieldType
from extraction.studies import included_studies
from extraction.values import Entry, Node
from screening.deduplicating import decide_pair, unmerge_record
from screening.decisions.reasons import add_exclusion_reason
from screening.decisions.resolving import resolve
from screening.models import DuplicatePair, PairStatus, Record, Stage, Verdict
from screening.records import kept_records
from screening.review import audit_log
from screening.review.access import review_access
from screening.review.audit import record_events
from screening.review.audit_log import AuditFilters, audit_csv, audit_page, parse_filters
from screening.review.errors import InvalidInput, PermissionDenied
from screening.review.models import AuditEvent, Role
from tests.factories import import_fixture, include_records, join, make_review, make_user
from tests.web import log_in

TA = Stage.title_abstract


@pytest.fixture
def team(session, tmp_path):
    lead = make_user(session, name="Lena Lead")
    ann = make_user(session, name="Ann Screener")
    ben = make_user(session, name="Ben Screener")
    review = make_review(session, lead, title="Audited")
    for person in (ann, ben):
        join(session, review, lead, person, Role.reviewer)
    import_fixture(session, review, lead, "dedup/stroke_sample.csv", uploads_dir=tmp_path)
    return {"lead": lead, "ann": ann, "ben": ben, "review": review, "records": kept_records(session, review.id)}


def _access(session, team, person):
    return review_access(session, team["review"].id, team[person].id)


def _all_rows(session, access, filters=AuditFilters()):
    rows, page = [], 1
    while True:
        shown = audit_page(session, access, filters, page)
        rows += shown.rows
        if not shown.has_older:
            return rows
        page += 1


def test_every_kind_of_change_is_logged_with_who_and_when(session, engine, team, tmp_path):
    lead, records, review = _access(session, team, "lead"), team["records"], team["review"]
    decide_and_next(session, _access(session, team, "ann"), records[0].id, TA, Verdict.include)
    resolve(session, lead, records[1].id, TA, Verdict.exclude)
    pair = session.exec(select(DuplicatePair).where(DuplicatePair.review_id == review.id,
                                                    DuplicatePair.status == PairStatus.candidate)).first()
    decide_pair(session, lead, pair.id, same_report=True)
    merged = session.exec(select(Record.id).where(Record.review_id == review.id,
                                                  Record.duplicate_of_id.is_not(None))).first()
    unmerge_record(session, lead, merged)

    include_records(session, review, team["lead"], [records[2].id])
    form = forms.create_form(session, lead, forms.FormSpec(name="Data", sections=[forms.SectionSpec(
        label="Study", fields=[forms.FieldSpec(label="Sample size", field_type=FieldType.integer)])]))
    forms.add_section(session, lead, form.id, "Outcomes")
    size = forms.load_definition(session, form, cached=False).sections[0].fields[0].id
    study = included_studies(session, review)[0].study
    for person, value in (("ann", 10), ("ben", 12)):
        extracting.submit(session, _access(session, team, person), form.id, study.id, Node(values={size: Entry(value)}))
    reconciling.resolve(session, lead, form.id, study.id, {f"f{size}": {"choice": "second"}}, finish=True)
    backup.export_review(engine, review.id, tmp_path / "backup.zip")

    rows = _all_rows(session, lead)
    by_action = {}
    for row in rows:
        by_action.setdefault(row.action, row)
    for action in ("decision.create", "resolution.override", "duplicate.decide", "record.merge.manual",
                   "record.unmerge", "form.create", "form.change", "coding.start", "coding.submit",
                   "consensus.finish", "export.backup", "member.add", "import.complete"):
        assert action in by_action, f"no {action} event in {sorted(by_action)}"
        assert by_action[action].at is not None
    assert by_action["decision.create"].who == "Ann Screener"
    assert by_action["decision.create"].verdict_hidden  # the record is still open to the lead (blind mode)
    assert by_action["resolution.override"].who == by_action["record.unmerge"].who == "Lena Lead"
    assert by_action["coding.submit"].who in {"Ann Screener", "Ben Screener"}
    # the consensus says which question was settled, how, and to what value
    assert by_action["consensus.finish"].detail["choices"] == {
        f"f{size}": {"question": "Sample size", "choice": "second", "value": 12}}
    assert by_action["export.backup"].who == "Winnow (command line)"
    assert by_action["export.backup"].detail["format"] == "zip"
    assert by_action["export.backup"].kind == "exports" and by_action["consensus.finish"].kind == "consensus"
    assert [row.id for row in rows] == sorted((row.id for row in rows), reverse=True)  # newest first


def test_filters_by_person_kind_and_date(session, team):
    lead, ann = _access(session, team, "lead"), _access(session, team, "ann")
    for record in team["records"][:3]:
        decide_and_next(session, ann, record.id, TA, Verdict.exclude)
    resolve(session, lead, team["records"][4].id, TA, Verdict.include)

    anns = _all_rows(session, lead, parse_filters(person=str(team["ann"].id)))
    assert len(anns) == 3 and {row.who for row in anns} == {"Ann Screener"}
    decisions = _all_rows(session, lead, parse_filters(kind="decisions"))
    assert {row.action for row in decisions} == {"decision.create"}
    resolutions = _all_rows(session, lead, parse_filters(kind="resolutions"))
    assert [row.object_id for row in resolutions] == [str(team["records"][4].id)]
    settings = {row.action for row in _all_rows(session, lead, parse_filters(kind="settings"))}
    assert {"review.create", "member.add"} <= settings and not any(a.startswith("decision") for a in settings)

    today = datetime.now(UTC).date()
    everything = _all_rows(session, lead)
    around_today = parse_filters(since=str(today - timedelta(days=1)), until=str(today + timedelta(days=1)))
    assert _all_rows(session, lead, around_today) == everything
    assert _all_rows(session, lead, parse_filters(since=str(today + timedelta(days=1)))) == []
    assert _all_rows(session, lead, parse_filters(until=str(today - timedelta(days=1)))) == []


@pytest.mark.parametrize(("given", "message"), [
    ({"since": "01/12/2026"}, "“from” date “01/12/2026” is not a day: write it as YYYY-MM-DD"),
    ({"since": "2026-12-05", "until": "2026-12-01"}, "ends \\(2026-12-01\\) before it starts"),
    ({"kind": "gossip"}, "no kind of change “gossip”; choose one of decisions"),
    ({"person": "Ann"}, "Choose a person from the list"),
])
def test_bad_filters_are_refused_with_what_to_fix(given, message):
    with pytest.raises(InvalidInput, match=message):
        parse_filters(**given)


def test_the_log_comes_a_page_at_a_time_newest_first(session, team):
    lead = _access(session, team, "lead")
    record_events(session, actor_id=team["lead"].id, action="test.bulk", object_type="thing",
                  review_id=team["review"].id, details={number: {"n": number} for number in range(150)})
    session.commit()
    total = session.exec(select(AuditEvent.id).where(AuditEvent.review_id == team["review"].id)).all()
    first, second = audit_page(session, lead, AuditFilters(), 1), audit_page(session, lead, AuditFilters(), 2)
    assert len(first.rows) == audit_log.PAGE_SIZE and first.has_older
    assert len(second.rows) == len(total) - audit_log.PAGE_SIZE and not second.has_older
    assert first.rows[-1].id > second.rows[0].id
    assert {row.kind for row in first.rows} == {"other"}  # an action no kind names is still listed
    with pytest.raises(InvalidInput, match="numbered from 1"):
        audit_page(session, lead, AuditFilters(), 0)


def test_only_a_lead_reads_the_log(session, team):
    with pytest.raises(PermissionDenied):
        audit_page(session, _access(session, team, "ann"), AuditFilters())
    with pytest.raises(PermissionDenied):
        audit_csv(session, _access(session, team, "ann"), AuditFilters())


def test_a_lead_who_screens_does_not_learn_a_colleagues_verdict_on_a_record_open_to_them(session, team):
    lead, ann = _access(session, team, "lead"), _access(session, team, "ann")
    open_record, screened_by_lead = team["records"][0].id, team["records"][1].id
    decide_and_next(session, ann, open_record, TA, Verdict.include)
    decide_and_next(session, ann, screened_by_lead, TA, Verdict.include)
    decide_and_next(session, lead, screened_by_lead, TA, Verdict.include)  # no longer open to the lead

    rows = {row.object_id: row for row in _all_rows(session, lead, parse_filters(person=str(team["ann"].id)))}
    hidden, shown = rows[str(open_record)], rows[str(screened_by_lead)]
    assert hidden.verdict_hidden and hidden.detail == {"stage": "title_abstract"} and "include" not in hidden.detail_text
    assert not shown.verdict_hidden and shown.detail["verdict"] == "include"
    exported = list(csv.DictReader(io.StringIO(audit_csv(session, lead, AuditFilters(kind="decisions")))))
    secret = next(row for row in exported if row["object_id"] == str(open_record) and row["who"] == "Ann Screener")
    assert "include" not in secret["detail"]

    review = team["review"]
    review.blind = False
    session.add(review)
    session.commit()
    assert not any(row.verdict_hidden for row in _all_rows(session, lead))


def test_the_page_the_csv_and_the_api_and_each_export_is_logged(client, session, team):
    review_id = team["review"].id
    add_exclusion_reason(session, _access(session, team, "lead"), "=HYPERLINK(\"http://evil\")")
    log_in(client, team["lead"].email)
    page = client.get(f"/reviews/{review_id}/audit")
    assert page.status_code == 200 and "Audit log" in page.text and "Lena Lead" in page.text
    partial = client.get(f"/reviews/{review_id}/audit?kind=settings", headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "<html" not in partial.text and 'id="audit-log"' in partial.text
    refused = client.get(f"/reviews/{review_id}/audit?from=yesterday")
    assert refused.status_code == 422 and "is not a day: write it as YYYY-MM-DD" in refused.text

    records = client.get(f"/reviews/{review_id}/export.csv")
    assert records.status_code == 200
    exported = client.get(f"/reviews/{review_id}/audit.csv?kind=settings")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert any(row["object_id"] == "'=HYPERLINK(\"http://evil\")" for row in rows)  # a spreadsheet shows it as text

    answer = client.get(f"/api/reviews/{review_id}/audit?kind=exports")
    assert answer.status_code == 200
    events = answer.json()["events"]
    assert [(event["action"], event["who"], event["detail"]["format"]) for event in events] == [
        ("export.audit", "Lena Lead", "csv"), ("export.records", "Lena Lead", "csv")]
    assert events[0]["detail"]["filters"] == {"kind": "settings"}  # which part of the log left
    assert client.get(f"/api/reviews/{review_id}/audit?to=2026-13-01").status_code == 422


@pytest.mark.parametrize("query", ["page=0", f"page={2**62}", f"page={2**70}", f"person={10**20}", "kind=%00",
                                   "from=2026-02-30"])
def test_a_query_out_of_every_range_is_a_4xx_never_a_crash(client, session, team, query):
    log_in(client, team["lead"].email)
    paged = ("/reviews/{}/audit", "/api/reviews/{}/audit")  # the CSV holds every page
    for path in paged if query.startswith("page") else (*paged, "/reviews/{}/audit.csv"):
        response = client.get(f"{path.format(team['review'].id)}?{query}")
        assert 400 <= response.status_code < 500, f"{path} {query}: {response.status_code}"
