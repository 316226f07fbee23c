"""A page never shows a number the API gives differently: the overview's Progress card and the
Statistics page against the API's statistics, for the same member."""

import re

from screening.review.models import Role
from screening.records import kept_records
from tests.factories import import_fixture, join, make_review, make_user
from tests.web import csrf_token, log_in

TA = "title_abstract"


def _stats(html: str, heading: str) -> dict[str, int]:
    """The <dt>/<dd> pairs of the stats list that follows a heading."""
    section = html.split(f">{heading}</h", 1)[1].split("</dl>", 1)[0]
    return {dt: int(dd.replace(",", "")) for dt, dd in re.findall(r"<dt>([^<]+)</dt><dd>([\d,]+)</dd>", section)}


def test_the_overview_and_statistics_show_the_apis_figures(client, other_client, session, tmp_path):
    lead = make_user(session, email="lead@example.org", name="Lead")
    ann, ben = make_user(session, email="ann@example.org"), make_user(session, email="ben@example.org")
    review = make_review(session, lead)
    for person in (ann, ben):
        join(session, review, lead, person, Role.reviewer)
    log_in(client, "ann@example.org")
    empty = client.get(f"/reviews/{review.id}").text
    assert "No records yet" in empty and "<dd>0</dd>" not in empty
    import_fixture(session, review, lead, "import/asreview_cohen_adhd_sample.csv", uploads_dir=tmp_path)
    records = [record.id for record in kept_records(session, review.id)]
    log_in(other_client, "ben@example.org")
    base = f"/api/reviews/{review.id}/screen/{TA}"
    for browser, verdicts in ((client, ["include", "exclude", "include", "maybe", "exclude"]),
                              (other_client, ["include", "include", "exclude"])):
        token = {"X-CSRF-Token": csrf_token(browser, "/")}
        for record_id, verdict in zip(records, verdicts):
            assert browser.post(f"{base}/{record_id}", json={"verdict": verdict}, headers=token).status_code == 200
    api = {item["stage"]: item["progress"] for item in client.get(f"/api/reviews/{review.id}/statistics").json()}
    assert api[TA]["decided_by_me"] == 5 and api[TA]["conflicts"] == 2 and api[TA]["completed"] == 3
    overview = client.get(f"/reviews/{review.id}").text
    for stage, heading in ((TA, "Title and abstract"), ("full_text", "Full text")):
        shown = _stats(overview, heading)
        figures = api[stage]
        assert shown == {"Records": figures["records"], "Screened by you": figures["decided_by_me"],
                         "Complete": figures["completed"], "Conflicts waiting": figures["conflicts"],
                         ("Included" if stage == "full_text" else "Moving on"): figures["moved_on"]}
    statistics = client.get(f"/reviews/{review.id}/statistics").text
    shown = _stats(statistics, "Title and abstract")
    assert shown == {"Records": api[TA]["records"], "Complete": api[TA]["completed"],
                     "Moving on": api[TA]["moved_on"], "Excluded": api[TA]["excluded"],
                     "Conflicts": api[TA]["conflicts"]}
    page = client.get(f"/reviews/{review.id}/screen/{TA}").text
    assert (f"You: <strong>{api[TA]['decided_by_me']}</strong> screened, <strong>{api[TA]['left_for_me']}</strong> left"
            in page)
