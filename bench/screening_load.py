"""Load: 20 simulated reviewers screening at once against ``winnow serve``, on SQLite and PostgreSQL.

usage: .venv/bin/python bench/screening_load.py [--runs sqlite:1,postgresql:1,postgresql:2]
           [--reviewers 20] [--per-reviewer 100] [--seconds 60] [--think-ms 0] [--resend 0.05] [--seed 7]
           [--records FILE.csv] [--postgres-url URL] [--profile {auto,always,never}] [--json FILE]

The target: with 20 reviewers screening concurrently, p95 of "decide and get next", of
"GET next" and of opening the screening page under 100 ms, and no decision lost or duplicated.

For each run (database:workers):

1. a fresh database (a SQLite file in a temporary directory; a new
   ``winnow_load_<random>`` database on the PostgreSQL server, dropped
   afterwards; skipped, with the reason, when the server is unreachable),
   ``winnow db upgrade``; a lead and N reviewer accounts
   (``app.accounts.create_user``), a dual-screening review
   (``screening.review.reviews.create_review``), the reviewers added with
   ``add_member(..., Role.reviewer)``, one API token each
   (``app.accounts.create_api_token``); ``winnow import REVIEW FILE``;
2. ``winnow serve --port P [--workers W]`` on a free loopback port, as it
   ships (with its job worker process), its log in the temporary directory;
3. N client threads, released together (with ``--think-ms`` each then waits a random part of
   one think time before opening the page, as a team arrives over a moment), each with its own HTTP connection
   and ``Authorization: Bearer`` token: open the screening page (HTML) and
   ``GET .../screen/title_abstract/next`` (each timed: "page" and "GET next"),
   then ``POST .../screen/title_abstract/{record}`` with a seeded random
   verdict, timing each POST (the "decide and get next" round trip, the
   client's view: queueing in the server included) and going on with the
   answer's ``next``, until null, the per-reviewer cap or the time bound.
   About ``--resend`` of acknowledged decisions are posted again with the same
   verdict (idempotence), counted apart and not in the latency figures. A 422
   is the API refusing a record two others decided in the meantime (every
   queue is in import order, so 20 reviewers without think time collide all
   the time): counted as "refused", the thread opens the page and asks for its next record again;
5xx and transport failures are errors;
4. read back with SQLAlchemy: *lost* = acknowledged (reviewer, record) with no
   row or another verdict; *duplicated* = (record, stage, reviewer) groups of
   more than one row (the unique constraint forbids them; counted anyway);
   *>2* = records with more than two decisions at title and abstract (dual
   screening: a race between the count and the insert would show here);
   *unacked* = rows no client was told about; the audit log's
   ``decision.create`` events must equal the rows and there must be no
   ``decision.change`` (the resends changed nothing).

When a run's p95 is over the target (or with ``--profile always``) the same
database is then driven in-process, one reviewer, no concurrency: the path a
POST takes (token look-up, review access, ``deciding.decide``,
``queue.next_record``, the record's merged citation) is timed by part and
by SQL statement, with cProfile's top functions, to tell the cost of one
request from the cost of contention.

The client threads share this machine's cores with the server; the figures are
for this machine (``nproc`` is printed), loopback only.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import httpx2 as httpx  # noqa: E402  (the test extra's HTTP client, as Starlette's TestClient uses)
from databases import Unavailable, fresh_database  # noqa: E402
from harness import WINNOW, parse_runs, percentile, run, server_env, start_server, statement_kind, stop_server  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_RECORDS = REPO.parent / "shared" / "datasets" / "labelled" / "Cohen_2006_ProtonPumpInhibitors.csv"
FALLBACK_RECORDS = REPO / "tests" / "fixtures" / "import" / "asreview_cohen_adhd_sample.csv"
STAGE = "title_abstract"
TARGET_P95_MS = 100
VERDICTS = ("include", "exclude", "maybe")


@dataclass
class Setup:
    review_id: int
    lead_id: int
    reviewers: list[tuple[int, str]]  # (user id, API token)
    records: int


def set_up(url: str, env: dict, records_file: Path, reviewers: int) -> Setup:
    from sqlmodel import Session

    from app import db
    from app.accounts import AccountCreate, create_api_token, create_user
    from screening.review.models import ReviewCreate, Role
    from screening.records import kept_records
    from screening.review.access import review_access
    from screening.review.members import add_member
    from screening.review.reviews import create_review

    run([WINNOW, "db", "upgrade"], env)
    engine = db.make_engine(url)
    password = secrets.token_urlsafe(16)
    with Session(engine) as session:
        lead = create_user(session, AccountCreate(email="lead@example.org", name="Load Lead", password=password))
        review = create_review(session, ReviewCreate(title="Screening under load"), lead.id)
        lead_access = review_access(session, review.id, lead.id)
        team = []
        for number in range(1, reviewers + 1):
            person = create_user(session, AccountCreate(email=f"reviewer{number}@example.org",
                                                        name=f"Reviewer {number}", password=password))
            add_member(session, lead_access, person.email, Role.reviewer)
            team.append((person.id, create_api_token(session, person.id, "load test").secret))
        review_id, lead_id = review.id, lead.id
        assert review.dual_screening, "the load test expects the default: dual screening"
    run([WINNOW, "import", str(review_id), str(records_file), "--source", "Load test"], env)
    with Session(engine) as session:
        kept = len(kept_records(session, review_id))
    engine.dispose()
    return Setup(review_id, lead_id, team, kept)


# --- the reviewers ---------------------------------------------------------------------------

@dataclass
class ReviewerResult:
    user_id: int
    acked: dict[int, str] = field(default_factory=dict)  # record id -> verdict the server acknowledged
    latencies: list[float] = field(default_factory=list)  # acknowledged POSTs, seconds
    refused_latencies: list[float] = field(default_factory=list)
    next_latencies: list[float] = field(default_factory=list)  # GET .../next
    page_latencies: list[float] = field(default_factory=list)  # GET the screening page (HTML)
    refused: int = 0
    resends: int = 0
    resends_ok: int = 0
    errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)  # other 4xx, bodies that do not match
    finished: str = ""


def reviewer(base: str, review_id: int, user_id: int, token: str, *, seed: int, cap: int, deadline_box: list,
             resend: float, start: threading.Barrier, think: float = 0.0) -> ReviewerResult:
    result = ReviewerResult(user_id)
    rng = random.Random(seed)
    prefix = f"/api/reviews/{review_id}/screen/{STAGE}"
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:

        def next_record():
            began = time.perf_counter()  # opening the screening page, as a reviewer does, then its API twin
            page = client.get(f"/reviews/{review_id}/screen/{STAGE}")
            result.page_latencies.append(time.perf_counter() - began)
            if page.status_code != 200:
                raise RuntimeError(f"GET the screening page: {page.status_code} {page.text[:200]}")
            began = time.perf_counter()
            answer = client.get(f"{prefix}/next")
            result.next_latencies.append(time.perf_counter() - began)
            if answer.status_code != 200:
                raise RuntimeError(f"GET next: {answer.status_code} {answer.text[:200]}")
            return answer.json()

        start.wait()
        deadline = deadline_box[0]
        if think:  # a team's reviewers open the page over a moment, not all in the same millisecond
            time.sleep(think * rng.random())
        try:
            current = next_record()
        except (httpx.HTTPError, RuntimeError) as error:
            result.errors.append(f"first GET next: {error}")
            result.finished = "error"
            return result
        while True:
            if current is None:
                result.finished = "queue empty"
                break
            if len(result.acked) >= cap:
                result.finished = "cap"
                break
            if time.monotonic() > deadline:
                result.finished = "time"
                break
            if len(result.errors) > 20:
                result.finished = "too many errors"
                break
            record_id, verdict = current["id"], rng.choice(VERDICTS)
            if think:  # reading the record: uniform between half and one and a half times --think-ms
                time.sleep(think * rng.uniform(0.5, 1.5))
            began = time.perf_counter()
            try:
                answer = client.post(f"{prefix}/{record_id}", json={"verdict": verdict})
            except httpx.HTTPError as error:
                result.errors.append(f"POST {record_id}: {type(error).__name__} {error}")
                current = _safe_next(next_record, result)
                continue
            elapsed = time.perf_counter() - began
            if answer.status_code == 200:
                body = answer.json()
                if body["decision"]["record_id"] != record_id or body["decision"]["verdict"] != verdict:
                    result.unexpected.append(f"POST {record_id}: answered {body['decision']}")
                if record_id in result.acked:
                    result.unexpected.append(f"record {record_id} offered again after deciding it")
                result.acked[record_id] = verdict
                result.latencies.append(elapsed)
                if rng.random() < resend:
                    result.resends += 1
                    try:
                        again = client.post(f"{prefix}/{record_id}", json={"verdict": verdict})
                        if again.status_code == 200 and again.json()["decision"]["verdict"] == verdict:
                            result.resends_ok += 1
                        elif again.status_code >= 500:
                            result.errors.append(f"resend {record_id}: {again.status_code} {again.text[:200]}")
                        else:
                            result.unexpected.append(f"resend {record_id}: {again.status_code} {again.text[:200]}")
                    except httpx.HTTPError as error:
                        result.errors.append(f"resend {record_id}: {type(error).__name__} {error}")
                current = body["next"]
            elif answer.status_code == 422:
                result.refused += 1
                result.refused_latencies.append(elapsed)
                current = _safe_next(next_record, result)
            elif answer.status_code >= 500:
                result.errors.append(f"POST {record_id}: {answer.status_code} {answer.text[:200]}")
                current = _safe_next(next_record, result)
            else:
                result.unexpected.append(f"POST {record_id}: {answer.status_code} {answer.text[:200]}")
                result.finished = "unexpected answer"
                break
    return result


def _safe_next(next_record, result: ReviewerResult):
    """The next record after a refusal or an error; None (the thread stops) if the server keeps failing."""
    for attempt in range(3):
        try:
            return next_record()
        except (httpx.HTTPError, RuntimeError) as error:
            result.errors.append(f"GET next: {error}")
            time.sleep(0.1 * (attempt + 1))
    return None


def load(base: str, setup: Setup, *, per_reviewer: int, seconds: float, resend: float, seed: int, think: float
         ) -> tuple[list[ReviewerResult], float]:
    start = threading.Barrier(len(setup.reviewers) + 1)
    deadline_box = [0.0]
    results: list[ReviewerResult | None] = [None] * len(setup.reviewers)

    def work(index: int, user_id: int, token: str) -> None:
        try:
            results[index] = reviewer(base, setup.review_id, user_id, token, seed=seed * 1000 + index,
                                      cap=per_reviewer, deadline_box=deadline_box, resend=resend, start=start,
                                      think=think)
        except Exception as error:  # noqa: BLE001 - report it in the table, do not hang the others
            failed = ReviewerResult(user_id)
            failed.errors.append(f"thread crashed: {type(error).__name__}: {error}")
            results[index] = failed

    threads = [threading.Thread(target=work, args=(i, uid, tok), daemon=True)
               for i, (uid, tok) in enumerate(setup.reviewers)]
    for thread in threads:
        thread.start()
    deadline_box[0] = time.monotonic() + seconds
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return [r for r in results if r is not None], time.perf_counter() - began


# --- checking the database -------------------------------------------------------------------

def check(url: str, setup: Setup, results: list[ReviewerResult]) -> dict:
    from sqlmodel import Session, select

    from app import db
    from screening.models import Decision
    from screening.review.models import AuditEvent

    engine = db.make_engine(url)
    with Session(engine) as session:
        rows = list(session.exec(select(Decision.record_id, Decision.stage, Decision.reviewer_id, Decision.verdict)
                                 .where(Decision.review_id == setup.review_id)))
        actions = Counter(session.exec(select(AuditEvent.action).where(
            AuditEvent.review_id == setup.review_id, AuditEvent.action.like("decision.%"))))
    engine.dispose()
    per_key = Counter((record, stage.value, reviewer_id) for record, stage, reviewer_id, _ in rows)
    stored = {(reviewer_id, record): verdict.value for record, stage, reviewer_id, verdict in rows
              if stage.value == STAGE}
    acked = {(r.user_id, record): verdict for r in results for record, verdict in r.acked.items()}
    per_record = Counter(record for record, stage, _, _ in rows if stage.value == STAGE)
    return {
        "rows": len(rows),
        "acked": len(acked),
        "lost": sum(key not in stored for key in acked),
        "wrong_verdict": sum(key in stored and stored[key] != verdict for key, verdict in acked.items()),
        "duplicated": sum(n - 1 for n in per_key.values() if n > 1),
        "unacked_rows": sum(key not in acked for key in stored),
        "over_two": sum(n > 2 for n in per_record.values()),
        "most_on_one_record": max(per_record.values(), default=0),
        "audit_creates": actions.get("decision.create", 0),
        "audit_changes": actions.get("decision.change", 0),
    }


# --- profiling one request path --------------------------------------------------------------

def profile(url: str, setup: Setup, requests: int = 60) -> str:
    """One reviewer, in-process, no concurrency: the parts of a POST and of a GET next, and their SQL,
    timed, through the same service functions the routes call."""
    import sqlalchemy as sa
    from sqlmodel import Session

    from app import db, services
    from app.accounts import user_for_token
    from screening.models import Stage, Verdict
    from screening.ranking.scores import current_run, score_of
    from screening.records import merged_citations
    from screening.review.access import review_access

    engine = db.make_engine(url)
    sql_time: dict[str, list[float]] = defaultdict(list)
    starts: dict[int, float] = {}

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        starts[id(cursor)] = time.perf_counter()

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        sql_time[statement_kind(statement)].append(time.perf_counter() - starts.pop(id(cursor), time.perf_counter()))

    def answer(session, access, record):  # what the API sends back: the citation and the score
        merged_citations(session, [record])
        score_of(session, current_run(session, access.review.id, access.user_id), record.id)

    parts: dict[str, list[float]] = defaultdict(list)
    profiler = cProfile.Profile()
    rng = random.Random(1)
    # the reviewer with the fewest decisions has the most left
    user_id, token = setup.reviewers[-1]
    totals = []
    for _ in range(requests):
        with Session(engine) as session:  # GET next, as the route runs it
            t0 = time.perf_counter()
            access = review_access(session, setup.review_id, user_for_token(session, token).id)
            record = services.next_record(session, access, Stage.title_abstract)
            parts["GET next: services.next_record"].append(time.perf_counter() - t0)
            if record is None:
                break
            record_id = record.id
        with Session(engine) as session:  # the POST, as the route runs it
            profiler.enable()
            t0 = time.perf_counter()
            access = review_access(session, setup.review_id, user_for_token(session, token).id)
            t1 = time.perf_counter()
            decided = services.decide_and_next(session, access, record_id, Stage.title_abstract,
                                               rng.choice(list(Verdict)))
            t2 = time.perf_counter()
            if decided.next is not None:
                answer(session, access, decided.next)
            t3 = time.perf_counter()
            profiler.disable()
            parts["POST: auth + review access"].append(t1 - t0)
            parts["POST: services.decide_and_next"].append(t2 - t1)
            parts["POST: the answer (citation, score)"].append(t3 - t2)
            totals.append(t3 - t0)
    engine.dispose()
    if not totals:
        return "  in-process profile: no record was left for the reviewer to decide"
    lines = [f"  in-process, one reviewer, {len(totals)} GET next and decide+next calls, no concurrency:",
             f"    POST path: median {1000 * statistics.median(totals):.1f} ms, max {1000 * max(totals):.1f} ms"]
    for name, values in parts.items():
        lines.append(f"    {name:38} median {1000 * statistics.median(values):7.2f} ms  "
                     f"total {1000 * sum(values):8.1f} ms")
    lines.append("  SQL by statement (all calls):")
    for kind, values in sorted(sql_time.items(), key=lambda item: -sum(item[1]))[:12]:
        lines.append(f"    {len(values):5} x  median {1000 * statistics.median(values):7.2f} ms  "
                     f"total {1000 * sum(values):8.1f} ms  {kind}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(18)
    lines.append("  cProfile (cumulative, the POST path only):")
    lines.extend("    " + line for line in out.getvalue().splitlines() if line.strip())
    return "\n".join(lines)


# --- one run ---------------------------------------------------------------------------------

def bench(kind: str, workers: int, args) -> dict:
    try:
        with fresh_database(kind, args.postgres_url, "winnow_load") as (url, data_dir):
            env = server_env(url, data_dir)
            print(f"  {kind} x{workers}: setting up {args.reviewers} reviewers and importing {args.records.name} ...",
                  flush=True)
            setup = set_up(url, env, args.records, args.reviewers)
            load_before = os.getloadavg()[0]
            print(f"  {kind} x{workers}: review {setup.review_id}, {setup.records} records to screen; "
                  f"winnow serve --workers {workers} ...", flush=True)
            process, base = start_server(env, workers, Path(data_dir) / "serve.log")
            try:
                results, wall = load(base, setup, per_reviewer=args.per_reviewer, seconds=args.seconds,
                                     resend=args.resend, seed=args.seed, think=args.think_ms / 1000)
                log = (Path(data_dir) / "serve.log").read_text(errors="replace")  # before shutdown's noise
            finally:
                stop_server(process)
            tracebacks = log.count("Traceback")
            figures = check(url, setup, results)
            latencies = [x for r in results for x in r.latencies]
            errors = [e for r in results for e in r.errors]
            unexpected = [e for r in results for e in r.unexpected]
            row = {
                "database": kind, "workers": workers, "reviewers": len(results), "records": setup.records,
                "decisions": len(latencies), "wall_s": wall,
                "per_s": len(latencies) / wall if wall else 0.0,
                "p50_ms": 1000 * percentile(latencies, 50), "p95_ms": 1000 * percentile(latencies, 95),
                "max_ms": 1000 * max(latencies, default=float("nan")),
                "next_p50_ms": 1000 * percentile([x for r in results for x in r.next_latencies], 50),
                "next_p95_ms": 1000 * percentile([x for r in results for x in r.next_latencies], 95),
                "page_p50_ms": 1000 * percentile([x for r in results for x in r.page_latencies], 50),
                "page_p95_ms": 1000 * percentile([x for r in results for x in r.page_latencies], 95),
                "gets": sum(len(r.next_latencies) for r in results),
                "refused": sum(r.refused for r in results),
                "refused_p95_ms": 1000 * percentile([x for r in results for x in r.refused_latencies], 95),
                "resends": sum(r.resends for r in results), "resends_ok": sum(r.resends_ok for r in results),
                "errors": len(errors), "unexpected": len(unexpected), "server_tracebacks": tracebacks,
                "finished": dict(Counter(r.finished for r in results)),
                "loadavg_before": load_before, "loadavg_after": os.getloadavg()[0],
                "error_samples": errors[:5], "unexpected_samples": unexpected[:5],
                **figures,
            }
            if tracebacks:
                last = log.rfind("Traceback")
                row["traceback_sample"] = log[last:last + 2500]
            over = not (max(row["p95_ms"], row["next_p95_ms"], row["page_p95_ms"]) < TARGET_P95_MS)
            if args.profile == "always" or (args.profile == "auto" and over):
                print(f"  {kind} x{workers}: p95 {row['p95_ms']:.0f} ms; profiling one request path ...", flush=True)
                row["profile"] = profile(url, setup)
            return row
    except Unavailable as why:
        return {"database": kind, "workers": workers, "skipped": str(why)}


def print_table(rows: list[dict]) -> None:
    header = ("database", "workers", "reviewers", "decisions", "dec/s", "POST p50 ms", "POST p95 ms", "max ms",
              "GET next p50/p95 ms", "page p50/p95 ms", "errors", "lost", "duplicated", ">2 per record", "refused 422",
              "resends ok")
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        if "skipped" in row:
            print(f"| {row['database']} | {row['workers']} | skipped: {row['skipped']} |" + " |" * (len(header) - 3))
            continue
        print("| " + " | ".join([
            row["database"], str(row["workers"]), str(row["reviewers"]), f"{row['decisions']:,}",
            f"{row['per_s']:.1f}", f"{row['p50_ms']:.0f}", f"{row['p95_ms']:.0f}", f"{row['max_ms']:.0f}",
            f"{row['next_p50_ms']:.0f} / {row['next_p95_ms']:.0f}", f"{row['page_p50_ms']:.0f} / {row['page_p95_ms']:.0f}",
            str(row["errors"]), str(row["lost"] + row["wrong_verdict"]),
            str(row["duplicated"]), str(row["over_two"]), f"{row['refused']:,}",
            f"{row['resends_ok']}/{row['resends']}",
        ]) + " |")
    print()
    for row in rows:
        if "skipped" in row:
            continue
        met = max(row["p95_ms"], row["next_p95_ms"], row["page_p95_ms"]) < TARGET_P95_MS and row["lost"] == 0
        target = "meets" if met else "MISSES"
        print(f"{row['database']} x{row['workers']}: {target} the target (p95 < {TARGET_P95_MS} ms for deciding, "
              f"GET next and opening the page, zero lost; {row['gets']} GETs). "
              f"{row['acked']:,} acknowledged, {row['rows']:,} rows, {row['unacked_rows']} rows unacknowledged, "
              f"{row['wrong_verdict']} with another verdict; at most {row['most_on_one_record']} decisions on one record; audit: {row['audit_creates']:,} decision.create, "
              f"{row['audit_changes']} decision.change; {row['unexpected']} unexpected answers; "
              f"{row['server_tracebacks']} tracebacks in the server log; GET next p95 {row['next_p95_ms']:.0f} ms; "
              f"refused POST p95 {row['refused_p95_ms']:.0f} ms; wall {row['wall_s']:.1f} s; "
              f"1-min load average {row['loadavg_before']:.1f} before, {row['loadavg_after']:.1f} after; "
              f"threads ended by {row['finished']}.")
        for sample in row["error_samples"] + row["unexpected_samples"]:
            print(f"    {sample}")
        if "traceback_sample" in row:
            print("    last server traceback:\n" + "\n".join("      " + x for x in row["traceback_sample"].splitlines()[-25:]))
        if "profile" in row:
            print(row["profile"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default="sqlite:1,postgresql:1,postgresql:2",
                        help="database:workers, comma-separated (database: sqlite or postgresql)")
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--per-reviewer", type=int, default=100, help="decisions each reviewer makes at most")
    parser.add_argument("--seconds", type=float, default=60, help="time bound of the load phase")
    parser.add_argument("--resend", type=float, default=0.05, help="share of decisions posted twice")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--think-ms", type=float, default=0,
                        help="mean pause before each decision (0: post as fast as the server answers)")
    parser.add_argument("--records", type=Path, default=DEFAULT_RECORDS if DEFAULT_RECORDS.exists() else FALLBACK_RECORDS)
    parser.add_argument("--postgres-url", default=DEFAULT_PG)
    parser.add_argument("--profile", choices=("auto", "always", "never"), default="auto",
                        help="profile one request path in-process when p95 misses the target (auto)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    args.records = args.records.resolve()  # the server reads it from its own folder
    runs = parse_runs(parser, args.runs)
    print(f"Screening load: {args.reviewers} reviewers, up to {args.per_reviewer} decisions each, {args.seconds:.0f} s "
          f"bound, think time {args.think_ms:.0f} ms, {os.cpu_count()} CPUs (clients and server share them), records from {args.records}", flush=True)
    commit = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    changed = subprocess.run(["git", "-C", str(REPO), "status", "--short", "--untracked-files=no"], capture_output=True,
                             text=True)
    print(f"Code: {commit.stdout.strip() or '?'}"
          f"{' plus uncommitted changes' if changed.stdout.strip() else ''}", flush=True)
    rows = []
    for kind, workers in runs:
        try:
            rows.append(bench(kind, workers, args))
        except Exception as error:  # noqa: BLE001 - one failed run still leaves the others' figures
            rows.append({"database": kind, "workers": workers,
                         "skipped": f"failed: {str(error).strip().splitlines()[-1][:300]}"})
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
