"""Forms a lead starts from and then edits like any other: a scoping review of community
services, an economic evaluation (with the CHEERS 2022 checklist), a qualitative evidence
synthesis, and two appraisal forms, Cochrane RoB 2 and the CASP qualitative checklist.

Each is a ``FormSpec``, created by ``forms.create_form`` as any form the lead writes."""

from __future__ import annotations

from extraction.forms import FieldSpec, FormSpec, OptionSpec, SectionSpec
from extraction.models import FieldType as T
from screening.review.errors import InvalidInput


def _options(*labels: str) -> list[OptionSpec]:
    return [OptionSpec(label=label) for label in labels]


def _tree(spec: dict[str, list[str]]) -> list[OptionSpec]:
    return [OptionSpec(label=label, children=_options(*children)) for label, children in spec.items()]


def _f(label: str, kind: T, *options: str, **extra) -> FieldSpec:
    return FieldSpec(label=label, field_type=kind, options=_options(*options), **extra)


INTERVENTION_TYPES = {
    "Psychotherapy": ["Dialectical behaviour therapy (DBT)", "Mentalisation-based treatment (MBT)", "Schema therapy",
                      "Cognitive behavioural therapy (CBT)", "STEPPS", "Cognitive analytic therapy (CAT)",
                      "Clarification-oriented psychotherapy", "Other psychotherapy"],
    "Case management": [],
    "Therapeutic community": [],
    "Peer support": [],
    "Joint crisis plans": [],
    "Stepped care": [],
    "Nidotherapy": [],
    "Psychoeducation with problem solving": [],
    "Other": [],
}

SCOPING = FormSpec(
    name="Scoping review: community services",
    description="Charting form for a scoping review of community services for people with complex emotional needs.",
    sections=[
        SectionSpec(label="Study", fields=[
            _f("Study design", T.single_choice, "Randomised controlled trial", "Non-randomised controlled study",
               "Cohort study", "Pre-post study", "Case series", "Qualitative study", "Mixed methods",
               "Economic evaluation", "Other", required=True),
            _f("Setting", T.single_choice, "Specialist community personality-disorder service",
               "Generic community mental health service", "Primary care", "Third sector", "Other"),
            _f("Country", T.country, required=True, help="Every country the study recruited in."),
            _f("Funding", T.long_text, help="Who funded the study, as the report says."),
        ]),
        SectionSpec(label="Population", fields=[
            _f("Population age group", T.single_choice, "Children and young people (under 18)", "Adults (18-64)",
               "Older adults (65 and over)", "Mixed ages"),
            _f("Diagnosis or need", T.short_text, help="E.g. borderline personality disorder, or complex emotional needs."),
            _f("Sample size", T.integer, unit="participants", help="Participants randomised or enrolled."),
        ]),
        SectionSpec(label="Intervention", fields=[
            FieldSpec(label="Intervention type", field_type=T.hierarchical, options=_tree(INTERVENTION_TYPES),
                      required=True, help="Choose the type under its category; a study of two interventions has two."),
            FieldSpec(label="Participants and comparators", field_type=T.group,
                      help="One row per arm.", fields=[
                          _f("Arm", T.short_text, is_key=True, required=True),
                          _f("Participants", T.integer, unit="participants"),
                          _f("Description", T.long_text)]),
        ]),
        SectionSpec(label="Outcomes", fields=[
            FieldSpec(label="Outcomes", field_type=T.group, help="One row per outcome; time points inside it.", fields=[
                _f("Outcome", T.short_text, is_key=True, required=True),
                _f("Measure", T.short_text, help="The instrument, e.g. ZAN-BPD."),
                FieldSpec(label="Time points", field_type=T.group, fields=[
                    _f("Time point", T.short_text, is_key=True, required=True, help="E.g. 12 months."),
                    _f("Result", T.long_text)]),
            ]),
        ]),
    ],
)

# CHEERS 2022 (Husereau et al. 2022): the 28 items of the reporting checklist.
CHEERS_2022 = [
    "1. Title", "2. Abstract", "3. Background and objectives", "4. Health economic analysis plan",
    "5. Study population", "6. Setting and location", "7. Comparators", "8. Perspective", "9. Time horizon",
    "10. Discount rate", "11. Selection of outcomes", "12. Measurement of outcomes", "13. Valuation of outcomes",
    "14. Measurement and valuation of resources and costs", "15. Currency, price date and conversion",
    "16. Rationale and description of model", "17. Analytics and assumptions", "18. Characterising heterogeneity",
    "19. Characterising distributional effects", "20. Characterising uncertainty",
    "21. Approach to engagement with patients and others affected by the study", "22. Study parameters",
    "23. Summary of main results", "24. Effect of uncertainty",
    "25. Effect of engagement with patients and others affected by the study",
    "26. Study findings, limitations, generalisability and current knowledge", "27. Source of funding",
    "28. Conflicts of interest",
]

