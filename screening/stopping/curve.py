"""The recall curve of ranked screening, and what the last records screened suggest about
the rest: a heuristic, named as one (the lead's check in ``checks`` is the test)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from scipy.stats import beta
from sqlmodel import Session, select

from screening.decisions.stages import kept_in_review, statuses
from screening.decisions.visibility import labels_visible_to
from screening.models import Decision, Stage
from screening.review.models import Review
from screening.stopping.rule import QuasiSampling, quasi_sampling_p

TAIL = 100  # the last records screened, taken as a sample of what remains


@dataclass(frozen=True)
class RecallCurve:
    points: list[tuple[int, int]]  # (records screened, relevant found so far)
    total: int  # records at title and abstract, screened or not
    since_last_relevant: int
    tail_size: int
    tail_relevant: int
    remaining_estimate: float  # relevant records expected among the unscreened
    remaining_upper: float  # its one-sided 95% upper bound
    heuristic: QuasiSampling


def team_labels(session: Session, review: Review) -> dict[int, int]:
    """What the team has found so far, record by record: in blind mode only records whose
    screening is complete, so the figures every member sees hide every half-screened verdict."""
    return labels_visible_to(statuses(session, review, Stage.title_abstract), None, review.blind)


def recall_curve(session: Session, review: Review) -> RecallCurve:
    labels = team_labels(session, review)
    first_decision = session.exec(
        select(Decision.record_id, sa.func.min(Decision.id))
        .where(Decision.review_id == review.id, Decision.stage == Stage.title_abstract)
        .group_by(Decision.record_id)
    ).all()
    order = [record_id for record_id, _ in sorted(first_decision, key=lambda row: row[1]) if record_id in labels]
    order += sorted(set(labels) - set(order))  # resolved by the lead with no screener's verdict
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
