"""Relevance ranking inside a review: learn from the screeners' decisions, store a score for
every record, and put the likely-relevant records first in each queue.

The model is ``screening.ranking.model``'s, the same code ``winnow simulate`` runs. Training
is the background job ``train_ranking``; the screening page never waits for it, it reads the
stored scores (``screening.ranking.scores``). What each model may learn from is blind mode's
rule (``screening.decisions.visibility.labels_visible_to``): without blind mode one team model
learns from every verdict; in blind mode it learns from the records whose screening is
complete, so no colleague's verdict on a record still open to a screener reaches their queue.

Models of their own for blind screeners (each learning from their own verdicts too) are the
design ``winnow simulate --screeners 2 --design own`` measures, and it lost: the two
screeners' queues drift apart, a record one of them found waits for the other to reach it,
and the last relevant records are found later, at two to three times the training cost.
``own_models`` keeps it runnable for that comparison.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence

import numpy as np

import sqlalchemy as sa
from sqlmodel import Session, select

from screening.decisions.outcomes import RecordStatus
from screening.decisions.stages import statuses
from screening.decisions.visibility import labels_visible_to
from screening.models import BatchStatus, ImportBatch, RankingRun, Record, RecordScore, Stage
from screening.ranking.features import record_text
from screening.ranking.model import DEFAULT_MODEL, Ranker
from screening.records import kept_citations
from screening.review.bulk import insert_rows
from screening.review.models import Membership, Review, Role

Report = Callable[[float, str], None]
TERMS_KEPT = 4  # each way: enough to say why, few enough to read at a glance


def models_wanted(review: Review, at_stage: Sequence[RecordStatus], screener_ids: Sequence[int]
                  ) -> dict[int | None, dict[int, int]]:
    """Each model the review needs, by screener (None: the team's), with the labels it may
    learn from. A screener whose labels are the team's is served by the team's model."""
    team = labels_visible_to(at_stage, None, review.blind)
    wanted: dict[int | None, dict[int, int]] = {None: team}
    if review.blind:
        for screener_id in screener_ids:
            own = labels_visible_to(at_stage, screener_id, blind=True)
            if own != team:
                wanted[screener_id] = own
    return wanted


def train_ranking(session: Session, report: Report, *, review_id: int, own_models: bool = False) -> None:
    """The training job: fit every model whose labels changed, then replace their scores.
    ``own_models`` gives blind screeners models of their own (the rejected design above)."""
    review = session.get(Review, review_id)
    record_ids, ranker = _ranker_for(session, review_id)
    screener_ids = list(session.exec(select(Membership.user_id).where(
        Membership.review_id == review_id, Membership.role.in_([Role.reviewer, Role.lead]))))
    wanted = models_wanted(review, statuses(session, review, Stage.title_abstract), screener_ids if own_models else [])
    current = {run.screener_id: run for run in session.exec(select(RankingRun).where(
        RankingRun.review_id == review_id, RankingRun.current))}
    digests = {screener: _digest(record_ids, labels) for screener, labels in wanted.items()}
    changed = [screener for screener in wanted
               if screener not in current or current[screener].labels_digest != digests[screener]]
    retired = [run for screener, run in current.items() if screener not in wanted or screener in changed]
    report(0.1, f"Learning from {len(wanted[None]):,} decisions" + (
        f" ({len(changed)} model{'s' * (len(changed) != 1)} to train)" if len(wanted) > 1 else ""))
    index_of = {record_id: index for index, record_id in enumerate(record_ids)}
    runs, rows = [], []
    for screener in changed:
        known = {index_of[record_id]: label for record_id, label in wanted[screener].items() if record_id in index_of}
        if not ranker.fit(known):
            continue  # one class only: this queue stays in import order until both are seen
        run = RankingRun(review_id=review_id, screener_id=screener, labels_digest=digests[screener],
                         records=len(record_ids), relevant=sum(known.values()),
                         irrelevant=len(known) - sum(known.values()), model=DEFAULT_MODEL.to_dict())
        runs.append(run)
        rows.append(_score_rows(ranker, record_ids, review_id, known, every_record=not review.blind))
    # Everything is computed before the first write: on SQLite a write holds the database's one
    # write lock until commit, and screeners' decisions wait for it.
    if retired:
        retired_ids = [run.id for run in retired]
        session.exec(sa.update(RankingRun).where(RankingRun.id.in_(retired_ids)).values(current=False))
        session.exec(sa.delete(RecordScore).where(RecordScore.run_id.in_(retired_ids)))
    session.add_all(runs)
    session.flush()
    connection = session.connection()
    for run, run_rows in zip(runs, rows):
        for row in run_rows:
            row["run_id"] = run.id
        insert_rows(connection, RecordScore.__table__, run_rows)
    session.commit()
    if changed and not runs:
        report(1.0, "Waiting for at least one relevant and one irrelevant record: import order until then")
    else:
        report(1.0, f"Ranked {len(record_ids):,} records for {len(runs)} model{'s' * (len(runs) != 1)}")


def _digest(record_ids: list[int], labels: dict[int, int]) -> str:
    """Same records, same labels and same model: same scores, so no need to train again."""
    data = json.dumps([DEFAULT_MODEL.to_dict(), record_ids, sorted(labels.items())], separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def _score_rows(ranker: Ranker, record_ids: list[int], review_id: int, labelled: Mapping[int, int],
                every_record: bool) -> list[dict]:
    """Scores, with the terms behind them, for the records the model's screeners may still be
    served: in blind mode those it has no label for (a screener is never served a record they
    decided or one whose screening is complete); without blind mode every record, since a record
    one screener decided still waits for another. Terms only where the model has no label."""
    scores = ranker.scores()
    unlabelled = np.array([index for index in range(len(record_ids)) if index not in labelled], dtype=np.int64)
    terms = dict(zip(unlabelled.tolist(), ranker.all_top_terms(TERMS_KEPT, rows=unlabelled)))
    return [
        {"run_id": 0, "record_id": record_ids[index], "review_id": review_id, "score": float(scores[index]),
         "terms": [[term, round(weight, 4)] for term, weight in terms[index].up + terms[index].down]
         if index in terms else []}
        for index in (range(len(record_ids)) if every_record else unlabelled.tolist())
    ]


_RANKERS: OrderedDict[int, tuple[int, list[int], Ranker]] = OrderedDict()  # review id -> (groups' hash, ids, ranker)
RANKERS_KEPT = 4


def _ranker_for(session: Session, review_id: int) -> tuple[list[int], Ranker]:
    """The review's kept record ids and a ranker on their texts, kept for the next training:
    building the text features is most of a training's cost, and they change only when the
    review's records or duplicate groups do (records themselves are never edited)."""
    groups = session.connection().execute(
        sa.select(Record.id, Record.duplicate_of_id).join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(Record.review_id == review_id, ImportBatch.status == BatchStatus.complete).order_by(Record.id)).all()
    fingerprint = hash(tuple(map(tuple, groups)))
    cached = _RANKERS.get(review_id)
    if cached is None or cached[0] != fingerprint:
        record_ids, citations = kept_citations(session, review_id)
        texts = [record_text(c.title, c.abstract, "; ".join(c.keywords)) for c in citations]
        cached = _RANKERS[review_id] = (fingerprint, record_ids, Ranker(texts))
    _RANKERS.move_to_end(review_id)
    while len(_RANKERS) > RANKERS_KEPT:
        _RANKERS.popitem(last=False)
    return cached[1], cached[2]
