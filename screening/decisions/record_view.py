"""What the screening page shows a screener about one record, as blind mode allows: the
record with its merged citation, their own verdict, colleagues' verdicts where visible, the
score and terms of the model that ranks their queue, the full text, and their progress."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from screening.citation import Citation
from screening.decisions.deciding import my_decision
from screening.decisions.progress import Progress, progress
from screening.decisions.queue import my_previous_record
from screening.decisions.reasons import exclusion_reasons
from screening.decisions.visibility import colleagues_decisions
from screening.fulltexts import full_text_of
from screening.models import Decision, ExclusionReason, FullText, Record, RecordScore, Stage
from screening.ranking.scores import current_run, score_of
from screening.records import merged_citations
from screening.review.access import ReviewAccess


@dataclass(frozen=True)
class RecordView:
    stage: Stage
    progress: Progress
    reasons: list[ExclusionReason]
    previous: int | None  # the record this screener decided before this one, for going back
    record: Record | None = None  # None: nothing left for them at this stage
    citation: Citation | None = None
    full_text: FullText | None = None
    score: RecordScore | None = None
    mine: Decision | None = None
    colleagues: tuple[Decision, ...] = ()


def record_view(session: Session, access: ReviewAccess, stage: Stage, record: Record | None) -> RecordView:
    common = {"stage": stage, "progress": progress(session, access, stage),
              "reasons": exclusion_reasons(session, access.review.id)}
    if record is None:
        return RecordView(previous=my_previous_record(session, access, stage, None), **common)
    run = current_run(session, access.review.id, access.user_id) if stage is Stage.title_abstract else None
    return RecordView(
        record=record, citation=merged_citations(session, [record])[0],
        full_text=full_text_of(session, access.review.id, record.id), score=score_of(session, run, record.id),
        mine=my_decision(session, access, record.id, stage),
        colleagues=tuple(colleagues_decisions(session, access, record.id, stage)),
        previous=my_previous_record(session, access, stage, record.id), **common,
    )
