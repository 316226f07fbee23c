"""The authorisation matrix: every review-scoped route, for anonymous, non-member,
viewer, reviewer and lead, HTML and JSON alike.

ROUTES must list every route whose path holds ``{review_id}``: a new route
without a row here fails ``test_the_matrix_covers_every_review_route``."""

import pytest
from fastapi.routing import APIRoute

from sqlmodel import select

from app.jobs import enqueue
from app.main import ROUTERS
from app.services import decide_and_next
from screening.decisions.reasons import exclusion_reasons
from screening.decisions.removing import remove_records
from screening.fulltexts import attach_pdf
from screening.models import DuplicatePair, PairStatus, Record, Stage, StoppingCheck, Verdict
from screening.review.models import AuditEvent, Role
from screening.records import kept_records
from screening.review.access import review_access
from extraction import extracting, forms, reconciling, studies
from extraction.models import FieldType
from extraction.studies import included_studies
from extraction.values import Entry, Node
from tests.factories import import_fixture, include_records, join, make_review, make_user
from tests.web import csrf_token, log_in

# (method, path, needed role, request body, status on success). Placeholders: {other} a member who
# is neither the caller nor the lead; {batch_id} an import waiting for consent; {pair_id} a possible
# duplicate; {record_id} a merged record, unless the row's last item names another world id ("fresh": a
# record nobody screened; "decided": one the reviewer and the lead both decided). A body with "file" is
# sent as a multipart upload.
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
UPLOAD = {"source_name": "Embase", "file": ("search.csv", b"title,abstract\nA study,Of something\n")}
ROUTES = [
    ("GET", "/reviews/{review_id}", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/members", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/settings", Role.lead, None, 200),
    ("POST", "/reviews/{review_id}/settings", Role.lead, {"title": "Renamed", "review_type": "scoping"}, 303),
    ("POST", "/reviews/{review_id}/members", Role.lead, {"email": "extra@example.org", "role": "viewer"}, 200),
    ("POST", "/reviews/{review_id}/members/{other}/remove", Role.lead, {}, 200),
    ("GET", "/reviews/{review_id}/jobs/{job_id}", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/imports", Role.viewer, None, 200),
    ("POST", "/reviews/{review_id}/imports", Role.lead, UPLOAD, 303),
    ("GET", "/reviews/{review_id}/imports/{batch_id}", Role.viewer, None, 200),
    ("POST", "/reviews/{review_id}/imports/{batch_id}/skip-empty", Role.lead, {}, 303),
    ("POST", "/reviews/{review_id}/imports/{batch_id}/cancel", Role.lead, {}, 303),
    ("POST", "/reviews/{review_id}/imports/{batch_id}/identification", Role.lead, {"identification": "website"}, 303),
    ("POST", "/reviews/{review_id}/removals", Role.lead, {"reason": "Out of scope", "record_ids": "{fresh}"}, 303),
    ("POST", "/reviews/{review_id}/removals/restore", Role.lead, {"reason": "Published before 1990"}, 303),
    ("GET", "/reviews/{review_id}/export.{file_format}", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/duplicates", Role.viewer, None, 200),
    ("POST", "/reviews/{review_id}/duplicates/{pair_id}", Role.lead, {"verdict": "different"}, 200),
    ("POST", "/reviews/{review_id}/records/{record_id}/unmerge", Role.lead, {}, 200),
    ("GET", "/reviews/{review_id}/screen/{stage}", Role.reviewer, None, 200),
    ("POST", "/reviews/{review_id}/screen/{stage}/{record_id}", Role.reviewer, {"verdict": "include"}, 303, {"record_id": "fresh"}),
    ("POST", "/reviews/{review_id}/screen/{stage}/{record_id}/undo", Role.reviewer, {}, 200, {"record_id": "decided"}),
    ("GET", "/reviews/{review_id}/conflicts/{stage}", Role.viewer, None, 200),
    ("POST", "/reviews/{review_id}/conflicts/{stage}/{record_id}", Role.lead, {"verdict": "exclude"}, 303, {"record_id": "fresh"}),
    ("GET", "/reviews/{review_id}/statistics", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/records", Role.viewer, None, 200),
    # The world has a check under way, so a lead who may start one is told to finish it first (422).
    ("POST", "/reviews/{review_id}/stopping", Role.lead, {"sample_size": "1"}, 422),
    ("POST", "/reviews/{review_id}/stopping/{check_id}/record", Role.lead, {}, 303),
    ("POST", "/reviews/{review_id}/records/{record_id}/fulltext", Role.reviewer, {"file": ("r.pdf", PDF)}, 200, {"record_id": "decided"}),
    ("GET", "/reviews/{review_id}/records/{record_id}/fulltext.pdf", Role.viewer, None, 200, {"record_id": "decided"}),
    ("POST", "/reviews/{review_id}/records/{record_id}/not-retrieved", Role.reviewer, {"reason": "Not in any library"}, 200, {"record_id": "decided"}),
    ("POST", "/reviews/{review_id}/settings/screening", Role.lead, {"dual_screening": "on"}, 303),
    ("POST", "/reviews/{review_id}/settings/reasons", Role.lead, {"label": "Wrong country"}, 303),
    ("POST", "/reviews/{review_id}/settings/reasons/{reason_id}/retire", Role.lead, {}, 303),
    ("GET", "/reviews/{review_id}/prisma", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/prisma.{file_format}", Role.viewer, None, 200, {"file_format": "prisma_format"}),
    ("GET", "/reviews/{review_id}/prisma/boxes/{key}", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/prisma/scoping-checklist", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/prisma/scoping-checklist.md", Role.viewer, None, 200),
    ("POST", "/reviews/{review_id}/prisma/labels", Role.lead, {"kind": "source", "original": "Embase", "label": "Embase.com"}, 303),
    ("GET", "/api/reviews/{review_id}", Role.viewer, None, 200),
    ("PUT", "/api/reviews/{review_id}", Role.lead, {"title": "Renamed"}, 200),
    ("GET", "/api/reviews/{review_id}/members", Role.viewer, None, 200),
    ("PUT", "/api/reviews/{review_id}/members", Role.lead, {"email": "extra@example.org", "role": "viewer"}, 200),
    ("DELETE", "/api/reviews/{review_id}/members/{other}", Role.lead, None, 204),
    ("GET", "/api/reviews/{review_id}/jobs/{job_id}", Role.viewer, None, 200),
    ("GET", "/api/reviews/{review_id}/imports", Role.viewer, None, 200),
    ("POST", "/api/reviews/{review_id}/imports", Role.lead, UPLOAD, 202),
    ("GET", "/api/reviews/{review_id}/imports/{batch_id}", Role.viewer, None, 200),
    ("POST", "/api/reviews/{review_id}/imports/{batch_id}/skip-empty", Role.lead, None, 202),
    ("POST", "/api/reviews/{review_id}/imports/{batch_id}/cancel", Role.lead, None, 200),
    ("PUT", "/api/reviews/{review_id}/imports/{batch_id}/identification", Role.lead, {"identification": "website"}, 200),
    ("GET", "/api/reviews/{review_id}/removals", Role.viewer, None, 200),
    ("POST", "/api/reviews/{review_id}/removals", Role.lead, {"reason": "Old", "published_before": 1990}, 200),
    ("POST", "/api/reviews/{review_id}/removals/restore", Role.lead, {"reason": "Published before 1990"}, 200),
    ("GET", "/api/reviews/{review_id}/records/counts", Role.viewer, None, 200),
    ("GET", "/api/reviews/{review_id}/duplicates", Role.viewer, None, 200),
    ("POST", "/api/reviews/{review_id}/duplicates/{pair_id}", Role.lead, {"same_report": False}, 200),
    ("POST", "/api/reviews/{review_id}/records/{record_id}/unmerge", Role.lead, None, 204),
    ("GET", "/api/reviews/{review_id}/screen/{stage}/next", Role.reviewer, None, 200),
    ("POST", "/api/reviews/{review_id}/screen/{stage}/{record_id}", Role.reviewer, {"verdict": "exclude"}, 200, {"record_id": "fresh"}),
    ("DELETE", "/api/reviews/{review_id}/screen/{stage}/{record_id}", Role.reviewer, None, 204, {"record_id": "decided"}),
    ("GET", "/api/reviews/{review_id}/conflicts/{stage}", Role.viewer, None, 200),
    ("POST", "/api/reviews/{review_id}/conflicts/{stage}/{record_id}", Role.lead, {"verdict": "include"}, 200, {"record_id": "fresh"}),
    ("GET", "/api/reviews/{review_id}/statistics", Role.viewer, None, 200),
    ("GET", "/api/reviews/{review_id}/records", Role.viewer, None, 200),
    ("GET", "/api/reviews/{review_id}/settings/screening", Role.viewer, None, 200),
    ("PUT", "/api/reviews/{review_id}/settings/screening", Role.lead, {"dual_screening": True, "blind": True}, 200),
    ("GET", "/api/reviews/{review_id}/exclusion-reasons", Role.viewer, None, 200),
    ("POST", "/api/reviews/{review_id}/exclusion-reasons", Role.lead, {"label": "Wrong country"}, 201),
    ("DELETE", "/api/reviews/{review_id}/exclusion-reasons/{reason_id}", Role.lead, None, 204),
    ("PUT", "/api/reviews/{review_id}/records/{record_id}/fulltext", Role.reviewer, {"file": ("r.pdf", PDF)}, 200, {"record_id": "decided"}),
    ("GET", "/api/reviews/{review_id}/records/{record_id}/fulltext.pdf", Role.viewer, None, 200, {"record_id": "decided"}),
    ("POST", "/api/reviews/{review_id}/records/{record_id}/not-retrieved", Role.reviewer, {"reason": "Not in any library"}, 200, {"record_id": "decided"}),
    ("GET", "/api/reviews/{review_id}/prisma", Role.viewer, None, 200),
    ("GET", "/api/reviews/{review_id}/prisma/boxes/{key}", Role.viewer, None, 200),
    ("GET", "/api/reviews/{review_id}/prisma/scoping-checklist", Role.viewer, None, 200),
    ("PUT", "/api/reviews/{review_id}/prisma/labels", Role.lead, {"kind": "source", "original": "Embase", "label": "Embase.com"}, 204),
    ("GET", "/api/reviews/{review_id}/stopping", Role.viewer, None, 200),
    # As on the page: a check is under way, so starting another is refused (422).
    ("POST", "/api/reviews/{review_id}/stopping", Role.lead, {"sample_size": 1}, 422),
    ("POST", "/api/reviews/{review_id}/stopping/{check_id}/record", Role.lead, None, 200),
    # --- extraction (pages, then API). The world has a dual form {form_id}; {study_id} is a study nobody has
    # coded; {coded_study} has both extractions submitted, waiting for reconciliation; {reconciled_study} has a
    # final consensus; {spare_study} is uncoded, to link into {into_study} (the same as {study_id}); {report_id} is the second report of
    # a study with two. Reopening a coding on {study_id}, where nobody has one, is refused for every allowed
    # role with the same 422, so the row still tells who may ask.
    ("GET", "/reviews/{review_id}/extraction", Role.viewer, None, 200),
    ("POST", "/reviews/{review_id}/extraction/forms", Role.lead, {"template": "rob2"}, 303),
    ("GET", "/reviews/{review_id}/extraction/forms/{form_id}/edit", Role.lead, None, 200),
    ("POST", "/reviews/{review_id}/extraction/forms/{form_id}/edit", Role.lead, {"change": "add_section", "label": "More"}, 303),
    ("GET", "/reviews/{review_id}/extraction/studies", Role.viewer, None, 200),
    ("POST", "/reviews/{review_id}/extraction/studies/{study_id}/link", Role.lead, {"into_id": "{into_study}"}, 303, {"study_id": "spare_study"}),
    ("POST", "/reviews/{review_id}/extraction/studies/{study_id}/rename", Role.lead, {"label": "Linehan 2006"}, 303),
    ("POST", "/reviews/{review_id}/extraction/reports/{report_id}/split", Role.lead, {}, 303),
    ("GET", "/reviews/{review_id}/extraction/forms/{form_id}", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/extraction/forms/{form_id}/studies/{study_id}", Role.reviewer, None, 200),
    ("POST", "/reviews/{review_id}/extraction/forms/{form_id}/studies/{study_id}", Role.reviewer, {"action": "save"}, 200),
    ("POST", "/reviews/{review_id}/extraction/forms/{form_id}/studies/{study_id}/reopen", Role.reviewer, {}, 422),
    ("GET", "/reviews/{review_id}/extraction/forms/{form_id}/studies/{study_id}/reconcile", Role.viewer, None, 200, {"study_id": "coded_study"}),
    ("POST", "/reviews/{review_id}/extraction/forms/{form_id}/studies/{study_id}/reconcile", Role.lead, {"action": "save"}, 200, {"study_id": "coded_study"}),
    ("POST", "/reviews/{review_id}/extraction/forms/{form_id}/studies/{study_id}/reconcile/reopen", Role.lead, {}, 200, {"study_id": "reconciled_study"}),
    ("GET", "/reviews/{review_id}/extraction/export.xlsx", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/extraction/raw.xlsx", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/extraction/forms/{form_id}/tables/{table}.csv", Role.viewer, None, 200),
    ("GET", "/api/reviews/{review_id}/extraction/forms", Role.viewer, None, 200),
    ("POST", "/api/reviews/{review_id}/extraction/forms", Role.lead, {"template": "rob2"}, 201),
    ("GET", "/api/reviews/{review_id}/extraction/forms/{form_id}", Role.viewer, None, 200),
    ("POST", "/api/reviews/{review_id}/extraction/forms/{form_id}/changes", Role.lead, {"change": "add_section", "label": "More"}, 200),
    ("GET", "/api/reviews/{review_id}/extraction/forms/{form_id}/versions", Role.viewer, None, 200),
    ("GET", "/api/reviews/{review_id}/extraction/forms/{form_id}/versions/{number}", Role.viewer, None, 200),
    ("GET", "/api/reviews/{review_id}/extraction/studies", Role.viewer, None, 200),
    ("POST", "/api/reviews/{review_id}/extraction/studies/{study_id}/link", Role.lead, {"into_id": "{into_study}"}, 200, {"study_id": "spare_study"}),
    ("POST", "/api/reviews/{review_id}/extraction/studies/{study_id}/rename", Role.lead, {"label": "Linehan 2006"}, 200),
    ("POST", "/api/reviews/{review_id}/extraction/reports/{report_id}/split", Role.lead, None, 200),
    ("GET", "/api/reviews/{review_id}/extraction/forms/{form_id}/queue", Role.viewer, None, 200),
    ("GET", "/api/reviews/{review_id}/extraction/forms/{form_id}/studies/{study_id}/coding", Role.reviewer, None, 200),
    ("PUT", "/api/reviews/{review_id}/extraction/forms/{form_id}/studies/{study_id}/coding", Role.reviewer, {"values": {}}, 200),
    ("POST", "/api/reviews/{review_id}/extraction/forms/{form_id}/studies/{study_id}/coding/submit", Role.reviewer, None, 200),
    ("POST", "/api/reviews/{review_id}/extraction/forms/{form_id}/studies/{study_id}/coding/reopen", Role.reviewer, None, 422),
    ("GET", "/api/reviews/{review_id}/extraction/forms/{form_id}/studies/{study_id}/codings", Role.viewer, None, 200),
    ("GET", "/api/reviews/{review_id}/extraction/forms/{form_id}/studies/{study_id}/reconciliation", Role.viewer, None, 200, {"study_id": "coded_study"}),
    ("POST", "/api/reviews/{review_id}/extraction/forms/{form_id}/studies/{study_id}/reconciliation", Role.lead, {"finish": False}, 200, {"study_id": "coded_study"}),
    ("POST", "/api/reviews/{review_id}/extraction/forms/{form_id}/studies/{study_id}/reconciliation/reopen", Role.lead, None, 200, {"study_id": "reconciled_study"}),
    ("GET", "/api/reviews/{review_id}/extraction/forms/{form_id}/agreement", Role.viewer, None, 200),
    ("GET", "/api/reviews/{review_id}/extraction/forms/{form_id}/data", Role.viewer, None, 200),
    # --- summaries of the extraction world's form: its reconciled study counted, the others not yet.
    ("GET", "/reviews/{review_id}/summaries", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/summaries/studies", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/summaries/typology.csv", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/summaries/typology.xlsx", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/summaries/typology.html", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/summaries/gap-map.html", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/summaries/gap-map.svg", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/summaries/gap-map.png", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/summaries/timeline.svg", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/summaries/timeline.png", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/summaries/appraisal.svg", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/summaries/appraisal.png", Role.viewer, None, 200),
    ("GET", "/api/reviews/{review_id}/summaries", Role.viewer, None, 200),
    ("GET", "/api/reviews/{review_id}/summaries/charts", Role.viewer, None, 200),
    ("GET", "/reviews/{review_id}/audit", Role.lead, None, 200),
    ("GET", "/reviews/{review_id}/audit.csv", Role.lead, None, 200),
    ("GET", "/api/reviews/{review_id}/audit", Role.lead, None, 200),
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
    assert routes == {(row[0], row[1]) for row in ROUTES}


@pytest.fixture
def world(session, tmp_path):
    lead = make_user(session, name="Lead")
    people = {"lead": lead, "non-member": make_user(session, name="Stranger")}
    review = make_review(session, lead)
    for role in (Role.viewer, Role.reviewer):
        people[role.value] = make_user(session, name=role.value.title())
        join(session, review, lead, people[role.value], role)
    other = make_user(session, name="Other")
    join(session, review, lead, other, Role.reviewer)
    make_user(session, email="extra@example.org")
    import_fixture(session, review, lead, "dedup/stroke_sample.csv", uploads_dir=tmp_path)
    waiting = import_fixture(session, review, lead, "import/tag_notes.ris", uploads_dir=tmp_path)
    job = enqueue(session, "import", review_id=review.id, batch_id=waiting.id)
    kept = kept_records(session, review.id)
    for person in (people["reviewer"], lead):
        decide_and_next(session, review_access(session, review.id, person.id), kept[0].id, Stage.title_abstract,
                        Verdict.include)
    attach_pdf(session, review_access(session, review.id, lead.id), kept[0].id, "report.pdf", PDF,
               files_dir=tmp_path / "files", max_bytes=10**6)
    check = StoppingCheck(review_id=review.id, started_by_id=lead.id, n_unscreened=10, relevant_before=1,
                          sample=[kept[0].id])  # a sample already screened, waiting for its result
    session.add(check)
    session.commit()
    remove_records(session, review_access(session, review.id, lead.id), "Published before 1990", record_ids=[kept[2].id])
    ids = {
        "review_id": review.id, "other": other.id, "job_id": job.id, "batch_id": waiting.id, "file_format": "ris",
        "stage": "title_abstract", "decided": kept[0].id, "fresh": kept[1].id, "check_id": check.id,
        "reason_id": exclusion_reasons(session, review.id)[0].id, "prisma_format": "png", "key": "records_screened",
        "pair_id": session.exec(select(DuplicatePair.id).where(DuplicatePair.status == PairStatus.candidate)).first(),
        "record_id": session.exec(select(Record.id).where(Record.duplicate_of_id.is_not(None))).first(),
    }
    return {"people": people, "review": review, "ids": ids, "other": other, "kept": kept}


def _extraction_world(session, review, lead, reviewer, other, records) -> dict:
    include_records(session, review, lead, [record.id for record in records])
    lead_access = review_access(session, review.id, lead.id)
    form = forms.create_form(session, lead_access, forms.FormSpec(name="Data", sections=[forms.SectionSpec(
        label="Study", fields=[forms.FieldSpec(label="Sample size", field_type=FieldType.integer),
                               forms.FieldSpec(label="Design", field_type=FieldType.single_choice,
                                               options=[forms.OptionSpec(label="RCT")]),
                               forms.FieldSpec(label="Overall risk of bias", field_type=FieldType.single_choice,
                                               options=[forms.OptionSpec(label="Low"), forms.OptionSpec(label="High")])])]))
    size = forms.load_definition(session, form).sections[0].fields[0].id
    coded, uncoded, second_report, reconciled, spare = included_studies(session, review)
    studies.link_studies(session, lead_access, second_report.study.id, uncoded.study.id)
    for study, (a, b) in ((coded, (10, 12)), (reconciled, (20, 20))):
        for person, value in ((reviewer, a), (other, b)):
            extracting.submit(session, review_access(session, review.id, person.id), form.id, study.study.id,
                              Node(values={size: Entry(value)}))
    reconciling.resolve(session, lead_access, form.id, reconciled.study.id, {}, finish=True)
    return {"form_id": form.id, "study_id": uncoded.study.id, "coded_study": coded.study.id,
            "reconciled_study": reconciled.study.id, "spare_study": spare.study.id, "into_study": uncoded.study.id, "table": "wide", "number": 1,
            "report_id": second_report.reports[0].report.id}


def _expected_status(caller: str, needed: Role, path: str, success: int) -> int:
    if caller == "anonymous":
        return 401 if path.startswith("/api/") else 303
    if caller == "non-member":
        return 404
    return success if Role(caller).allows(needed) else 403


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("row", ROUTES, ids=[f"{row[0]} {row[1]}" for row in ROUTES])
def test_each_caller_gets_the_status_they_should(client, session, world, caller, row):
    method, template, needed, body, success, *overrides = row
    if caller != "anonymous":
        log_in(client, world["people"][caller].email)
    token = csrf_token(client, "/login")
    ids = dict(world["ids"])
    if "/extraction" in template or "/summaries" in template:  # built only where needed: it is the slowest part of the world
        ids |= _extraction_world(session, world["review"], world["people"]["lead"], world["people"]["reviewer"],
                                 world["other"], world["kept"][5:10])
    for placeholder, world_key in (overrides[0] if overrides else {}).items():
        ids[placeholder] = ids[world_key]
    path = template.format(**ids)
    body = {name: value.format(**ids) if isinstance(value, str) else value for name, value in (body or {}).items()}
    files = {"file": body.pop("file")} if "file" in body else None
    if method == "GET":
        response = client.get(path, follow_redirects=False)
    elif path.startswith("/api/") and not files:
        response = client.request(method, path, json=body or None, headers={"X-CSRF-Token": token},
                                  follow_redirects=False)
    else:
        response = client.request(method, path, data={**body, "csrf_token": token}, files=files,
                                  follow_redirects=False)
    expected = _expected_status(caller, needed, template, success)
    assert response.status_code == expected, response.text[:500]
    if expected == 404:
        # a non-member learns nothing about the review, not even its title
        assert world["review"].title not in response.text
    if response.headers.get("content-disposition", "").startswith("attachment"):
        # every file of the review's data that leaves is in its audit log, with who took it and its format
        session.expire_all()
        logged = session.exec(select(AuditEvent).where(AuditEvent.action.startswith("export."))
                              .order_by(AuditEvent.id.desc())).first()
        assert logged is not None and logged.actor_id == world["people"][caller].id, f"{path} is not in the audit log"
        assert logged.review_id == world["review"].id and logged.detail["format"] == path.rsplit(".", 1)[-1].split("?")[0]
