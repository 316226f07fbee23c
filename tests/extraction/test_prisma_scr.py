"""The PRISMA-ScR checklist: the items the review's data answer (sources and dates, searches,
screening, charting, data items, the flow of sources) carry those data; an empty review leaves
every item to the authors."""

from datetime import date

import pytest

from app.services import decide_and_next
from extraction import forms
from extraction.models import FieldType
from extraction.reports import prisma_scr
from screening.models import IdentificationRoute, Stage, Verdict
from screening.records import kept_records
from screening.review.access import review_access
from screening.review.models import Role
from tests.extraction import prisma_review
from tests.extraction.prisma_review import citations
from tests.factories import import_citations, include_records, join, make_review, make_user
from tests.web import log_in

FROM_DATA = {7, 8, 9, 10, 11, 14}


@pytest.fixture
def world(session, tmp_path):
    lead = make_user(session, name="Lena Lead")
    ann, ben = make_user(session, name="Ann Screener"), make_user(session, name="Ben Screener")
    review = make_review(session, lead, title="Peer support in crisis care: a scoping review")
    join(session, review, lead, ann, Role.reviewer)
    join(session, review, lead, ben, Role.reviewer)
    import_citations(session, review, lead, citations(6, 1), source="MEDLINE (Ovid)", uploads_dir=tmp_path,
                     search_date=date(2024, 3, 1), search_string="peer support[mh] AND crisis*")
    import_citations(session, review, lead, citations(4, 2), source="Google Scholar", uploads_dir=tmp_path,
                     identification=IdentificationRoute.website, search_date=date(2024, 4, 15))
    records = [record.id for record in kept_records(session, review.id)]
    for person, verdicts in ((ann, "IIEEEE"), (ben, "IEEEEE")):
        access = review_access(session, review.id, person.id)
        for record_id, letter in zip(records, verdicts):
            decide_and_next(session, access, record_id, Stage.title_abstract,
                            Verdict.include if letter == "I" else Verdict.exclude)
    include_records(session, review, lead, records[:1])
    lead_access = review_access(session, review.id, lead.id)
    forms.create_form(session, lead_access, forms.FormSpec(name="Charting", dual=False, sections=[
        forms.SectionSpec(label="Source", fields=[
            forms.FieldSpec(label="Country", field_type=FieldType.country),
            forms.FieldSpec(label="Type of peer support", field_type=FieldType.long_text)])]))
    forms.create_form(session, lead_access, forms.FormSpec(name="Outcomes", dual=True, sections=[
        forms.SectionSpec(label="Outcomes", fields=[forms.FieldSpec(label="Outcome measured",
                                                                    field_type=FieldType.short_text)])]))
    return review, lead


def _answers(checklist):
    return {answer.item.number: answer for answer in checklist.answers}


def test_the_checklist_has_twenty_two_items_two_optional_in_seven_sections():
    assert [item.number for item in prisma_scr.ITEMS] == list(range(1, 23))
    assert [item.number for item in prisma_scr.ITEMS if item.optional] == [12, 16]
    sections = list(dict.fromkeys(item.section for item in prisma_scr.ITEMS))
    assert sections == ["Title", "Abstract", "Introduction", "Methods", "Results", "Discussion", "Funding"]


def test_the_items_the_data_answer_carry_those_data(session, world):
    review, lead = world
    checklist = prisma_scr.scoping_checklist(session, review_access(session, review.id, lead.id))
    answers = _answers(checklist)
    assert {number for number, answer in answers.items() if answer.from_data} == FROM_DATA
    assert checklist.answered == len(FROM_DATA)
    assert answers[7].evidence == ("MEDLINE (Ovid) (database): searched 2024-03-01, 6 records",
                                   "Google Scholar (website): searched 2024-04-15, 4 records")
    assert "Most recent search: 2024-04-15" in answers[7].text
    assert answers[8].evidence == ("MEDLINE (Ovid): peer support[mh] AND crisis*",)
    assert "1 of 2 imports" in answers[8].text
    assert "two reviewers independently" in answers[9].text and "neither seeing" in answers[9].text
    assert answers[9].evidence[0].startswith("title abstract: 2 screeners, Cohen's kappa 0.57 over 6 records")
    assert answers[10].evidence == ("Charting: single, one extractor",
                                    "Outcomes: dual, two extractors independently, reconciled by a lead")
    assert "Some forms" in answers[10].text
    assert answers[11].evidence == ("Charting: Country; Type of peer support", "Outcomes: Outcome measured")
    # One record is a conflict still open (Ann included it, Ben excluded it): not screened yet.
    assert answers[14].text == ("10 records identified, 5 screened on title and abstract, 1 assessed in full text, "
                                "1 study included in 1 report.")
    assert "Excluded on title and abstract: 4" in answers[14].evidence
    for number in set(answers) - FROM_DATA:
        assert answers[number].text == prisma_scr.AUTHORS_WRITE and not answers[number].evidence


def test_single_unblinded_screening_is_said_so():
    data = prisma_scr.Inputs(batches=(prisma_scr.Batch("CINAHL", IdentificationRoute.database, None, "", 3),),
                             dual_screening=False, blind=False)
    answers = _answers(prisma_scr.Checklist("t", prisma_scr.answer_items(data)))
    assert answers[9].text == "Each record was screened by one reviewer."
    assert "1 import has no search date recorded" in answers[7].text
    assert not answers[8].from_data and not answers[10].from_data


def test_an_empty_review_leaves_every_item_to_the_authors(session, client):
    lead = make_user(session)
    review = make_review(session, lead)
    checklist = prisma_scr.scoping_checklist(session, review_access(session, review.id, lead.id))
    assert checklist.answered == 0
    assert all(answer.text == prisma_scr.AUTHORS_WRITE for answer in checklist.answers)
    log_in(client, lead.email)
    page = client.get(f"/reviews/{review.id}/prisma/scoping-checklist")
    assert page.status_code == 200 and "0 of 22 items" in page.text


def test_the_page_the_api_and_the_markdown_say_the_same(session, client, world):
    review, lead = world
    log_in(client, lead.email)
    base = f"/reviews/{review.id}/prisma"
    assert f'href="{base}/scoping-checklist"' in client.get(base).text
    page = client.get(f"{base}/scoping-checklist")
    assert page.status_code == 200
    assert "6 of 22 items" in page.text and "Google Scholar (website): searched 2024-04-15" in page.text
    assert page.text.count(prisma_scr.AUTHORS_WRITE) == 16
    api = client.get(f"/api{base}/scoping-checklist").json()
    assert api["answered"] == 6 and len(api["items"]) == 22
    assert api["items"][6]["evidence"][0] == "MEDLINE (Ovid) (database): searched 2024-03-01, 6 records"
    markdown = client.get(f"{base}/scoping-checklist.md")
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "### 7. Information sources" in markdown.text and "- Charting: single, one extractor" in markdown.text


def test_a_reason_used_in_both_prisma_columns_is_one_line_of_item_14(session, tmp_path):
    world = prisma_review.build(session, tmp_path)
    checklist = prisma_scr.scoping_checklist(session, review_access(session, world.review.id, world.lead.id))
    lines = [line for line in _answers(checklist)[14].evidence if line.startswith("Excluded in full text")]
    assert len(lines) == len({line.rsplit(":", 1)[0] for line in lines})
