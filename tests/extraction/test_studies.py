"""Included records become reports of studies; the lead links and splits them."""

import pytest

from extraction import extracting, forms
from extraction.models import FieldType
from extraction.studies import (
    included_studies, link_studies, rename_study, split_report, study_in_review, suggest_links,
)
from extraction.values import Entry, Node
from screening.citation import Citation
from screening.decisions.deciding import decide
from screening.decisions.reasons import exclusion_reasons
from screening.decisions.resolving import resolve
from screening.decisions.stages import included_record_ids
from screening.models import Stage, Verdict
from screening.review.errors import InvalidInput, NotFound


def test_included_record_ids_are_the_records_moving_on_at_full_text(session, team):
    lead, ann = team.access(session, team.lead), team.access(session, team.ann)
    fourth, fifth = team.record_ids[3], team.record_ids[4]
    resolve(session, lead, fourth, Stage.title_abstract, Verdict.include)  # at full text, not yet decided there
    resolve(session, lead, team.record_ids[2], Stage.full_text, Verdict.exclude,
            reason_id=_a_reason(session, team))  # was included: the lead changes their mind
    for stage in Stage:
        for access in (ann, team.access(session, team.ben)):
            decide(session, access, fifth, stage, Verdict.maybe)  # maybe moves on, like include
    assert included_record_ids(session, team.review) == [*team.record_ids[:2], fifth]


def _a_reason(session, team):
    return exclusion_reasons(session, team.review.id)[0].id


def test_each_included_record_starts_as_a_study_named_by_first_author(session, team):
    studies = included_studies(session, team.review)
    assert [view.study.label for view in studies] == ["Reimer", "Jorenby", "Berman"]
    assert [[r.report.record_id for r in view.reports] for view in studies] == [[rid] for rid in team.record_ids[:3]]
    assert len(included_studies(session, team.review)) == 3  # asking again makes no new studies


def test_linking_moves_reports_and_codings_and_splitting_undoes_it(session, team):
    lead = team.access(session, team.lead)
    form = forms.create_form(session, lead, forms.FormSpec(name="Data", sections=[forms.SectionSpec(
        label="S", fields=[forms.FieldSpec(label="Notes", field_type=FieldType.short_text)])]))
    notes = forms.load_definition(session, form).sections[0].fields[0]
    first, second, third = included_studies(session, team.review)
    extracting.save_draft(session, team.access(session, team.ann), form.id, second.study.id,
                          Node(values={notes.id: Entry("from the protocol")}))
    link_studies(session, lead, second.study.id, first.study.id)
    studies = included_studies(session, team.review)
    assert [[r.report.record_id for r in view.reports] for view in studies] == [team.record_ids[:2], [team.record_ids[2]]]
    state = extracting.coding_state(session, team.access(session, team.ann), form.id, first.study.id)
    assert state.tree.value(notes.id) == "from the protocol"
    # both coded on the same form: refused, nothing changes
    extracting.save_draft(session, team.access(session, team.ben), form.id, third.study.id,
                          Node(values={notes.id: Entry("other")}))
    with pytest.raises(InvalidInput, match="already coded on the same form"):
        link_studies(session, lead, third.study.id, first.study.id)
    report = next(r for r in studies[0].reports if r.report.record_id == team.record_ids[1])
    split_report(session, lead, report.report.id)
    assert [[r.report.record_id for r in view.reports] for view in included_studies(session, team.review)] == \
        [[rid] for rid in team.record_ids[:3]]


def test_suggestions_from_a_shared_registration_number_or_authors_and_title():
    protocol = Citation(title="Dialectical behaviour therapy for adolescents: protocol",
                        abstract="Registered as ISRCTN12345678.", authors=["Smith, A", "Jones, B"])
    results = Citation(title="Dialectical behaviour therapy for adolescents who self-harm: a randomised trial",
                       authors=["Smith, A", "Jones, B", "Khan, C"], keywords=["isrctn12345678"])
    abstract = Citation(title="DBT for adolescents who self-harm: one-year results", authors=["Smith, A", "Jones, B"])
    unrelated = Citation(title="Nidotherapy in a community team", authors=["Smith, A"])
    found = suggest_links([(1, [protocol]), (2, [results]), (3, [abstract]), (4, [unrelated])])
    reasons = {(s.first_id, s.second_id): s.reason for s in found}
    assert reasons[(1, 2)] == "both cite the trial registration ISRCTN12345678"
    assert reasons[(2, 3)] == "share the authors Smith, Jones and similar titles"
    assert (1, 4) not in reasons and (3, 4) not in reasons


def test_a_study_read_alone_follows_the_same_inclusion_rule(session, team):
    first, second, third = included_studies(session, team.review)
    assert study_in_review(session, team.review, second.study.id).study.label == "Jorenby"
    # the lead excludes the record at title and abstract after all: it leaves full text, and its study goes
    resolve(session, team.access(session, team.lead), team.record_ids[1], Stage.title_abstract, Verdict.exclude)
    assert [view.study.id for view in included_studies(session, team.review)] == [first.study.id, third.study.id]
    with pytest.raises(NotFound):
        study_in_review(session, team.review, second.study.id)


def test_the_lead_renames_a_study_and_a_bad_name_is_refused(session, team):
    first = included_studies(session, team.review)[0]
    rename_study(session, team.access(session, team.lead), first.study.id, "  Reimer   1999 ")
    assert included_studies(session, team.review)[0].study.label == "Reimer 1999"
    with pytest.raises(InvalidInput, match="Name the study in 1 to 200 characters"):
        rename_study(session, team.access(session, team.lead), first.study.id, " ")
