"""``winnow simulate --screeners 2``: a team of simulated screeners screening a labelled review
through Winnow itself, to put a number on what blind dual screening costs.

Unlike the single-screener replay (``screening.ranking.simulate``, the ranking alone), this
runs the app: a scratch SQLite database migrated as shipped, a review with its screeners, and
each decision made by the very service functions the pages and the API call
(``app.services.decide_and_next``, ``resolve``), each training run by the job worker's own
``run_next_job``, each record served by the real queue under blind mode's rule. A screener
reveals the true label of what it is served, misreading it with probability ``error`` (drawn
per screener and record, so every design meets the same mistakes); a
conflict goes to the lead, who reveals the true label. A record is found when its title and
abstract outcome moves on (agreed, or resolved by the lead).

The figure is the team's screening decisions until 95% and 100% of the relevant records are
found, against the same review screened by one screener through the same code. The ranking
retrains after every round of turns (each screener deciding once), before anyone asks for the
next record: for one screener, the instant retraining the single-screener replay assumes.
"""

from __future__ import annotations

import math
import random
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path

from sqlmodel import Session, select

from app import db, services
from app.accounts import AccountCreate, create_user
from app.jobs import JOB_KINDS, run_next_job
from screening.decisions.outcomes import Outcome
from screening.decisions.stages import status_of, statuses
from screening.models import BatchStatus, ImportBatch, Record, Stage, Verdict
from screening.ranking.features import KEYWORDS_MARKER
from screening.ranking.in_review import train_ranking
from screening.ranking.simulate import LabelledRecord
from screening.review.access import review_access
from screening.review.bulk import insert_rows
from screening.review.members import add_member
from screening.review.models import ReviewCreate, Role
from screening.review.reviews import create_review

TA = Stage.title_abstract
NOW = timedelta(0)  # the simulated team never waits for a training to gather decisions

# How the ranking serves a blind dual team: the chosen design, and the alternatives it was measured against.
DESIGNS = {
    "complete": "blind; one model learns from the records whose screening is complete (Winnow's)",
    "own": "blind; each screener's model learns from their own verdicts and the complete records (rejected)",
    "shared": "not blind; one model learns from every verdict, a colleague's included (leaks in blind mode)",
}


@dataclass(frozen=True)
class TeamResult:
    n: int
    relevant: int
    screeners: int
    design: str
    decisions_for_95: int | None  # the team's screening decisions, priors included; None: never reached
    decisions_for_100: int | None
    decisions: int  # all the team made before stopping
    resolutions: int  # conflicts the lead settled
    missed: int  # relevant records excluded for good
    wall_seconds: float


