"""Load: a team screening and extracting at once in one review, against ``winnow serve``.

usage: .venv/bin/python bench/team_load.py [--runs sqlite:1,postgresql:2] [--users 20] [--extracting 0.4]
           [--studies 300] [--screen-think-ms 3000] [--extract-think-ms 1000] [--seconds 60] [--seed 7]
           [--records FILE.csv] [--postgres-url URL] [--json FILE]

Issue 16's load: 20 and 50 people at once, some screening titles and abstracts, the others
extracting the studies already included, on SQLite and on PostgreSQL with several workers;
requests per second and p95 of each kind of request, zero decisions or values lost or
duplicated, no "database is locked" reaching anyone.

For each run (database:workers), the setting up of ``bench/extraction_load.py`` (a fresh
database, ``winnow db upgrade``, a lead and ``--users`` reviewer accounts with API tokens,
``winnow import`` of the records, the first ``--studies`` records included at both stages by
the lead, a 24-question dual-extraction form), then ``winnow serve --workers W`` and one
client thread per person, released together:

- the first ``(1 - --extracting)`` of them screen, as ``bench/screening_load.py``'s reviewers
  do (open the screening page, GET next, decide and get next, about 5% resent), pausing
  ``--screen-think-ms`` on average to read each record;
- the others extract, as ``bench/extraction_load.py``'s extractors do (the form's queue, three
  draft saves as the coding grows, a submit), pausing ``--extract-think-ms`` on average before
  each request: the page autosaves one second after typing stops, so one a second is the most
  an extractor sends.

Both think times are faster than people work (a title and abstract take tens of seconds to
read; a study's extraction takes an hour): the load is heavier than a real team's of the same
size. Then the database is read back with each script's own check (lost, duplicated, more
than two per record or study, the audit log agreeing), and the server's log searched for
tracebacks and "database is locked".

The client threads share this machine's cores with the server; the figures are for this
machine (``nproc`` is printed), loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import extraction_load  # noqa: E402
import screening_load  # noqa: E402
from databases import Unavailable, fresh_database  # noqa: E402
from harness import parse_runs, percentile, server_cpu_seconds, server_env, start_server, stop_server  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_P95_MS = 100
KINDS = (  # (label, which side, the result's list of latencies)
    ("screening: decide and get next", "screen", "latencies"),
    ("screening: GET next", "screen", "next_latencies"),
    ("screening: open the page", "screen", "page_latencies"),
    ("extraction: save a draft", "extract", "draft_latencies"),
    ("extraction: submit", "extract", "submit_latencies"),
    ("extraction: the form's queue", "extract", "queue_latencies"),
)


def records_kept(url: str, review_id: int) -> int:
    from sqlmodel import Session

    from app import db
    from screening.records import kept_records

    engine = db.make_engine(url)
    with Session(engine) as session:
        count = len(kept_records(session, review_id))
    engine.dispose()
    return count


def load(base: str, screening: screening_load.Setup, extracting: extraction_load.Setup, args
         ) -> tuple[list, list, float, float]:
    """Every person's thread, released together; their results and the wall time."""
    people = len(screening.reviewers) + len(extracting.reviewers)
    start = threading.Barrier(people + 1)
    deadline_box = [0.0]
    screeners: list = [screening_load.ReviewerResult(uid) for uid, _ in screening.reviewers]
    extractors: list = [extraction_load.ExtractorResult(uid) for uid, _ in extracting.reviewers]

    def screen(index: int, user_id: int, token: str) -> None:
        try:
            screeners[index] = screening_load.reviewer(
                base, screening.review_id, user_id, token, seed=args.seed * 1000 + index, cap=10**6,
                deadline_box=deadline_box, resend=0.05, start=start, think=args.screen_think_ms / 1000)
        except Exception as error:  # noqa: BLE001 - report it in the table, do not hang the others
            screeners[index].errors.append(f"thread crashed: {type(error).__name__}: {error}")

    def extract(index: int, user_id: int, token: str) -> None:
        try:
            extractors[index] = extraction_load.extractor(
                base, extracting, user_id, token, seed=args.seed * 1000 + 500 + index, drafts=3,
                deadline_box=deadline_box, start=start, think=args.extract_think_ms / 1000)
        except Exception as error:  # noqa: BLE001
            extractors[index].errors.append(f"thread crashed: {type(error).__name__}: {error}")

    threads = [threading.Thread(target=screen, args=(i, uid, tok), daemon=True)
               for i, (uid, tok) in enumerate(screening.reviewers)]
    threads += [threading.Thread(target=extract, args=(i, uid, tok), daemon=True)
                for i, (uid, tok) in enumerate(extracting.reviewers)]
    for thread in threads:
        thread.start()
    deadline_box[0] = time.monotonic() + args.seconds
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join(timeout=args.seconds + 120)
    return screeners, extractors, time.perf_counter() - began


