"""The review's figures in one place, so the overview, the Statistics page and the API give the
same numbers: progress per stage, agreement, the pilot, the recall curve, the ranking run that
serves this member, and the stopping checks. Every figure is a team total that names no
record, or this member's own, so blind mode holds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from screening.decisions.progress import PairAgreement, Progress, agreement_by_pair, progress
from screening.decisions.stages import screeners_needed
from screening.models import RankingRun, Stage, StoppingCheck
from screening.ranking.scores import current_run
from screening.review.access import ReviewAccess
from screening.review.agreement import Agreement
from screening.stopping import checks
from screening.stopping.curve import RecallCurve, recall_curve


@dataclass(frozen=True)
class StageStatistics:
    stage: Stage
    progress: Progress
    agreement: Agreement  # over each record's first two verdicts
    pairs: list[PairAgreement]


@dataclass(frozen=True)
class Pilot:
    size: int
    agreement: Agreement
    pairs: list[PairAgreement]


@dataclass(frozen=True)
class Statistics:
    stages: list[StageStatistics]
    pilot: Pilot | None
    curve: RecallCurve
    run: RankingRun | None  # the training that ranks this member's queue
    check: checks.CheckProgress | None  # a stopping check under way
    suggested_sample: int  # for a new check, when none is under way
    recorded_checks: list[StoppingCheck]


def stage_progress(session: Session, access: ReviewAccess) -> list[Progress]:
    """Each stage's progress, for the overview's card."""
    return [progress(session, access, stage) for stage in Stage]


def statistics(session: Session, access: ReviewAccess) -> Statistics:
    review = access.review
    stages = []
    for stage in Stage:
        overall, pairs = agreement_by_pair(session, review, stage)
        stages.append(StageStatistics(stage, progress(session, access, stage), overall, pairs))
    pilot_ids = screeners_needed(session, review).pilot_ids
    pilot = Pilot(len(pilot_ids), *agreement_by_pair(session, review, Stage.title_abstract, pilot_ids)) if pilot_ids else None
    check = checks.active_check(session, review.id)
    return Statistics(
        stages=stages, pilot=pilot, curve=recall_curve(session, review),
        run=current_run(session, review.id, access.user_id),
        check=checks.check_progress(session, review, check) if check else None,
        suggested_sample=0 if check else checks.suggested_sample_size(session, review),
        recorded_checks=checks.recorded_checks(session, review.id),
    )