ECONOMIC = FormSpec(
    name="Economic evaluation",
    sections=[
        SectionSpec(label="Methods", fields=[
            _f("Perspective", T.single_choice, "Health care payer", "Health and social care", "Societal", "Other",
               required=True),
            _f("Currency", T.short_text, help="ISO 4217 code, e.g. GBP."),
            _f("Price year", T.integer),
            _f("Outcome measure", T.single_choice, "QALY from EQ-5D", "QALY from SF-6D", "QALY, other instrument",
               "Life years", "Natural units", "Other"),
        ]),
        SectionSpec(label="Results", fields=[
            FieldSpec(label="Costs per arm", field_type=T.group, fields=[
                _f("Arm", T.short_text, is_key=True, required=True),
                _f("Mean cost per participant", T.decimal),
                _f("Costs included", T.long_text)]),
            _f("ICER", T.decimal, unit="per QALY", help="Incremental cost-effectiveness ratio, in the study's currency."),
        ]),
        SectionSpec(label="CHEERS 2022 reporting checklist", fields=[
            _f(item, T.single_choice, "Yes", "No", "Not applicable") for item in CHEERS_2022
        ]),
    ],
)

QUALITATIVE = FormSpec(
    name="Qualitative evidence synthesis",
    sections=[
        SectionSpec(label="Study", fields=[
            FieldSpec(label="Participants", field_type=T.group, required=True, fields=[
                _f("Group", T.single_choice, "Service users", "Carers", "Staff", is_key=True, required=True),
                _f("Number", T.integer, unit="participants")]),
            _f("Setting", T.short_text),
            _f("Country", T.country),
            _f("Data collection", T.multiple_choice, "Individual interviews", "Focus groups", "Observation",
               "Written accounts", "Other"),
            _f("Analysis method", T.single_choice, "Thematic analysis", "Framework analysis",
               "Interpretative phenomenological analysis", "Grounded theory", "Content analysis", "Other"),
        ]),
        SectionSpec(label="Findings", fields=[
            FieldSpec(label="Themes", field_type=T.group, help="One row per theme the study reports.", fields=[
                _f("Theme", T.short_text, is_key=True, required=True),
                _f("Description", T.long_text),
                _f("Supporting quote", T.long_text),
                _f("Page", T.short_text)]),
        ]),
    ],
)

ROB2_DOMAINS = [
    "Domain 1: bias arising from the randomisation process",
    "Domain 2: bias due to deviations from intended interventions",
    "Domain 3: bias due to missing outcome data",
    "Domain 4: bias in measurement of the outcome",
    "Domain 5: bias in selection of the reported result",
    "Overall risk of bias",
]

ROB2 = FormSpec(
    name="Risk of bias (RoB 2)",
    description="Cochrane RoB 2 for randomised trials: a judgement and its support for each domain and overall.",
    sections=[SectionSpec(label=domain, fields=[
        _f("Judgement", T.single_choice, "Low", "Some concerns", "High", required=True),
        _f("Support for judgement", T.long_text)]) for domain in ROB2_DOMAINS],
)

CASP_QUALITATIVE_QUESTIONS = [
    "1. Was there a clear statement of the aims of the research?",
    "2. Is a qualitative methodology appropriate?",
    "3. Was the research design appropriate to address the aims of the research?",
    "4. Was the recruitment strategy appropriate to the aims of the research?",
    "5. Was the data collected in a way that addressed the research issue?",
    "6. Has the relationship between researcher and participants been adequately considered?",
    "7. Have ethical issues been taken into consideration?",
    "8. Was the data analysis sufficiently rigorous?",
    "9. Is there a clear statement of findings?",
    "10. How valuable is the research?",
]

CASP_QUALITATIVE = FormSpec(
    name="CASP qualitative checklist",
    sections=[SectionSpec(label="CASP qualitative checklist", fields=[
        _f(question, T.single_choice, "Yes", "No", "Can't tell", required=True) for question in CASP_QUALITATIVE_QUESTIONS
    ] + [_f("Comments", T.long_text)])],
)

TEMPLATES: dict[str, FormSpec] = {
    "scoping": SCOPING,
    "economic": ECONOMIC,
    "qualitative": QUALITATIVE,
    "rob2": ROB2,
    "casp_qualitative": CASP_QUALITATIVE,
}


def template(name: str) -> FormSpec:
    if name not in TEMPLATES:
        raise InvalidInput(f"No form template {name!r}: use one of {', '.join(TEMPLATES)}.", field="template")
    return TEMPLATES[name].model_copy(deep=True)
