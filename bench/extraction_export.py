"""Export time: the extraction tables of a 300-study review coded on a 60-question form.

usage: .venv/bin/python bench/extraction_export.py [--databases sqlite,postgresql] [--studies 300]
           [--fields 60] [--repeat 3] [--postgres-url URL] [--output-dir DIR]

Issue 13's target: exporting the tables of a 300-study review with 60 fields in under 2 s.

For each database: a fresh one, migrated; a lead and a reviewer; the records file imported
(``screening.importing``), its first ``--studies`` records included by the lead at both stages;
a single-extraction form of ``--fields`` questions (text, numbers, choices, a hierarchical
choice, countries, dates, yes/no) plus a repeatable group of two arms, made with
``forms.create_form``; every study coded and submitted by the reviewer
(``extracting.submit``), each value with a page and a quote, which makes it the study's
consensus. Then, timed, in this process, as the download and ``winnow export-extraction`` run
them: the whole workbook (``exporting.review_workbook``: studies, wide, long, the group sheet
and the raw codings), the wide table as CSV, and the form's JSON. Best and median of
``--repeat`` runs, wall time and this process's CPU time (other work on the machine stretches
the first, hardly the second; the load average is printed); the workbook is reopened with
openpyxl to count its rows.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from databases import Unavailable, fresh_database  # noqa: E402
from harness import included_review  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_RECORDS = REPO.parent / "shared" / "datasets" / "labelled" / "Cohen_2006_ProtonPumpInhibitors.csv"
TARGET_SECONDS = 2.0


def form_spec(fields: int):
    from extraction.forms import FieldSpec, FormSpec, OptionSpec, SectionSpec
    from extraction.models import FieldType as T

    kinds = [T.short_text, T.long_text, T.integer, T.decimal, T.single_choice, T.multiple_choice, T.hierarchical,
             T.country, T.date, T.yes_no]
    questions = []
    for number in range(1, fields - 1):
        kind = kinds[number % len(kinds)]
        options = []
        if kind in (T.single_choice, T.multiple_choice):
            options = [OptionSpec(label=f"Option {n}") for n in range(1, 6)]
        elif kind is T.hierarchical:
            options = [OptionSpec(label=f"Category {c}", children=[OptionSpec(label=f"Type {c}.{n}") for n in range(1, 4)])
                       for c in range(1, 4)]
        questions.append(FieldSpec(label=f"Question {number}", field_type=kind, options=options))
    arms = FieldSpec(label="Arms", field_type=T.group, fields=[
        FieldSpec(label="Arm", field_type=T.short_text, is_key=True),
        FieldSpec(label="Participants", field_type=T.integer)])
    return FormSpec(name="Export bench", dual=False, sections=[
        SectionSpec(label="Part one", fields=questions[: len(questions) // 2]),
        SectionSpec(label="Part two", fields=questions[len(questions) // 2:] + [arms])])


def coding(definition, rng: random.Random):
    from extraction.values import Entry, Node, Row

    node = Node()
    for item in definition.walk():
        kind = item.field.field_type.value
        if item.field.group_id is not None:
            continue
        if kind == "group":
            arm, participants = item.children
            node.groups[item.id] = [Row(uid=f"r{n}", values={arm.id: Entry(name), participants.id: Entry(rng.randint(5, 300))})
                                    for n, name in enumerate(("Intervention", "Control"))]
            continue
        options = [option.id for option in item.options if not item.option_children(option.id)]
        value = {"short_text": f"Answer {rng.randint(1, 10**6)}", "long_text": "A longer answer, " * 5,
                 "integer": rng.randint(0, 5000), "decimal": round(rng.uniform(0, 1000), 2),
                 "single_choice": rng.choice(options) if options else None,
                 "multiple_choice": rng.sample(options, 2) if options else None,
                 "hierarchical": rng.sample(options, 2) if options else None,
                 "country": ["GB", "NL"], "date": "2019-05", "yes_no": rng.choice((True, False))}[kind]
        node.values[item.id] = Entry(value, page=str(rng.randint(1, 30)), quote="A sentence quoted from the report.")
    return node


def bench(kind: str, args) -> dict:
    from openpyxl import load_workbook
    from sqlmodel import Session

    from app import db
    from extraction import exporting, extracting

    try:
        with fresh_database(kind, args.postgres_url, "winnow_xexport") as (url, folder):
            db.upgrade(url)
            engine = db.make_engine(url)
            began = time.perf_counter()
            with Session(engine, expire_on_commit=False) as session:
                built = included_review(session, title="Export bench", records_file=args.records, folder=Path(folder),
                                        studies=args.studies, form_spec=form_spec(args.fields))
                review, form, definition, studies = built.review, built.form, built.definition, built.studies
                rng = random.Random(7)
                for view in studies:
                    extracting.submit(session, built.coder_access, form.id, view.study.id, coding(definition, rng))
                setup_s = time.perf_counter() - began
                questions = sum(1 for item in definition.walk() if item.field.field_type.value != "group")
                timings = {"xlsx": [], "wide_csv": [], "json": []}
                cpu = []
                workbook = b""
                load_before = os.getloadavg()[0]
                for _ in range(args.repeat):
                    session.expunge_all()
                    started, cpu_started = time.perf_counter(), time.process_time()
                    workbook = exporting.review_workbook(session, review)
                    timings["xlsx"].append(time.perf_counter() - started)
                    cpu.append(time.process_time() - cpu_started)
                    started = time.perf_counter()
                    exporting.to_csv(exporting.form_table(session, review, form, "wide"))
                    timings["wide_csv"].append(time.perf_counter() - started)
                    started = time.perf_counter()
                    exporting.form_json(session, review, form)
                    timings["json"].append(time.perf_counter() - started)
            engine.dispose()
            book = load_workbook(io.BytesIO(workbook), read_only=True)
            rows = {name: sum(1 for _ in book[name].iter_rows()) for name in book.sheetnames}
            if args.output_dir:
                args.output_dir.mkdir(parents=True, exist_ok=True)
                (args.output_dir / f"extraction-{kind}.xlsx").write_bytes(workbook)
            return {"database": kind, "studies": len(studies), "questions": questions, "setup_s": setup_s,
                    "bytes": len(workbook), "rows": rows, "xlsx_cpu_best_s": min(cpu),
                    "loadavg": (load_before, os.getloadavg()[0]),
                    **{f"{name}_best_s": min(values) for name, values in timings.items()},
                    **{f"{name}_median_s": statistics.median(values) for name, values in timings.items()}}
    except Unavailable as why:
        return {"database": kind, "skipped": str(why)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--studies", type=int, default=300)
    parser.add_argument("--fields", type=int, default=60, help="questions, the group's two included")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--records", type=Path, default=DEFAULT_RECORDS)
    parser.add_argument("--postgres-url", default=DEFAULT_PG)
    parser.add_argument("--output-dir", type=Path, help="also keep each workbook here")
    args = parser.parse_args()
    if not args.records.exists():
        parser.error(f"{args.records} is missing: pass --records FILE with at least --studies records")
    commit = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    print(f"Extraction export: {args.studies} studies x {args.fields} questions, best of {args.repeat}; "
          f"code {commit.stdout.strip()}", flush=True)
    results = []
    for kind in args.databases.split(","):
        print(f"  {kind}: setting up ...", flush=True)
        try:
            results.append(bench(kind.strip(), args))
        except Exception as error:  # noqa: BLE001 - one failed database still leaves the other's figures
            results.append({"database": kind, "skipped": f"failed: {str(error).strip()[-300:]}"})
    print("\n| database | studies | questions | XLSX best / median s | XLSX CPU s | wide CSV s | JSON s | XLSX size | sheet rows |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in results:
        if "skipped" in row:
            print(f"| {row['database']} | skipped: {row['skipped']} |")
            continue
        print(f"| {row['database']} | {row['studies']} | {row['questions']} | {row['xlsx_best_s']:.2f} / "
              f"{row['xlsx_median_s']:.2f} | {row['xlsx_cpu_best_s']:.2f} | {row['wide_csv_best_s']:.2f} | {row['json_best_s']:.2f} | "
              f"{row['bytes'] / 2**20:.1f} MB | {row['rows']} |")
    for row in results:
        if "skipped" not in row:
            verdict = "meets" if row["xlsx_median_s"] < TARGET_SECONDS else "MISSES"
            print(f"{row['database']}: {verdict} the target (the whole workbook under {TARGET_SECONDS:.0f} s); "
                  f"setup took {row['setup_s']:.0f} s; 1-min load average {row['loadavg'][0]:.1f} before the "
                  f"timed runs, {row['loadavg'][1]:.1f} after, on {os.cpu_count()} CPUs.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
