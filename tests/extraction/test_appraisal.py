"""Appraisal summaries from consensus judgements: RoB 2's traffic lights per study and domain,
and each domain's share of low, some concerns and high, as robvis draws them."""

from extraction import extracting, form_templates, forms
from extraction.reports import appraisal as appraising, typology
from extraction.studies import included_studies
from extraction.values import Entry, Node


def test_rob2_judgements_make_the_traffic_lights_and_the_shares(session, team):
    spec = form_templates.template("rob2")
    spec.dual = False
    form = forms.create_form(session, team.access(session, team.lead), spec)
    definition = forms.load_definition(session, form)
    judgements = [section.fields[0] for section in definition.sections]
    ann = team.access(session, team.ann)
    plan = [["Low"] * 5 + ["Low"], ["Low", "Some concerns", "Low", "High", "Low", "High"],
            ["Some concerns", "Low", "Low", "Low", "Low", "Some concerns"]]
    views = included_studies(session, team.review)
    for view, answers in zip(views, plan):
        values = {}
        for item, answer in zip(judgements, answers):
            values[item.id] = Entry(next(option.id for option in item.options if option.label == answer))
        extracting.submit(session, ann, form.id, view.study.id, Node(values=values))
    result = appraising.appraisal(typology.form_summary(session, team.review, form))
    assert [domain.label for domain in result.domains] == form_templates.ROB2_DOMAINS
    overall = result.domains[-1].key
    ids = [view.study.id for view in views]
    assert [result.judgement(study, overall).label for study in ids] == ["Low", "High", "Some concerns"]
    assert [(share.level, share.study_ids) for share in result.shares if share.domain.key == overall] == [
        ("low", (ids[0],)), ("some", (ids[2],)), ("high", (ids[1],))]
    domain_4 = [(share.level, round(share.share, 3)) for share in result.shares if share.domain.key == result.domains[3].key]
    assert domain_4 == [("low", 0.667), ("high", 0.333)]
    spec = appraising.summary_spec(result, lambda ids, about="": f"/s?ids={ids}")
    assert len(spec["data"]["values"]) == len(result.shares)


def test_casp_answers_count_as_judgements_and_other_forms_have_none(session, team):
    casp = forms.create_form(session, team.access(session, team.lead), form_templates.template("casp_qualitative"))
    domains = appraising.appraisal_domains(forms.load_definition(session, casp))
    assert [domain.label for domain in domains] == form_templates.CASP_QUALITATIVE_QUESTIONS
    scoping = forms.create_form(session, team.access(session, team.lead), form_templates.template("scoping"))
    assert appraising.appraisal_domains(forms.load_definition(session, scoping)) == []