def bench(kind: str, workers: int, args) -> dict:
    try:
        with fresh_database(kind, args.postgres_url, "winnow_tload") as (url, data_dir):
            env = server_env(url, data_dir)
            print(f"  {kind} x{workers}: setting up {args.users} people, {args.studies} studies ...", flush=True)
            whole = extraction_load.set_up(url, env, args.records, args.users, args.studies,
                                           title="A team under load")
            extractor_count = round(args.users * args.extracting)
            screeners = whole.reviewers[: args.users - extractor_count]
            extracting = extraction_load.Setup(whole.review_id, whole.form_id, whole.reviewers[len(screeners):],
                                               whole.studies, whole.definition)
            screening = screening_load.Setup(whole.review_id, 0, screeners, records_kept(url, whole.review_id) - whole.studies)
            load_before = os.getloadavg()[0]
            print(f"  {kind} x{workers}: {len(screeners)} screening {screening.records:,} records, "
                  f"{len(extracting.reviewers)} extracting {whole.studies} studies; "
                  f"winnow serve --workers {workers} ...", flush=True)
            process, base = start_server(env, workers, Path(data_dir) / "serve.log")
            try:
                cpu_before = server_cpu_seconds(process.pid)
                screened, extracted, wall = load(base, screening, extracting, args)
                server_cpu = server_cpu_seconds(process.pid) - cpu_before
                log = (Path(data_dir) / "serve.log").read_text(errors="replace")
            finally:
                stop_server(process)
            decisions = screening_load.check(url, screening, screened)
            values = extraction_load.check(url, extracting, extracted)
            sides = {"screen": screened, "extract": extracted}
            kinds = {}
            for label, side, attribute in KINDS:
                latencies = [x for result in sides[side] for x in getattr(result, attribute)]
                kinds[label] = {"count": len(latencies), "per_s": len(latencies) / wall,
                                "p50_ms": 1000 * percentile(latencies, 50), "p95_ms": 1000 * percentile(latencies, 95)}
            requests = sum(k["count"] for k in kinds.values())
            errors = [e for result in screened + extracted for e in result.errors]
            return {
                "database": kind, "workers": workers, "screeners": len(screened), "extractors": len(extracted),
                "wall_s": wall, "requests": requests, "per_s": requests / wall, "kinds": kinds,
                "server_cpu_ms_per_request": 1000 * server_cpu / max(1, requests),
                "decisions_lost": decisions["lost"] + decisions["wrong_verdict"],
                "decisions_duplicated": decisions["duplicated"], "over_two_per_record": decisions["over_two"],
                "decisions_acked": decisions["acked"], "audit_decisions": decisions["audit_creates"],
                "audit_changes": decisions["audit_changes"],
                "values_checked": values["values_checked"], "values_lost": values["lost"],
                "unsubmitted": values["unsubmitted"], "over_two_per_study": values["over_two"],
                "codings_submitted": values["submitted_rows"], "audit_submits": values["audit_submits"],
                "screening_refused": sum(r.refused for r in screened),
                "extraction_refused": sum(r.refused for r in extracted),
                "unexpected": sum(len(r.unexpected) for r in screened),
                "errors": len(errors), "error_samples": errors[:5],
                "tracebacks": log.count("Traceback"), "database_locked": log.count("database is locked"),
                "loadavg": (load_before, os.getloadavg()[0]),
            }
    except Unavailable as why:
        return {"database": kind, "workers": workers, "skipped": str(why)}


