"""The lead's "am I done?" check, built on the statistical stopping rule of
Callaghan & Müller-Hansen (2020, Systematic Reviews 9:273).

Once ranked screening has found ``rho`` relevant records, the lead draws a
uniformly random sample of the ``N`` records still unscreened; screeners see
the sample first and screen it as usual (dual, blind); with ``k`` relevant in
it, ``screening.stopping.stopping_test`` tests "recall is below the target".
The lead then records the result, which the PRISMA diagram reports for the
records left unscreened ("marked ineligible by automation tools")."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlmodel import Session, select

from screening.review.audit import record_event
from screening.decisions.outcomes import Outcome
from screening.decisions.stages import kept_in_review, statuses
from screening.review.errors import InvalidInput
from screening.models import Record, Stage, StoppingCheck
from screening.review.models import Review, Role, utcnow
from screening.review.access import ReviewAccess
from screening.stopping.curve import team_labels
from screening.stopping.rule import StoppingTest, additional_sample_needed, stopping_test


def unscreened_ids(session: Session, review: Review) -> list[int]:
    """Kept records the team has learnt nothing about yet (``team_labels``): nobody has decided
    them, or in blind mode their screening is not complete. Together with the records found
    relevant so far they account for every relevant record, as the test needs."""
    found = team_labels(session, review)
    return [record_id for record_id in session.exec(kept_in_review(review.id).order_by(Record.id))
            if record_id not in found]


def relevant_found(session: Session, review: Review) -> int:
    return sum(team_labels(session, review).values())


def suggested_sample_size(session: Session, review: Review, target_recall: float = 0.95,
                          confidence: float = 0.95) -> int:
    """The smallest sample that settles the test if none of it is relevant."""
    unscreened = len(unscreened_ids(session, review))
    if unscreened == 0:
        return 0
    return additional_sample_needed(unscreened, relevant_found(session, review), 0, 0, target_recall, confidence)


def active_check(session: Session, review_id: int) -> StoppingCheck | None:
    """The latest check whose result is not yet recorded."""
    return session.exec(select(StoppingCheck).where(
        StoppingCheck.review_id == review_id, StoppingCheck.recorded_at.is_(None)).order_by(StoppingCheck.id.desc())).first()


def recorded_checks(session: Session, review_id: int) -> list[StoppingCheck]:
    return list(session.exec(select(StoppingCheck).where(
        StoppingCheck.review_id == review_id, StoppingCheck.recorded_at.is_not(None)).order_by(StoppingCheck.id)))


def start_check(session: Session, access: ReviewAccess, sample_size: int, *, target_recall: float = 0.95,
                confidence: float = 0.95, rng: random.Random | None = None) -> StoppingCheck:
    access.require(Role.lead)
    review = access.review
    if active_check(session, review.id) is not None:
        raise InvalidInput("A check is already under way: finish screening its sample and record its result first.")
    unscreened = unscreened_ids(session, review)
    if not 0 < sample_size <= len(unscreened):
        raise InvalidInput(f"Choose a sample of 1 to {len(unscreened):,} records (the records still unscreened).",
                           field="sample_size")
    check = StoppingCheck(
        review_id=review.id, started_by_id=access.user_id, target_recall=target_recall, confidence=confidence,
        n_unscreened=len(unscreened), relevant_before=relevant_found(session, review),
        sample=sorted((rng or random.SystemRandom()).sample(unscreened, sample_size)),
    )
    stopping_test(check.n_unscreened, check.relevant_before, sample_size, 0, target_recall, confidence)  # checks inputs
    session.add(check)
    session.flush()
    record_event(session, actor_id=access.user_id, action="stopping.start", object_type="stopping_check",
                 object_id=check.id, review_id=review.id, n_unscreened=check.n_unscreened,
                 relevant_before=check.relevant_before, sample_size=sample_size)
    session.commit()
    session.refresh(check)
    return check


@dataclass(frozen=True)
class CheckProgress:
    check: StoppingCheck
    screened: int  # sampled records whose title/abstract outcome is settled
    relevant: int  # of those, relevant
    test: StoppingTest | None  # once the whole sample is screened


def check_progress(session: Session, review: Review, check: StoppingCheck) -> CheckProgress:
    sample = set(check.sample)
    settled = [s for s in statuses(session, review, Stage.title_abstract)
               if s.record_id in sample and s.outcome in (Outcome.moves_on, Outcome.excluded)]
    relevant = sum(s.outcome is Outcome.moves_on for s in settled)
    test = None
    if len(settled) == len(sample):
        test = stopping_test(check.n_unscreened, check.relevant_before, len(sample), relevant,
                             check.target_recall, check.confidence)
    return CheckProgress(check, len(settled), relevant, test)


def record_result(session: Session, access: ReviewAccess, check_id: int) -> StoppingCheck:
    access.require(Role.lead)
    check = session.get(StoppingCheck, check_id)
    if check is None or check.review_id != access.review.id or check.recorded_at is not None:
        raise InvalidInput(f"No check {check_id} waiting for its result in this review.")
    progress = check_progress(session, access.review, check)
    if progress.test is None:
        raise InvalidInput(f"{len(check.sample) - progress.screened} sampled records still wait for screening "
                           "(or for the lead, if in conflict).")
    check.relevant_in_sample, check.p_value, check.reject = progress.relevant, progress.test.p_value, progress.test.reject
    check.recorded_at = utcnow()
    session.add(check)
    record_event(session, actor_id=access.user_id, action="stopping.record", object_type="stopping_check",
                 object_id=check.id, review_id=access.review.id, p_value=check.p_value, reject=check.reject,
                 relevant_in_sample=check.relevant_in_sample)
    session.commit()
    session.refresh(check)
    return check
