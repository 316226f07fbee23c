"""``winnow demo``: a review to try Winnow on in minutes, from a real labelled dataset.

Three accounts (a lead and two reviewers, passwords printed once), the records of
demo/cohen_2006_adhd_demo.csv imported through the ordinary import job, and the
first records screened by both reviewers from the dataset's own labels, with a
few disagreements, so that conflicts and agreement have something to show. Six
relevant records go on through full text to extraction: a data form both
reviewers fill in (with illustrative values, not read from the papers), four of
them reconciled by the lead and two waiting, so every extraction page has data."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app import accounts
from app.config import PROJECT_ROOT, Settings
from app.jobs import follow_job
from app.services import decide_and_next, retrain_soon, start_import
from extraction import extracting, forms, reconciling
from extraction.forms import FieldSpec, FormSpec, OptionSpec, SectionSpec
from extraction.models import FieldType
from extraction.studies import included_studies
from extraction.values import Entry, Node
from screening.review.errors import InvalidInput
from screening.decisions.stages import decision_of
from screening.importing import BatchRequest
from screening.models import Stage, Verdict
from screening.review.models import ReviewCreate, Role, ScreeningSettings, User
from screening.records import kept_records
from screening.review.access import review_access
from screening.review.members import add_member
from screening.review.reviews import create_review, update_screening_settings

DEMO_FILE = PROJECT_ROOT / "demo" / "cohen_2006_adhd_demo.csv"
PEOPLE = (("demo-lead@example.org", "Dana Lead"), ("demo-ann@example.org", "Ann Reviewer"),
          ("demo-ben@example.org", "Ben Reviewer"))
SCREENED_BY_BOTH = 40
DISAGREEMENTS = 4
EXTRACTED = 6  # relevant records both reviewers include at both stages and then extract
RECONCILED = 4
DESIGNS = ("Randomised controlled trial", "Non-randomised controlled study", "Cohort study")
DRUG_CLASSES = ("Stimulant", "Non-stimulant", "Antidepressant")
COUNTRIES = ("US", "CA", "GB", "DE", "NL")
DEMO_FORM = FormSpec(
    name="Demo data form",
    description="Illustrative values, not read from the papers: they show what the extraction pages do.",
    sections=[SectionSpec(label="Study", fields=[
        FieldSpec(label="Study design", field_type=FieldType.single_choice, required=True,
                  options=[OptionSpec(label=label) for label in DESIGNS]),
        FieldSpec(label="Country", field_type=FieldType.country),
        FieldSpec(label="Drug class", field_type=FieldType.multiple_choice,
                  options=[OptionSpec(label=label) for label in DRUG_CLASSES]),
        FieldSpec(label="Sample size", field_type=FieldType.integer, unit="participants"),
    ])],
)


@dataclass(frozen=True)
class DemoReview:
    review_id: int
    passwords: dict[str, str]  # email -> password, shown once


def create_demo(engine: Engine, settings: Settings) -> DemoReview:
    with Session(engine) as session:
        taken = session.exec(select(User.email).where(User.email.in_([email for email, _ in PEOPLE]))).all()
        if taken:
            raise InvalidInput(f"The demo accounts already exist ({', '.join(taken)}): the demo was made before.")
        no_admin = session.exec(select(User.id).where(User.is_admin)).first() is None
        passwords = {email: secrets.token_urlsafe(9) for email, _ in PEOPLE}
        users = [
            accounts.create_user(session, accounts.AccountCreate(email=email, name=name, password=passwords[email]),
                                 is_admin=no_admin and index == 0)
            for index, (email, name) in enumerate(PEOPLE)
        ]
        lead, ann, ben = users
        review = create_review(session, ReviewCreate(
            title="Demo: drug classes for ADHD (Cohen et al. 2006)", review_type="systematic",
            question="Which drug treatments for attention-deficit/hyperactivity disorder are effective and safe?",
            eligibility_criteria="Population: children or adults with ADHD.\nIntervention: a drug treatment.\n"
                                 "Design: randomised controlled trials or good-quality observational studies.",
        ), lead.id)
        access = review_access(session, review.id, lead.id)
        update_screening_settings(session, access, ScreeningSettings(
            inclusion_terms="attention deficit\nADHD\nhyperactivity\nrandomized", exclusion_terms="rats\nin vitro"))
        for reviewer in (ann, ben):
            add_member(session, access, reviewer.email, Role.reviewer)
        batch = start_import(session, settings, access, BatchRequest(
            source_name="ASReview datasets (Cohen 2006)", filename=DEMO_FILE.name), DEMO_FILE.read_bytes())
        review_id, job_id, lead_id, reviewer_ids = review.id, batch.job_id, lead.id, (ann.id, ben.id)
    follow_job(engine, job_id, settings, lambda progress: None)
    with Session(engine) as session:
        _screen_some(session, review_id, *reviewer_ids)
        _extract_some(session, review_id, lead_id, *reviewer_ids)
        training = retrain_soon(session, review_id, lead_id, delay=timedelta(0)).id
    follow_job(engine, training, settings, lambda progress: None)  # so the queue is ranked from the start
    return DemoReview(review_id, passwords)


def _screen_some(session: Session, review_id: int, ann_id: int, ben_id: int) -> None:
    records = kept_records(session, review_id)[:SCREENED_BY_BOTH]
    flipped = set(random.Random(5).sample(range(len(records)), DISAGREEMENTS))
    for index, record in enumerate(records):
        truth = Verdict.include if record.raw.get("label_included") == "1" else Verdict.exclude
        other = Verdict.include if truth is Verdict.exclude else Verdict.exclude
        decide_and_next(session, review_access(session, review_id, ann_id), record.id, Stage.title_abstract, truth)
        decide_and_next(session, review_access(session, review_id, ben_id), record.id, Stage.title_abstract,
                        other if index in flipped else truth)


def _extract_some(session: Session, review_id: int, lead_id: int, ann_id: int, ben_id: int) -> None:
    relevant = [record.id for record in kept_records(session, review_id) if record.raw.get("label_included") == "1"]
    chosen = 0
    for record_id in relevant:
        earlier = [decision_of(session, record_id, Stage.title_abstract, reviewer) for reviewer in (ann_id, ben_id)]
        if any(decision is not None and decision.verdict is not Verdict.include for decision in earlier):
            continue  # one of the demo's conflicts: left for the lead to resolve
        for stage in (Stage.title_abstract, Stage.full_text):
            for reviewer_id in (ann_id, ben_id):
                if decision_of(session, record_id, stage, reviewer_id) is None:  # the first 40 are screened already
                    decide_and_next(session, review_access(session, review_id, reviewer_id), record_id, stage,
                                    Verdict.include)
        chosen += 1
        if chosen == EXTRACTED:
            break
    lead = review_access(session, review_id, lead_id)
    form = forms.create_form(session, lead, DEMO_FORM)
    definition = forms.load_definition(session, form)
    design, country, drugs, size = definition.sections[0].fields
    chance = random.Random(11)
    for index, study in enumerate(included_studies(session, lead.review, citations=False)):
        values = {design.id: Entry(chance.choice(design.options).id), country.id: Entry([chance.choice(COUNTRIES)]),
                  drugs.id: Entry(sorted({chance.choice(drugs.options).id for _ in range(2)})),
                  size.id: Entry(chance.randrange(40, 400))}
        for reviewer_id in (ann_id, ben_id):
            mine = dict(values)
            if reviewer_id == ben_id and index % 2:  # Ben reads another sample size in every second study
                mine[size.id] = Entry(values[size.id].value + 12)
            extracting.submit(session, review_access(session, review_id, reviewer_id), form.id, study.study.id,
                              Node(values=mine))
        if index < RECONCILED:
            differing = reconciling.reconciliation(session, lead, form.id, study.study.id).differing
            reconciling.resolve(session, lead, form.id, study.study.id,
                                {item.path: {"choice": "first"} for item in differing}, finish=True)
