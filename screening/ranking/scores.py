"""The stored scores a screener's queue is ranked by, read without loading the model.

Each screener is served by their own model where blind mode gives them one, else by the
team's (see ``screening.models.RankingRun``); a run's scores are kept while it is current."""

from __future__ import annotations

from sqlmodel import Session, select

from screening.models import RankingRun, RecordScore


def current_run(session: Session, review_id: int, screener_id: int) -> RankingRun | None:
    """The run ranking this screener's queue: their own model's if they have one, else the team's."""
    return session.exec(
        select(RankingRun)
        .where(RankingRun.review_id == review_id, RankingRun.current,
               (RankingRun.screener_id == screener_id) | RankingRun.screener_id.is_(None))
        .order_by(RankingRun.screener_id.is_(None))
    ).first()


def score_of(session: Session, run: RankingRun | None, record_id: int) -> RecordScore | None:
    return session.get(RecordScore, (run.id, record_id)) if run is not None else None
