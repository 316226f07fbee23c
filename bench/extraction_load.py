"""Load: 20 extractors coding at once against ``winnow serve``, on SQLite and PostgreSQL.

usage: .venv/bin/python bench/extraction_load.py [--runs sqlite:1,postgresql:2] [--extractors 20]
           [--studies 120] [--drafts 3] [--think-ms 1000] [--seconds 60] [--seed 7] [--postgres-url URL] [--json FILE]

Issue 13's target: saving a draft and submitting a coding, p95 under 100 ms with 20
extractors at once, and zero values lost.

For each run (database:workers):

1. a fresh database (a SQLite file in a temporary directory; a new ``winnow_xload_<random>``
   database on the PostgreSQL server, dropped afterwards; skipped, with the reason, when the
   server is unreachable), ``winnow db upgrade``; a lead and N reviewer accounts with API
   tokens; a review; ``winnow import`` of the records file; the first ``--studies`` records
   included at both stages by the lead (``resolving.resolve``); a dual-extraction form of 24
   questions (text, numbers, choices, a hierarchical choice, countries, and a repeatable group
   of arms) made with ``forms.create_form``;
2. ``winnow serve --port P --workers W`` on a free loopback port, as it ships;
3. N client threads released together, each with its own connection and token: ask the
   form's queue (``GET .../queue``) for a study whose next step is "code", then save the
   draft ``--drafts`` times as it grows (``PUT .../coding``, timed) and submit it
   (``POST .../coding/submit``, timed), pausing before each request for ``--think-ms``
   (uniform between half and one and a half times it; the page autosaves one second after
   typing stops, so an extractor sends at most about one save a second; 0 posts as fast as
   the server answers); a 422 is a study two colleagues took in the meantime
   (counted as "refused"), and the thread asks the queue again; 5xx and transport failures are
   errors; until the queue has nothing for it or the time bound;
4. read back with the domain functions: *lost* = a value of an acknowledged submit that is
   not in that reviewer's coding as sent; *unsubmitted* = acknowledged submits whose coding
   is not submitted; *>2* = studies with more than two extractions; the audit log's
   ``coding.submit`` events must equal the submitted codings.

The client threads share this machine's cores with the server (and with whatever else runs
on it: the load average is printed, and the server's CPU time per request, which other work
does not stretch); loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import httpx2 as httpx  # noqa: E402  (the test extra's HTTP client)
from databases import Unavailable, fresh_database  # noqa: E402
from harness import WINNOW, parse_runs, percentile, run, server_cpu_seconds, server_env, start_server, stop_server  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_RECORDS = REPO.parent / "shared" / "datasets" / "labelled" / "Cohen_2006_ProtonPumpInhibitors.csv"
FALLBACK_RECORDS = REPO / "tests" / "fixtures" / "labelled" / "cohen_2006_adhd_subset.csv"
TARGET_P95_MS = 100


def form_spec():
    from extraction.forms import FieldSpec, FormSpec, OptionSpec, SectionSpec
    from extraction.models import FieldType as T

    def choice(label, kind, *options):
        return FieldSpec(label=label, field_type=kind, options=[OptionSpec(label=o) for o in options])

    return FormSpec(name="Load form", sections=[
        SectionSpec(label="Study", fields=[
            choice("Design", T.single_choice, "RCT", "Cohort", "Pre-post", "Qualitative"),
            choice("Setting", T.single_choice, "Specialist", "Generic", "Primary care"),
            FieldSpec(label="Country", field_type=T.country),
            FieldSpec(label="Intervention type", field_type=T.hierarchical, options=[
                OptionSpec(label="Psychotherapy", children=[OptionSpec(label=x) for x in ("DBT", "MBT", "CBT")]),
                OptionSpec(label="Peer support"), OptionSpec(label="Stepped care")]),
            *[FieldSpec(label=f"Note {n}", field_type=T.short_text) for n in range(1, 9)],
        ]),
        SectionSpec(label="Numbers", fields=[
            *[FieldSpec(label=f"Count {n}", field_type=T.integer) for n in range(1, 6)],
            *[FieldSpec(label=f"Cost {n}", field_type=T.decimal) for n in range(1, 4)],
            FieldSpec(label="Started", field_type=T.date),
            FieldSpec(label="Funded", field_type=T.yes_no),
            FieldSpec(label="Arms", field_type=T.group, fields=[
                FieldSpec(label="Arm", field_type=T.short_text, is_key=True),
                FieldSpec(label="Participants", field_type=T.integer)]),
        ]),
    ])


@dataclass
class Setup:
    review_id: int
    form_id: int
    reviewers: list[tuple[int, str]]
    studies: int
    definition: dict


def set_up(url: str, env: dict, records_file: Path, extractors: int, studies: int,
           title: str = "Extraction under load") -> Setup:
    from sqlmodel import Session

    from app import db
    from app.accounts import AccountCreate, create_api_token, create_user
    from extraction import forms
    from extraction.studies import included_studies
    from screening.decisions.resolving import resolve
    from screening.models import Stage, Verdict
    from screening.records import kept_records
    from screening.review.access import review_access
    from screening.review.members import add_member
    from screening.review.models import Review, ReviewCreate, Role
    from screening.review.reviews import create_review

    run([WINNOW, "db", "upgrade"], env)
    engine = db.make_engine(url)
    password = secrets.token_urlsafe(16)
    with Session(engine) as session:
        lead = create_user(session, AccountCreate(email="lead@example.org", name="Load Lead", password=password))
        review = create_review(session, ReviewCreate(title=title), lead.id)
        lead_access = review_access(session, review.id, lead.id)
        team = []
        for number in range(1, extractors + 1):
            person = create_user(session, AccountCreate(email=f"extractor{number}@example.org",
                                                        name=f"Extractor {number}", password=password))
            add_member(session, lead_access, person.email, Role.reviewer)
            team.append((person.id, create_api_token(session, person.id, "load test").secret))
        review_id, lead_id = review.id, lead.id
    run([WINNOW, "import", str(review_id), str(records_file), "--source", "Load test"], env)
    with Session(engine) as session:
        lead_access = review_access(session, review_id, lead_id)
        for record in kept_records(session, review_id)[:studies]:  # the lead includes them at both stages
            for stage in (Stage.title_abstract, Stage.full_text):
                resolve(session, lead_access, record.id, stage, Verdict.include)
        form = forms.create_form(session, lead_access, form_spec())
        definition = forms.definition_json(forms.load_definition(session, form))
        count = len(included_studies(session, session.get(Review, review_id)))
        form_id = form.id
    engine.dispose()
    return Setup(review_id, form_id, team, count, definition)


def coding_for(definition: dict, rng: random.Random, step: int, steps: int) -> dict:
    """A coding that grows with each draft: the first step answers a third of the questions."""
    fields = [item for section in definition["sections"] for item in section["fields"]]
    answered = fields[: max(1, len(fields) * step // steps)]
    values, groups = {}, {}
    for item in answered:
        kind = item["field_type"]
        if kind == "group":
            arm, participants = item["fields"]
            groups[str(item["id"])] = [{"uid": f"arm{n}", "values": {
                str(arm["id"]): {"value": name}, str(participants["id"]): {"value": rng.randint(5, 200)}}}
                for n, name in enumerate(rng.sample(["DBT", "CBT", "Usual care", "Waiting list"], 2))]
            continue
        if kind == "single_choice":
            value = rng.choice(item["options"])["id"]
        elif kind == "hierarchical":
            value = [rng.choice(item["options"][0]["children"])["id"]]
        elif kind == "country":
            value = rng.sample(["GB", "NL", "DE", "AU", "NO", "US"], 2)
        elif kind == "integer":
            value = rng.randint(0, 5000)
        elif kind == "decimal":
            value = round(rng.uniform(0, 10000), 2)
        elif kind == "date":
            value = f"{rng.randint(1990, 2025)}-{rng.randint(1, 12):02d}"
        elif kind == "yes_no":
            value = rng.choice([True, False])
        else:
            value = f"text {rng.randint(0, 10**6)}"
        values[str(item["id"])] = {"value": value, "page": str(rng.randint(1, 20)),
                                   "quote": "A sentence quoted from the report."}
    return {"values": values, "groups": groups}


@dataclass
class ExtractorResult:
    user_id: int
    submitted: dict[int, dict] = field(default_factory=dict)  # study id -> the coding acknowledged as submitted
    draft_latencies: list[float] = field(default_factory=list)
    submit_latencies: list[float] = field(default_factory=list)
    queue_latencies: list[float] = field(default_factory=list)
    refused: int = 0
    errors: list[str] = field(default_factory=list)
    finished: str = ""


def extractor(base: str, setup: Setup, user_id: int, token: str, *, seed: int, drafts: int, deadline_box: list,
              start: threading.Barrier, think: float) -> ExtractorResult:
    result = ExtractorResult(user_id)
    rng = random.Random(seed)
    api = f"/api/reviews/{setup.review_id}/extraction/forms/{setup.form_id}"
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        start.wait()
        while True:
            if time.monotonic() > deadline_box[0]:
                result.finished = "time"
                break
            if len(result.errors) > 20:
                result.finished = "too many errors"
                break
            began = time.perf_counter()
            try:
                answer = client.get(f"{api}/queue")
            except httpx.HTTPError as error:
                result.errors.append(f"GET queue: {error}")
                continue
            result.queue_latencies.append(time.perf_counter() - began)
            if answer.status_code != 200:
                result.errors.append(f"GET queue: {answer.status_code} {answer.text[:200]}")
                continue
            open_studies = [item["study_id"] for item in answer.json() if item["next_step"] in ("code", "continue")]
            if not open_studies:
                result.finished = "queue empty"
                break
            study = rng.choice(open_studies[:5])
            url = f"{api}/studies/{study}/coding"
            coding = {}
            refused = False
            for step in range(1, drafts + 1):
                coding = coding_for(setup.definition, rng, step, drafts)
                time.sleep(think * rng.uniform(0.5, 1.5))
                began = time.perf_counter()
                try:
                    saved = client.put(url, json=coding)
                except httpx.HTTPError as error:
                    result.errors.append(f"PUT {study}: {error}")
                    refused = True
                    break
                elapsed = time.perf_counter() - began
                if saved.status_code == 422:
                    result.refused += 1
                    refused = True
                    break
                if saved.status_code != 200:
                    result.errors.append(f"PUT {study}: {saved.status_code} {saved.text[:200]}")
                    refused = True
                    break
                result.draft_latencies.append(elapsed)
            if refused:
                continue
            time.sleep(think * rng.uniform(0.5, 1.5))
            began = time.perf_counter()
            try:
                submitted = client.post(f"{url}/submit")
            except httpx.HTTPError as error:
                result.errors.append(f"submit {study}: {error}")
                continue
            elapsed = time.perf_counter() - began
            if submitted.status_code == 200 and submitted.json()["coding"]["status"] == "submitted":
                result.submit_latencies.append(elapsed)
                result.submitted[study] = coding
            else:
                result.errors.append(f"submit {study}: {submitted.status_code} {submitted.text[:200]}")
    return result


def check(url: str, setup: Setup, results: list[ExtractorResult]) -> dict:
    from sqlmodel import Session, select

    from app import db
    from extraction.extracting import load_tree, my_coding, study_codings
    from extraction.models import Coding, CodingKind, CodingStatus
    from screening.review.models import AuditEvent

    engine = db.make_engine(url)
    lost = values = unsubmitted = 0
    with Session(engine) as session:
        for result in results:
            for study, sent in result.submitted.items():
                coding = my_coding(study_codings(session, setup.form_id, study), result.user_id)
                if coding is None or coding.status is not CodingStatus.submitted:
                    unsubmitted += 1
                    continue
                tree = load_tree(session, coding)
                for field_id, entry in sent["values"].items():
                    values += 1
                    stored = tree.values.get(int(field_id))
                    if stored is None or stored.value != entry["value"] or stored.page != entry["page"]:
                        lost += 1
                for group_id, rows in sent["groups"].items():
                    stored_rows = {row.uid: row for row in tree.rows(int(group_id))}
                    for row in rows:
                        for field_id, entry in row["values"].items():
                            values += 1
                            got = stored_rows.get(row["uid"])
                            if got is None or got.value(int(field_id)) != entry["value"]:
                                lost += 1
        extractions = Counter(session.exec(
            select(Coding.study_id).where(Coding.form_id == setup.form_id, Coding.kind == CodingKind.extraction)))
        submitted_rows = len(list(session.exec(select(Coding.id).where(
            Coding.form_id == setup.form_id, Coding.status == CodingStatus.submitted,
            Coding.kind == CodingKind.extraction))))
        audit = len(list(session.exec(select(AuditEvent.id).where(AuditEvent.action == "coding.submit"))))
    engine.dispose()
    return {"values_checked": values, "lost": lost, "unsubmitted": unsubmitted,
            "over_two": sum(1 for n in extractions.values() if n > 2), "submitted_rows": submitted_rows,
            "audit_submits": audit}


def bench(kind: str, workers: int, args) -> dict:
    try:
        with fresh_database(kind, args.postgres_url, "winnow_xload") as (url, data_dir):
            env = server_env(url, data_dir)
            print(f"  {kind} x{workers}: setting up {args.extractors} extractors, {args.studies} studies ...", flush=True)
            setup = set_up(url, env, args.records, args.extractors, args.studies)
            load_before = os.getloadavg()[0]
            process, base = start_server(env, workers, Path(data_dir) / "serve.log")
            try:
                start = threading.Barrier(len(setup.reviewers) + 1)
                deadline_box = [0.0]
                results: list[ExtractorResult] = [ExtractorResult(uid) for uid, _ in setup.reviewers]

                def work(index: int, user_id: int, token: str) -> None:
                    try:
                        results[index] = extractor(base, setup, user_id, token, seed=args.seed * 1000 + index,
                                                   drafts=args.drafts, deadline_box=deadline_box, start=start,
                                                   think=args.think_ms / 1000)
                    except Exception as error:  # noqa: BLE001 - report it, do not hang the others
                        results[index].errors.append(f"thread crashed: {type(error).__name__}: {error}")

                threads = [threading.Thread(target=work, args=(i, uid, tok), daemon=True)
                           for i, (uid, tok) in enumerate(setup.reviewers)]
                for thread in threads:
                    thread.start()
                deadline_box[0] = time.monotonic() + args.seconds
                cpu_before = server_cpu_seconds(process.pid)
                began = time.perf_counter()
                start.wait()
                for thread in threads:
                    thread.join(timeout=args.seconds + 120)
                wall = time.perf_counter() - began
                server_cpu = server_cpu_seconds(process.pid) - cpu_before
                log = (Path(data_dir) / "serve.log").read_text(errors="replace")
            finally:
                stop_server(process)
            figures = check(url, setup, results)
            drafts = [x for r in results for x in r.draft_latencies]
            submits = [x for r in results for x in r.submit_latencies]
            both = drafts + submits
            return {
                "database": kind, "workers": workers, "extractors": len(results), "studies": setup.studies,
                "drafts": len(drafts), "submits": len(submits), "wall_s": wall,
                "draft_p50_ms": 1000 * percentile(drafts, 50), "draft_p95_ms": 1000 * percentile(drafts, 95),
                "submit_p50_ms": 1000 * percentile(submits, 50), "submit_p95_ms": 1000 * percentile(submits, 95),
                "p95_ms": 1000 * percentile(both, 95), "max_ms": 1000 * max(both, default=float("nan")),
                "queue_p95_ms": 1000 * percentile([x for r in results for x in r.queue_latencies], 95),
                "refused": sum(r.refused for r in results), "errors": sum(len(r.errors) for r in results),
                "error_samples": [e for r in results for e in r.errors][:5],
                "tracebacks": log.count("Traceback"), "finished": dict(Counter(r.finished for r in results)),
                "loadavg": (load_before, os.getloadavg()[0]),
                "server_cpu_ms_per_request": 1000 * server_cpu / max(1, len(drafts) + len(submits) + sum(
                    len(r.queue_latencies) for r in results)),
                **figures,
            }
    except Unavailable as why:
        return {"database": kind, "workers": workers, "skipped": str(why)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default="sqlite:1,postgresql:2", help="database:workers, comma-separated")
    parser.add_argument("--extractors", type=int, default=20)
    parser.add_argument("--studies", type=int, default=120, help="records included, each a study to code twice")
    parser.add_argument("--drafts", type=int, default=3, help="draft saves before each submit")
    parser.add_argument("--think-ms", type=float, default=1000, help="mean pause before each request (0: none)")
    parser.add_argument("--seconds", type=float, default=60, help="time bound of the load phase")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--records", type=Path, default=DEFAULT_RECORDS if DEFAULT_RECORDS.exists() else FALLBACK_RECORDS)
    parser.add_argument("--postgres-url", default=DEFAULT_PG)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    args.records = args.records.resolve()  # the server reads it from its own folder
    runs = parse_runs(parser, args.runs)
    commit = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    print(f"Extraction load: {args.extractors} extractors, {args.drafts} drafts then a submit per study, "
          f"think time {args.think_ms:.0f} ms, "
          f"{args.seconds:.0f} s bound, {os.cpu_count()} CPUs (clients and server share them); "
          f"code {commit.stdout.strip()}", flush=True)
    rows = []
    for kind, workers in runs:
        try:
            rows.append(bench(kind, workers, args))
        except Exception as error:  # noqa: BLE001 - one failed run still leaves the others' figures
            rows.append({"database": kind, "workers": workers, "skipped": f"failed: {str(error).strip()[-400:]}"})
    header = ("database", "workers", "drafts", "submits", "draft p50/p95 ms", "submit p50/p95 ms", "p95 both ms",
              "max ms", "values checked", "lost", "refused 422", "errors")
    print("\n| " + " | ".join(header) + " |\n|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        if "skipped" in row:
            print(f"| {row['database']} | {row['workers']} | skipped: {row['skipped']} |")
            continue
        print("| " + " | ".join([
            row["database"], str(row["workers"]), str(row["drafts"]), str(row["submits"]),
            f"{row['draft_p50_ms']:.0f} / {row['draft_p95_ms']:.0f}", f"{row['submit_p50_ms']:.0f} / {row['submit_p95_ms']:.0f}",
            f"{row['p95_ms']:.0f}", f"{row['max_ms']:.0f}", str(row["values_checked"]), str(row["lost"]),
            str(row["refused"]), str(row["errors"])]) + " |")
    print()
    for row in rows:
        if "skipped" in row:
            continue
        target = "meets" if row["p95_ms"] < TARGET_P95_MS and row["lost"] == 0 and not row["errors"] else "MISSES"
        print(f"{row['database']} x{row['workers']}: {target} the target (p95 < {TARGET_P95_MS} ms, zero lost). "
              f"{row['submits']} codings submitted of {row['studies']} studies; {row['unsubmitted']} acknowledged but not "
              f"submitted; {row['over_two']} studies with more than two extractions; audit {row['audit_submits']} "
              f"coding.submit for {row['submitted_rows']} submitted codings; queue p95 {row['queue_p95_ms']:.0f} ms; "
              f"{row['tracebacks']} tracebacks in the server log; wall {row['wall_s']:.1f} s; threads ended by "
              f"{row['finished']}; 1-min load average {row['loadavg'][0]:.1f} before, {row['loadavg'][1]:.1f} after; "
              f"the server spent {row['server_cpu_ms_per_request']:.0f} ms of CPU per request (saves, submits and "
              f"queue reads together).")
        for sample in row["error_samples"]:
            print(f"    {sample}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