def simulate_team(records: Sequence[LabelledRecord], prior_ids: Sequence[str], *, screeners: int = 2,
                  design: str = "complete", error: float = 0.0, seed: int = 0, head_start: int = 0) -> TeamResult:
    """Screen ``records`` with a team of ``screeners`` (1 for single screening). The priors are
    decided first by every screener, truthfully. ``head_start``: the first screener's decisions
    before the others start (a morning alone); then they take turns."""
    if design not in DESIGNS:
        raise ValueError(f"Unknown design {design!r}: use one of {', '.join(DESIGNS)}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="winnow-simulate-") as folder:
        url = f"sqlite:///{Path(folder) / 'simulation.sqlite'}"
        db.upgrade(url)
        engine = db.make_engine(url)
        try:
            with Session(engine) as session:
                team = _team(session, records, screeners, blind=design != "shared")
                kinds = {**JOB_KINDS, "train": partial(train_ranking, own_models=design == "own")}
                result = _screen(session, engine, team, records, prior_ids, kinds, error, seed, head_start)
        finally:
            engine.dispose()
    return TeamResult(n=len(records), relevant=sum(r.label for r in records), screeners=screeners, design=design,
                      wall_seconds=time.perf_counter() - started, **result)


@dataclass
class _Team:
    review_id: int
    lead_id: int
    screener_ids: list[int]
    record_ids: dict[str, int]  # labelled record id -> database id


def _team(session: Session, records: Sequence[LabelledRecord], screeners: int, *, blind: bool) -> _Team:
    people = [create_user(session, AccountCreate(email=f"{name}@simulation.invalid", name=name,
                                                 password="simulation-only-password"))
              for name in ["lead"] + [f"screener{number}" for number in range(1, screeners + 1)]]
    lead, *team = people
    review = create_review(session, ReviewCreate(title="Simulated screening"), lead.id)
    review.dual_screening, review.blind = screeners > 1, blind
    session.add(review)
    session.commit()
    access = review_access(session, review.id, lead.id)
    for person in team:
        add_member(session, access, person.email, Role.reviewer)
    batch = ImportBatch(review_id=review.id, source_name="Simulation", filename="labelled.csv",
                        status=BatchStatus.complete)
    session.add(batch)
    session.flush()
    rows = []
    for position, record in enumerate(records):
        body, _, keywords = record.text.partition(KEYWORDS_MARKER)
        rows.append({"review_id": review.id, "batch_id": batch.id, "position": position, "source_id": record.record_id,
                     "title": body, "abstract": "", "authors": [], "year": None, "journal": "", "volume": "",
                     "issue": "", "pages": "", "doi": "", "pmid": "", "url": "", "type": "", "raw": {},
                     "keywords": [word.strip() for word in keywords.split(";") if word.strip()]})
    insert_rows(session.connection(), Record.__table__, rows)
    session.commit()
    ids = dict(session.exec(select(Record.source_id, Record.id).where(Record.review_id == review.id)).all())
    return _Team(review.id, lead.id, [person.id for person in team], ids)


def _screen(session, engine, team: _Team, records, prior_ids, kinds, error: float, seed: int,
            head_start: int) -> dict:
    truth = {team.record_ids[r.record_id]: r.label for r in records}
    relevant = sum(truth.values())
    need = {95: math.ceil(0.95 * relevant), 100: relevant}
    reached: dict[int, int] = {}
    found: set[int] = set()
    counts = {"decisions": 0, "resolutions": 0}

    def errs(screener: int, record_id: int) -> bool:
        """Whether this screener misreads this record: drawn per screener and record, not per turn,
        so every design meets the same mistakes on the same records."""
        return random.Random(f"{seed}:{screener}:{record_id}").random() < error

    def access(user_id: int):
        return review_access(session, team.review_id, user_id)

    def decide(screener: int, record_id: int, *, may_err: bool = True) -> None:
        user_id = team.screener_ids[screener]
        label = 1 - truth[record_id] if may_err and errs(screener, record_id) else truth[record_id]
        services.decide_and_next(session, access(user_id), record_id, TA,
                                 Verdict.include if label else Verdict.exclude, training_delay=NOW)
        counts["decisions"] += 1
        lead = access(team.lead_id)
        outcome = status_of(session, lead.review, record_id, TA).outcome
        if outcome is Outcome.conflict:  # the lead reads the record and settles it at once
            services.resolve(session, lead, record_id, TA, Verdict.include if truth[record_id] else Verdict.exclude,
                             training_delay=NOW)
            counts["resolutions"] += 1
            outcome = Outcome.moves_on if truth[record_id] else Outcome.excluded
        if outcome is Outcome.moves_on and truth[record_id]:
            found.add(record_id)
        for percent, count in need.items():
            if len(found) >= count and percent not in reached:
                reached[percent] = counts["decisions"]

    def train() -> None:
        while run_next_job(engine, kinds=kinds):
            pass

    for prior in dict.fromkeys(prior_ids):
        for screener in range(len(team.screener_ids)):
            decide(screener, team.record_ids[prior], may_err=False)
    train()
    done: set[int] = set()
    for turn in _turns(len(team.screener_ids), head_start):
        for index in turn:
            record = services.next_record(session, access(team.screener_ids[index]), TA)
            if record is None:
                done.add(index)
            else:
                decide(index, record.id)
        train()
        if len(reached) == len(need) or len(done) == len(team.screener_ids):
            break
    final = statuses(session, access(team.lead_id).review, TA)
    missed = sum(truth[s.record_id] for s in final if s.outcome is Outcome.excluded)
    return {"decisions_for_95": reached.get(95), "decisions_for_100": reached.get(100),
            "decisions": counts["decisions"], "resolutions": counts["resolutions"], "missed": missed}


def _turns(screeners: int, head_start: int):
    """Rounds of turns: the first screener alone for ``head_start`` rounds, then every screener
    once a round. The ranking retrains after each round, as the app's training gathers the
    decisions a team makes in the same moment."""
    for _ in range(head_start):
        yield [0]
    while True:
        yield list(range(screeners))