def print_rows(rows: list[dict]) -> None:
    header = ["database", "workers", "people (screen + extract)", "requests/s"]
    header += [f"{label} p50 / p95 ms" for label, _, _ in KINDS]
    header += ["lost", "duplicated", "errors"]
    print("\n| " + " | ".join(header) + " |\n|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        if "skipped" in row:
            print(f"| {row['database']} | {row['workers']} | skipped: {row['skipped']} |")
            continue
        cells = [row["database"], str(row["workers"]), f"{row['screeners']} + {row['extractors']}",
                 f"{row['per_s']:.1f}"]
        cells += [f"{k['p50_ms']:.0f} / {k['p95_ms']:.0f}" for k in row["kinds"].values()]
        cells += [str(row["decisions_lost"] + row["values_lost"]),
                  str(row["decisions_duplicated"] + row["over_two_per_record"] + row["over_two_per_study"]),
                  str(row["errors"])]
        print("| " + " | ".join(cells) + " |")
    print()
    for row in rows:
        if "skipped" in row:
            continue
        over = [label for label, k in row["kinds"].items() if k["count"] and not k["p95_ms"] < TARGET_P95_MS]
        print(f"{row['database']} x{row['workers']}: "
              f"{'p95 under ' + str(TARGET_P95_MS) + ' ms for every kind' if not over else 'p95 over ' + str(TARGET_P95_MS) + ' ms: ' + ', '.join(over)}. "
              f"Requests per kind (per second): "
              + "; ".join(f"{label} {k['count']:,} ({k['per_s']:.1f}/s)" for label, k in row["kinds"].items())
              + f". Screening: {row['decisions_acked']:,} decisions acknowledged, {row['decisions_lost']} lost, "
              f"{row['decisions_duplicated']} duplicated, {row['over_two_per_record']} records with more than two, "
              f"audit {row['audit_decisions']:,} decision.create and {row['audit_changes']} decision.change, "
              f"{row['screening_refused']} refused (422: two colleagues decided it first), {row['unexpected']} unexpected. "
              f"Extraction: {row['codings_submitted']} codings submitted, {row['values_checked']:,} values checked, "
              f"{row['values_lost']} lost, {row['unsubmitted']} acknowledged but not submitted, "
              f"{row['over_two_per_study']} studies with more than two extractions, audit {row['audit_submits']} "
              f"coding.submit, {row['extraction_refused']} refused (422: two colleagues took the study first). "
              f"{row['errors']} errors reached a client; the server log has {row['tracebacks']} tracebacks and "
              f"{row['database_locked']} 'database is locked'; the server spent {row['server_cpu_ms_per_request']:.0f} ms "
              f"of CPU per request; wall {row['wall_s']:.1f} s; 1-min load average {row['loadavg'][0]:.1f} before, "
              f"{row['loadavg'][1]:.1f} after.")
        for sample in row["error_samples"]:
            print(f"    {sample}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default="sqlite:1,postgresql:2", help="database:workers, comma-separated")
    parser.add_argument("--users", type=int, default=20, help="people working at once")
    parser.add_argument("--extracting", type=float, default=0.4, help="the share of them extracting")
    parser.add_argument("--studies", type=int, default=300, help="records included, each a study to code twice")
    parser.add_argument("--screen-think-ms", type=float, default=3000, help="mean pause before each decision")
    parser.add_argument("--extract-think-ms", type=float, default=1000, help="mean pause before each save")
    parser.add_argument("--seconds", type=float, default=60, help="time bound of the load phase")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--records", type=Path, default=screening_load.DEFAULT_RECORDS
                        if screening_load.DEFAULT_RECORDS.exists() else screening_load.FALLBACK_RECORDS)
    parser.add_argument("--postgres-url", default=DEFAULT_PG)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    args.records = args.records.resolve()  # the server reads it from its own folder
    runs = parse_runs(parser, args.runs)
    commit = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    print(f"Team load: {args.users} people, {args.extracting:.0%} extracting, think time {args.screen_think_ms:.0f} ms "
          f"per decision and {args.extract_think_ms:.0f} ms per save, {args.seconds:.0f} s bound, "
          f"{os.cpu_count()} CPUs (clients and server share them); code {commit.stdout.strip()}", flush=True)
    rows = []
    for kind, workers in runs:
        try:
            rows.append(bench(kind, workers, args))
        except Exception as error:  # noqa: BLE001 - one failed run still leaves the others' figures
            rows.append({"database": kind, "workers": workers, "skipped": f"failed: {str(error).strip()[-400:]}"})
    print_rows(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
