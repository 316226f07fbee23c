"""The PRISMA-ScR checklist for scoping reviews (Tricco et al. 2018, Ann Intern Med 169:467-473):
22 items, two of them optional (the critical appraisal ones), and for each either what the
review's own data already answer, with the figures behind it, or a plain "the authors must
write this". The item wording below is ours, a short reminder of what each item asks; the
published checklist is the reference.

The answers are pure functions of plain inputs (``Inputs``); ``scoping_checklist`` is the one
function that reads the database. Every figure is a team total (batches, settings, forms,
agreement over records both screeners decided, PRISMA counts of settled records), so every
member may see the checklist, blind mode or not."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from extraction import forms
from extraction.reports import prisma
from screening.decisions.progress import agreement_by_pair
from screening.models import BatchStatus, Decision, IdentificationRoute, ImportBatch, Stage
from screening.review.access import ReviewAccess
from screening.review.models import User

AUTHORS_WRITE = "The authors must write this."


@dataclass(frozen=True)
class Item:
    number: int
    section: str
    topic: str
    asks: str  # our own short wording of what the item asks for
    optional: bool = False


ITEMS: tuple[Item, ...] = (
    Item(1, "Title", "Title", "Say in the title that the report is a scoping review."),
    Item(2, "Abstract", "Structured summary", "Summarise background, objectives, eligibility, sources, charting, "
         "results and conclusions, as they bear on the review's questions."),
    Item(3, "Introduction", "Rationale", "Explain why the review is needed given what is already known, and why "
         "a scoping approach suits the questions."),
    Item(4, "Introduction", "Objectives", "State the questions and objectives, naming their key elements "
         "(such as population, concept and context)."),
    Item(5, "Methods", "Protocol and registration", "Say whether a protocol exists, where to find it, and any "
         "registration number."),
    Item(6, "Methods", "Eligibility criteria", "Give the characteristics of the sources accepted (years, "
         "languages, publication status) and why."),
    Item(7, "Methods", "Information sources", "List every source searched (databases with their coverage dates, "
         "contact with authors, other sources) and when the last search ran."),
    Item(8, "Methods", "Search", "Show the full electronic search of at least one database, so that it could "
         "be run again."),
    Item(9, "Methods", "Selection of sources of evidence", "Describe how sources were screened and chosen for "
         "inclusion."),
    Item(10, "Methods", "Data charting process", "Describe how data were charted from the sources: the forms, "
         "whether one or two people charted, and how differences were settled."),
    Item(11, "Methods", "Data items", "List the variables charted, and any assumptions or simplifications made."),
    Item(12, "Methods", "Critical appraisal of individual sources of evidence", "If done, say why, and describe "
         "the methods used and how the findings were used.", optional=True),
    Item(13, "Methods", "Synthesis of results", "Describe how the charted data were handled and summarised."),
    Item(14, "Results", "Selection of sources of evidence", "Give the numbers of sources screened, assessed and "
         "included, with reasons for exclusion at each stage, ideally as a flow diagram."),
    Item(15, "Results", "Characteristics of sources of evidence", "For each source, give the characteristics "
         "for which data were charted, with citations."),
    Item(16, "Results", "Critical appraisal within sources of evidence", "If done, give the appraisal of the "
         "included sources.", optional=True),
    Item(17, "Results", "Results of individual sources of evidence", "For each included source, give the data "
         "charted that bear on the review's questions."),
    Item(18, "Results", "Synthesis of results", "Summarise or present the charted results as they relate to the "
         "questions and objectives."),
    Item(19, "Discussion", "Summary of evidence", "Summarise the main results, the overall concepts, themes and "
         "types of evidence, and their relevance to the review's audience."),
    Item(20, "Discussion", "Limitations", "Discuss the limitations of the scoping review process."),
    Item(21, "Discussion", "Conclusions", "Give a general interpretation against the objectives, with potential "
         "implications and next steps."),
    Item(22, "Funding", "Funding", "Name the sources of funding for the included sources and for the review, "
         "and the funders' role."),
)


# --- plain inputs ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Batch:
    source_name: str
    identification: IdentificationRoute
    search_date: date | None
    search_string: str
    record_count: int


@dataclass(frozen=True)
class StageScreening:
    stage: Stage
    screeners: int  # people who recorded a verdict at this stage
    agreement_n: int
    kappa: float | None


@dataclass(frozen=True)
class Form:
    name: str
    dual: bool
    verification: bool
    reconciler: str | None  # None: any lead
    field_labels: tuple[str, ...]


@dataclass(frozen=True)
class Inputs:
    batches: tuple[Batch, ...] = ()
    dual_screening: bool = True
    blind: bool = True
    stages: tuple[StageScreening, ...] = ()
    forms: tuple[Form, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)  # PRISMA 2020 box numbers by data name
    exclusion_parts: tuple[tuple[str, int], ...] = ()  # full-text reports excluded, by reason


@dataclass(frozen=True)
class Answer:
    item: Item
    text: str  # what the data say, or AUTHORS_WRITE
    evidence: tuple[str, ...] = ()  # the figures behind the text, one line each

    @property
    def from_data(self) -> bool:
        return self.text != AUTHORS_WRITE


@dataclass(frozen=True)
class Checklist:
    review_title: str
    answers: tuple[Answer, ...]

    @property
    def answered(self) -> int:
        return sum(answer.from_data for answer in self.answers)


# --- the items the data answer --------------------------------------------------------------

_ROUTE_NAMES = {IdentificationRoute.database: "database", IdentificationRoute.register: "register",
                IdentificationRoute.website: "website", IdentificationRoute.organisation: "organisation",
                IdentificationRoute.citation_searching: "citation searching"}


def _information_sources(data: Inputs) -> tuple[str, tuple[str, ...]] | None:
    if not data.batches:
        return None
    evidence = tuple(f"{batch.source_name} ({_ROUTE_NAMES[batch.identification]}): searched "
                     f"{batch.search_date.isoformat() if batch.search_date else 'on a date not recorded'}, "
                     f"{batch.record_count:,} records" for batch in data.batches)
    dated = [batch.search_date for batch in data.batches if batch.search_date]
    names = sorted({batch.source_name for batch in data.batches})
    text = f"{len(names)} source{'s' if len(names) != 1 else ''} searched: {', '.join(names)}."
    if dated:
        text += f" Most recent search: {max(dated).isoformat()}."
    undated = len(data.batches) - len(dated)
    if undated:
        text += f" {undated} import{'s have' if undated != 1 else ' has'} no search date recorded."
    return text, evidence


def _search(data: Inputs) -> tuple[str, tuple[str, ...]] | None:
    searched = [batch for batch in data.batches if batch.search_string.strip()]
    if not searched:
        return None
    evidence = tuple(f"{batch.source_name}: {batch.search_string.strip()}" for batch in searched)
    return f"Search strings recorded for {len(searched)} of {len(data.batches)} imports.", evidence


def _selection_method(data: Inputs) -> tuple[str, tuple[str, ...]] | None:
    if not data.batches:
        return None
    if data.dual_screening:
        text = ("Each record was screened by two reviewers independently"
                + (", neither seeing the other's verdict until both had decided" if data.blind else "")
                + "; disagreements were resolved by a lead.")
    else:
        text = "Each record was screened by one reviewer."
    evidence = []
    for stage in data.stages:
        line = f"{stage.stage.value.replace('_', ' ')}: {stage.screeners} screener{'s' if stage.screeners != 1 else ''}"
        if stage.kappa is not None:
            line += f", Cohen's kappa {stage.kappa:.2f} over {stage.agreement_n:,} records both decided"
        evidence.append(line)
    return text, tuple(evidence)


def _reconciling(form: Form) -> str:
    if form.dual:
        return f"dual, two extractors independently, reconciled by {form.reconciler or 'a lead'}"
    return "single, one extractor" + (", checked by a second reviewer" if form.verification else "")


def _charting(data: Inputs) -> tuple[str, tuple[str, ...]] | None:
    if not data.forms:
        return None
    kinds = {form.dual for form in data.forms}
    text = ("Data were charted by two reviewers independently and reconciled." if kinds == {True} else
            "Data were charted by one reviewer." if kinds == {False} else
            "Some forms were charted by two reviewers and reconciled, others by one reviewer.")
    return text, tuple(f"{form.name}: {_reconciling(form)}" for form in data.forms)


def _data_items(data: Inputs) -> tuple[str, tuple[str, ...]] | None:
    charted = [form for form in data.forms if form.field_labels]
    if not charted:
        return None
    total = sum(len(form.field_labels) for form in charted)
    return (f"{total} data items charted on {len(charted)} form{'s' if len(charted) != 1 else ''}.",
            tuple(f"{form.name}: {'; '.join(form.field_labels)}" for form in charted))


def _selection_results(data: Inputs) -> tuple[str, tuple[str, ...]] | None:
    counts = data.counts
    identified = sum(counts.get(key, 0) for key in ("database_results", "register_results", "website_results",
                                                    "organisation_results", "citations_results"))
    if not identified:
        return None
    screened = counts.get("records_screened", 0) + counts.get("other_records_screened", 0)
    assessed = counts.get("dbr_assessed", 0) + counts.get("other_assessed", 0)
    studies, reports = counts.get("total_studies", 0), counts.get("total_reports", 0)
    text = (f"{identified:,} records identified, {screened:,} screened on title and abstract, {assessed:,} "
            f"assessed in full text, {studies:,} stud{'y' if studies == 1 else 'ies'} included in "
            f"{reports:,} report{'' if reports == 1 else 's'}.")
    evidence = [f"Duplicates removed: {counts.get('duplicates', 0) + counts.get('other_duplicates', 0):,}",
                f"Excluded on title and abstract: {counts.get('records_excluded', 0) + counts.get('other_records_excluded', 0):,}"]
    evidence += [f"Excluded in full text, {name}: {n:,}" for name, n in data.exclusion_parts]
    evidence.append("The PRISMA flow diagram shows every box.")
    return text, tuple(evidence)


_ANSWERERS: dict[int, Callable[[Inputs], tuple[str, tuple[str, ...]] | None]] = {
    7: _information_sources, 8: _search, 9: _selection_method, 10: _charting, 11: _data_items,
    14: _selection_results,
}


def answer_items(data: Inputs) -> tuple[Answer, ...]:
    """Every item, answered from ``data`` where the data hold the answer."""
    answers = []
    for item in ITEMS:
        answerer = _ANSWERERS.get(item.number)
        found = answerer(data) if answerer else None
        answers.append(Answer(item, *found) if found else Answer(item, AUTHORS_WRITE))
    return tuple(answers)


def as_markdown(checklist: Checklist) -> str:
    lines = [f"# PRISMA-ScR checklist: {checklist.review_title}", "",
             f"{checklist.answered} of {len(checklist.answers)} items answered from the review's data by Winnow "
             "(Tricco et al. 2018).", ""]
    section = None
    for answer in checklist.answers:
        if answer.item.section != section:
            section = answer.item.section
            lines += [f"## {section}", ""]
        optional = " (optional)" if answer.item.optional else ""
        lines += [f"### {answer.item.number}. {answer.item.topic}{optional}", "", f"*{answer.item.asks}*", "",
                  answer.text]
        lines += [f"- {line}" for line in answer.evidence]
        lines.append("")
    return "\n".join(lines)


def as_json(checklist: Checklist) -> dict:
    return {"review": checklist.review_title, "answered": checklist.answered, "items": [
        {"number": a.item.number, "section": a.item.section, "topic": a.item.topic, "asks": a.item.asks,
         "optional": a.item.optional, "from_data": a.from_data, "text": a.text, "evidence": list(a.evidence)}
        for a in checklist.answers]}


# --- the database side ----------------------------------------------------------------------

def scoping_checklist(session: Session, access: ReviewAccess) -> Checklist:
    review = access.review
    batches = tuple(Batch(row.source_name, row.identification, row.search_date, row.search_string, row.record_count)
                    for row in session.exec(select(ImportBatch).where(
                        ImportBatch.review_id == review.id, ImportBatch.status == BatchStatus.complete)
                        .order_by(ImportBatch.id)))
    stages = []
    for stage in Stage:
        screeners = session.exec(select(sa.func.count(sa.distinct(Decision.reviewer_id))).where(
            Decision.review_id == review.id, Decision.stage == stage)).one()
        if screeners:
            overall, _ = agreement_by_pair(session, review, stage)
            stages.append(StageScreening(stage, screeners, overall.n, overall.kappa))
    charted = []
    for form in forms.forms_of_review(session, review.id):
        definition = forms.load_definition(session, form)
        labels = tuple(item.field.label for item in definition.walk() if not item.field.retired)
        reconciler = session.get(User, form.reconciler_id).name if form.reconciler_id else None
        charted.append(Form(form.name, form.dual, form.verification, reconciler, labels))
    counts = prisma.worded(prisma.prisma_counts(session, review), prisma.labels(session, review.id))
    parts: dict[str, int] = {}  # both PRISMA columns' reasons, one line each
    for key in ("dbr_excluded", "other_excluded"):
        for part in counts.boxes[key].parts:
            parts[part.name] = parts.get(part.name, 0) + part.n
    data = Inputs(batches, review.dual_screening, review.blind, tuple(stages), tuple(charted), counts.numbers,
                  tuple(parts.items()))
    return Checklist(review.title, answer_items(data))
