"""PRISMA 2020 counts and diagram for a review of 100,000 records and 300 studies, on SQLite
and PostgreSQL.

usage: .venv/bin/python bench/prisma.py [--records 100000] [--studies 300] [--runs 3]
           [--backends sqlite,postgresql] [--postgres-url URL]

Issue 14's target: the counts (with the arithmetic check and the lead's wording) and the SVG
under 1 s each, for such a review.

For each backend: a fresh database (a SQLite file in a temporary directory; a new
``winnow_prisma_<random>`` database on the PostgreSQL server, dropped afterwards; skipped,
with the reason, when the server is unreachable), ``winnow db upgrade``; a lead and a
single-screening review; three complete import batches (two databases, one of citation
searching) and the records bulk-inserted (``screening.review.bulk.insert_rows``, as an import
stores them), 5% of them merged duplicates; 1,000 removed before screening; title-and-abstract
verdicts on the first 60% of the rest, 1.2% of them includes; a recorded stopping check that
allowed stopping, so the rest are the automation box; full-text verdicts on every include (a
few not retrieved, some excluded with reasons); the included reports linked into ``--studies``
studies. Then ``--runs`` times each: ``prisma_report`` (what the page, the API and the CLI
call: counts, check, wording) and ``render_svg``; the best and the first (cold) run are
printed, with the PNG's time for reference.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def build(url: str, records: int, studies: int, seed: int = 7) -> int:
    import sqlalchemy as sa
    from sqlmodel import Session

    from app import db
    from extraction.models import Study, StudyReport
    from screening.decisions.reasons import exclusion_reasons
    from screening.models import (
        BatchStatus, Decision, FullText, IdentificationRoute, ImportBatch, MergeKind, Record, RecordRemoval, Stage,
        StoppingCheck, Verdict,
    )
    from screening.review.bulk import insert_rows
    from screening.review.models import utcnow
    from tests.factories import make_review, make_user

    rng = random.Random(seed)
    db.upgrade(url)
    engine = db.make_engine(url)
    with Session(engine) as session:
        lead = make_user(session, name="Bench Lead")
        review = make_review(session, lead, title="PRISMA bench")
        review.dual_screening = False
        session.add(review)
        session.commit()
        reasons = [reason.id for reason in exclusion_reasons(session, review.id)][:4]
        now = utcnow()
        shares = (("MEDLINE (Ovid)", IdentificationRoute.database, 0.55), ("Embase (Ovid)", IdentificationRoute.database, 0.43),
                  ("Citation searching", IdentificationRoute.citation_searching, 0.02))
        batch_ids = []
        for name, route, _ in shares:
            batch = ImportBatch(review_id=review.id, source_name=name, filename=f"{name}.ris", status=BatchStatus.complete,
                                identification=route, created_by_id=lead.id, completed_at=now)
            session.add(batch)
            session.flush()
            batch_ids.append(batch.id)
        session.commit()
        connection = session.connection()
        empty = {"source_id": "", "abstract": "", "authors": [], "journal": "", "volume": "", "issue": "", "pages": "",
                 "doi": "", "pmid": "", "keywords": [], "url": "", "type": "", "raw": {}}
        rows, position = [], 0
        for (name, _, share), batch_id in zip(shares, batch_ids):
            for index in range(int(records * share)):
                position += 1
                rows.append(empty | {"review_id": review.id, "batch_id": batch_id, "position": index + 1,
                                     "title": f"Record {position} of the bench", "year": 1970 + position % 55,
                                     "duplicate_of_id": None, "merge_kind": None})
        for start in range(0, len(rows), 5000):
            insert_rows(connection, Record.__table__, rows[start:start + 5000])
        session.commit()
        ids = list(session.exec(sa.select(Record.id).where(Record.review_id == review.id).order_by(Record.id)).scalars())
        duplicates = ids[-int(len(ids) * 0.05):]
        kept = ids[:len(ids) - len(duplicates)]
        connection = session.connection()
        for start in range(0, len(duplicates), 5000):
            chunk = duplicates[start:start + 5000]
            connection.execute(sa.update(Record).where(Record.id.in_(chunk)).values(
                duplicate_of_id=kept[0], merge_kind=MergeKind.auto))
        removed = kept[:1000]
        insert_rows(connection, RecordRemoval.__table__, [
            {"review_id": review.id, "record_id": record_id, "reason": "Published before 1990",
             "removed_by_id": lead.id, "removed_at": now, "restored_by_id": None, "restored_at": None}
            for record_id in removed])
        screening = kept[1000:]
        screened = screening[:int(len(screening) * 0.6)]
        included = set(rng.sample(screened, int(len(screened) * 0.012)))
        decision = {"review_id": review.id, "reviewer_id": lead.id, "slot": 1, "note": "", "decided_at": now,
                    "updated_at": now}
        ta = [decision | {"record_id": record_id, "stage": Stage.title_abstract, "reason_id": None,
                          "verdict": Verdict.include if record_id in included else Verdict.exclude}
              for record_id in screened]
        for start in range(0, len(ta), 5000):
            insert_rows(connection, Decision.__table__, ta[start:start + 5000])
        included = sorted(included)
        not_retrieved = included[:20]
        insert_rows(connection, FullText.__table__, [
            {"review_id": review.id, "record_id": record_id, "filename": "", "stored_path": "", "size_bytes": 0,
             "not_retrieved_reason": "Not available from the library or the authors", "updated_by_id": lead.id,
             "updated_at": now} for record_id in not_retrieved])
        assessed = included[20:]
        reports = assessed[:min(len(assessed), int(studies * 1.3))]
        ft = [decision | {"record_id": record_id, "stage": Stage.full_text,
                          "verdict": Verdict.include if record_id in set(reports) else Verdict.exclude,
                          "reason_id": None if record_id in set(reports) else rng.choice(reasons)}
              for record_id in assessed]
        insert_rows(connection, Decision.__table__, ft)
        session.add(StoppingCheck(review_id=review.id, started_by_id=lead.id, started_at=now, n_unscreened=40000,
                                  relevant_before=len(included), sample=[], relevant_in_sample=0, p_value=0.01,
                                  reject=True, recorded_at=now))
        session.commit()
        study_ids = []
        for number in range(studies):
            study = Study(review_id=review.id, label=f"Study {number}")
            session.add(study)
            session.flush()
            study_ids.append(study.id)
        session.commit()
        insert_rows(session.connection(), StudyReport.__table__, [
            {"review_id": review.id, "study_id": study_ids[index % studies], "record_id": record_id, "linked_at": now}
            for index, record_id in enumerate(reports)])
        session.commit()
        if engine.dialect.name == "postgresql":
            session.connection().exec_driver_sql("ANALYZE")
            session.commit()
        review_id = review.id
    engine.dispose()
    return review_id


def measure(url: str, review_id: int, runs: int) -> dict[str, list[float]]:
    from sqlmodel import Session, select

    from app import db
    from extraction.reports import prisma_diagram, prisma_report
    from screening.review.access import review_access
    from screening.review.models import Membership

    engine = db.make_engine(url)
    times: dict[str, list[float]] = {"counts": [], "svg": [], "png": []}
    for _ in range(runs):
        with Session(engine) as session:
            lead = session.exec(select(Membership.user_id).where(Membership.review_id == review_id)).first()
            access = review_access(session, review_id, lead)
            start = time.perf_counter()
            report = prisma_report.prisma_report(session, access)
            times["counts"].append(time.perf_counter() - start)
            start = time.perf_counter()
            svg = prisma_diagram.render_svg(report.counts, title=report.title, as_of_text=report.as_of_text)
            times["svg"].append(time.perf_counter() - start)
            start = time.perf_counter()
            prisma_diagram.svg_to_png(svg)
            times["png"].append(time.perf_counter() - start)
    counts = report.counts
    print(f"  boxes: identified {counts.n('database_results') + counts.n('citations_results'):,}, "
          f"duplicates {counts.n('duplicates'):,}, automation {counts.n('excluded_automatic'):,}, "
          f"screened {counts.n('records_screened'):,}, assessed {counts.n('dbr_assessed'):,}, "
          f"studies {counts.n('total_studies'):,} from {counts.n('total_reports'):,} reports; "
          f"checks holding {sum(check.holds for check in report.checks)}/{len(report.checks)}")
    engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--studies", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=DEFAULT_PG)
    args = parser.parse_args()
    from bench.databases import postgres_database

    for backend in args.backends.split(","):
        drop = None
        with tempfile.TemporaryDirectory() as folder:
            if backend == "sqlite":
                url = f"sqlite:///{folder}/bench.db"
            else:
                made = postgres_database(args.postgres_url, "winnow_prisma")
                if isinstance(made, str):
                    print(f"{backend}: skipped, {made}")
                    continue
                url, drop = made
            try:
                start = time.perf_counter()
                review_id = build(url, args.records, args.studies)
                print(f"{backend}: {args.records:,} records and {args.studies} studies built in "
                      f"{time.perf_counter() - start:.1f} s")
                times = measure(url, review_id, args.runs)
                for name, values in times.items():
                    target = "" if name == "png" else (" (target < 1 s: " + ("met" if min(values) < 1 else "MISSED") + ")")
                    print(f"  {name:6}: best {min(values) * 1000:,.1f} ms, first {values[0] * 1000:,.1f} ms over "
                          f"{len(values)} runs{target}")
            finally:
                if drop is not None:
                    drop()


if __name__ == "__main__":
    main()
