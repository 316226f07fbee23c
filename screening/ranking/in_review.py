"""Relevance ranking inside a review: learn from the screeners' decisions, store a
score for every record, and put the likely-relevant records first in each queue.

The model is ``screening.ranking``'s, the same code ``winnow simulate`` runs.
Training is the background job ``train_ranking``; the screening page never waits
for it, it reads the stored scores. Labels come from title/abstract screening: a
lead's resolution wins; otherwise a record is relevant if any screener included
it or marked it maybe, and irrelevant once screeners have excluded it and none
included it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from scipy.stats import beta
from sqlmodel import Session, select

from screening.decisions.outcomes import Outcome

from screening.decisions.stages import kept_in_review, statuses
from screening.models import Decision, RankingRun, RecordScore, Stage
from screening.review.models import Review
from screening.stopping.rule import QuasiSampling, quasi_sampling_p
from screening.ranking import DEFAULT_MODEL, Ranker, record_text
from screening.records import kept_citations

Report = Callable[[float, str], None]
TERMS_KEPT = 4  # each way: enough to say why, few enough to read at a glance


def training_labels(session: Session, review: Review) -> dict[int, int]:
    labels = {}
    for status in statuses(session, review, Stage.title_abstract):
        if status.resolution is not None:
            labels[status.record_id] = int(status.resolution.verdict.moves_on)
        elif any(decision.verdict.moves_on for decision in status.decisions):
            labels[status.record_id] = 1
        elif status.decisions and status.outcome is not Outcome.conflict:
            labels[status.record_id] = 0
    return labels


def train_ranking(session: Session, report: Report, *, review_id: int) -> None:
    """The training job: fit on the current labels, then replace the review's scores."""
    review = session.get(Review, review_id)
    record_ids, citations = kept_citations(session, review_id)
    labels = training_labels(session, review)
    index_of = {record_id: index for index, record_id in enumerate(record_ids)}
    known = {index_of[record_id]: label for record_id, label in labels.items() if record_id in index_of}
    report(0.1, f"Learning from {len(known):,} decisions")
    ranker = _ranker(tuple(record_text(c.title, c.abstract, "; ".join(c.keywords)) for c in citations))
    if not ranker.fit(known):
        report(1.0, "Waiting for at least one relevant and one irrelevant record: import order until then")
        return
    scores = ranker.scores()
    rows = []
    for index, record_id in enumerate(record_ids):
        terms = ranker.top_terms(index, TERMS_KEPT)
        rows.append({"record_id": record_id, "review_id": review_id, "score": float(scores[index]),
                     "terms": [[term, round(weight, 4)] for term, weight in terms.up + terms.down]})
    # Everything is computed before the first write: on SQLite a write holds the database's one
    # write lock until commit, and screeners' decisions wait for it.
    run = RankingRun(review_id=review_id, records=len(record_ids), relevant=sum(known.values()),
                     irrelevant=len(known) - sum(known.values()), model=DEFAULT_MODEL.to_dict())
    session.add(run)
    session.flush()
    connection = session.connection()
    connection.execute(sa.delete(RecordScore).where(RecordScore.review_id == review_id))
    connection.execute(sa.insert(RecordScore), [row | {"run_id": run.id} for row in rows])
    session.commit()
    report(1.0, f"Ranked {len(record_ids):,} records from {run.relevant:,} relevant and {run.irrelevant:,} irrelevant")


@functools.lru_cache(maxsize=4)
def _ranker(texts: tuple[str, ...]) -> Ranker:
    """A ranker on these texts, kept for the next training: building the text features is three
    quarters of a training's cost, and they change only when the review's records do."""
    return Ranker(list(texts))


def latest_run(session: Session, review_id: int) -> RankingRun | None:
    return session.exec(select(RankingRun).where(RankingRun.review_id == review_id)
                        .order_by(RankingRun.id.desc())).first()


def score_of(session: Session, record_id: int) -> RecordScore | None:
    return session.get(RecordScore, record_id)


TAIL = 100  # the last records screened, taken as a sample of what remains


@dataclass(frozen=True)
class RecallCurve:
    """Relevant found against records screened, in the order they were screened, and what the
    last records screened suggest about the rest: a heuristic, named as one."""

    points: list[tuple[int, int]]  # (records screened, relevant found so far)
    total: int  # records at title and abstract, screened or not
    since_last_relevant: int
    tail_size: int
    tail_relevant: int
    remaining_estimate: float  # relevant records expected among the unscreened
    remaining_upper: float  # its one-sided 95% upper bound
    heuristic: QuasiSampling


def recall_curve(session: Session, review: Review) -> RecallCurve:
    labels = training_labels(session, review)
    first_decision = session.exec(
        select(Decision.record_id, sa.func.min(Decision.id))
        .where(Decision.review_id == review.id, Decision.stage == Stage.title_abstract)
        .group_by(Decision.record_id)
    ).all()
    order = [record_id for record_id, _ in sorted(first_decision, key=lambda row: row[1]) if record_id in labels]
    found, points = 0, []
    for screened, record_id in enumerate(order, start=1):
        found += labels[record_id]
        points.append((screened, found))
    in_order = [labels[record_id] for record_id in order]
    since_last = next((i for i, label in enumerate(reversed(in_order)) if label), len(in_order))
    total = session.exec(select(sa.func.count()).select_from(kept_in_review(review.id).subquery())).one()
    tail = in_order[-TAIL:]
    unscreened = total - len(order)
    rate = sum(tail) / len(tail) if tail else 0.0
    upper_rate = float(beta.ppf(0.95, sum(tail) + 1, len(tail) - sum(tail))) if tail else 1.0
    return RecallCurve(
        points=points, total=total, since_last_relevant=since_last, tail_size=len(tail), tail_relevant=sum(tail),
        remaining_estimate=rate * unscreened, remaining_upper=upper_rate * unscreened,
        heuristic=quasi_sampling_p(in_order, total),
    )
