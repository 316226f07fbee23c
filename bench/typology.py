"""Typology time: the summaries of a 300-study review, as the summaries page computes them.

usage: .venv/bin/python bench/typology.py [--databases sqlite,postgresql] [--studies 300] [--repeat 3]
           [--postgres-url URL]

Issue 14's target: the typology of a review of 300 studies in under 1 s.

For each database: a fresh one, migrated; a lead and a reviewer; the records file imported, its
first ``--studies`` records included at both stages; a single-extraction charting form
(country, design, sample size, a repeatable group of interventions with a hierarchical type:
every fifth study tests two) made with ``forms.create_form``; every study coded and submitted
(``extracting.submit``), which makes it the study's consensus. Then, timed, in this process:
``typology.form_summary`` (the consensus read into observations), and ``summaries.summarise``
as the page calls it (counts, sentences, participants by country, the cross-tab and gap map
specification, studies by year, the nested typology), and the gap map written as SVG with
vl-convert. Best and median of ``--repeat`` runs, wall time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
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
TARGET_SECONDS = 1.0
COUNTRIES = ["GB", "NL", "AU", "NO", "US", "CA", "DE", "IE"]
DESIGNS = ["RCT", "Cohort", "Qualitative", "Mixed methods"]
TYPES = {"Psychotherapy": ["DBT", "CBT", "MBT", "STEPPS"], "Service model": ["Stepped Care", "Crisis house", "Case management"],
         "Social": ["Peer support", "Family therapy"]}


def form_spec():
    from extraction.forms import FieldSpec, FormSpec, OptionSpec, SectionSpec
    from extraction.models import FieldType as T

    return FormSpec(name="Charting", dual=False, sections=[SectionSpec(label="Study", fields=[
        FieldSpec(label="Country", field_type=T.country),
        FieldSpec(label="Design", field_type=T.single_choice, options=[OptionSpec(label=d) for d in DESIGNS]),
        FieldSpec(label="Service users", field_type=T.integer),
        FieldSpec(label="Interventions", field_type=T.group, fields=[
            FieldSpec(label="Name", field_type=T.short_text, is_key=True),
            FieldSpec(label="Type", field_type=T.hierarchical, options=[
                OptionSpec(label=category, children=[OptionSpec(label=kind) for kind in kinds])
                for category, kinds in TYPES.items()])])])])


def bench(kind: str, args) -> dict:
    from sqlmodel import Session

    from app import db
    from extraction import extracting
    from extraction.reports import charts, summaries, typology
    from extraction.values import Entry, Node, Row

    try:
        with fresh_database(kind, args.postgres_url, "winnow_typology") as (url, folder):
            db.upgrade(url)
            engine = db.make_engine(url)
            began = time.perf_counter()
            with Session(engine, expire_on_commit=False) as session:
                built = included_review(session, title="Typology bench", records_file=args.records,
                                        folder=Path(folder), studies=args.studies, form_spec=form_spec())
                review, form, studies = built.review, built.form, built.studies
                country, design, users, group = built.definition.sections[0].fields
                name, type_field = group.children
                leaves = [option.id for option in type_field.options if option.parent_id is not None]
                designs = [option.id for option in design.options]
                rng = random.Random(14)
                for index, view in enumerate(studies):
                    arms = [Row(uid=f"r{n}", values={name.id: Entry(f"Arm {n}"), type_field.id: Entry([rng.choice(leaves)])})
                            for n in range(2 if index % 5 == 0 else 1)]
                    node = Node(values={country.id: Entry(rng.sample(COUNTRIES, rng.choice((1, 1, 2)))),
                                        design.id: Entry(rng.choice(designs)), users.id: Entry(rng.randint(10, 400))},
                                groups={group.id: arms})
                    extracting.submit(session, built.coder_access, form.id, view.study.id, node)
                setup_s = time.perf_counter() - began
                choices = dict(form_id=form.id, field=str(type_field.id), by="occurrences", of_unit="interventions",
                               number=str(users.id), rows=str(type_field.id), columns=str(country.id),
                               colour=str(design.id), stack=str(design.id))
                timings = {"form_summary": [], "summarise": [], "gap_map_svg": []}
                found = None
                for _ in range(args.repeat):
                    session.expunge_all()
                    started = time.perf_counter()
                    typology.form_summary(session, review, form)
                    timings["form_summary"].append(time.perf_counter() - started)
                    session.expunge_all()
                    profile = cProfile.Profile() if args.profile else None
                    started = time.perf_counter()
                    if profile:
                        profile.enable()
                    found = summaries.summarise(session, review, summaries.Choices(**choices), lambda ids, about="": "/s")
                    timings["summarise"].append(time.perf_counter() - started)
                    if profile:
                        profile.disable()
                        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
                    started = time.perf_counter()
                    charts.to_svg(found.gap_map)
                    timings["gap_map_svg"].append(time.perf_counter() - started)
            engine.dispose()
            return {"database": kind, "studies": len(found.data.studies), "interventions": found.counts.occurrences,
                    "sentence": found.sentences[0][1].text[:90], "setup_s": setup_s,
                    **{f"{key}_best_s": min(values) for key, values in timings.items()},
                    **{f"{key}_median_s": statistics.median(values) for key, values in timings.items()}}
    except Unavailable as why:
        return {"database": kind, "skipped": str(why)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--studies", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--records", type=Path, default=DEFAULT_RECORDS)
    parser.add_argument("--postgres-url", default=DEFAULT_PG)
    parser.add_argument("--profile", action="store_true", help="print where summarise spends its time")
    args = parser.parse_args()
    if not args.records.exists():
        parser.error(f"{args.records} is missing: pass --records FILE with at least --studies records")
    commit = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    print(f"Typology: {args.studies} studies, best of {args.repeat}; code {commit.stdout.strip()}", flush=True)
    results = []
    for kind in args.databases.split(","):
        print(f"  {kind}: setting up ...", flush=True)
        try:
            results.append(bench(kind.strip(), args))
        except Exception as error:  # noqa: BLE001 - one failed database still leaves the other's figures
            results.append({"database": kind, "skipped": f"failed: {str(error).strip()[-300:]}"})
    print("\n| database | studies | interventions | form_summary best / median s | summarise (page) best / median s | gap map SVG s |")
    print("|---|---|---|---|---|---|")
    for row in results:
        if "skipped" in row:
            print(f"| {row['database']} | skipped: {row['skipped']} |")
            continue
        print(f"| {row['database']} | {row['studies']} | {row['interventions']} | {row['form_summary_best_s']:.3f} / "
              f"{row['form_summary_median_s']:.3f} | {row['summarise_best_s']:.3f} / {row['summarise_median_s']:.3f} | "
              f"{row['gap_map_svg_best_s']:.2f} |")
    for row in results:
        if "skipped" not in row:
            verdict = "meets" if row["summarise_median_s"] < TARGET_SECONDS else "MISSES"
            print(f"{row['database']}: {verdict} the target (the typology under {TARGET_SECONDS:.0f} s); setup took "
                  f"{row['setup_s']:.0f} s; first sentence: {row['sentence']}...; load average {os.getloadavg()[0]:.1f} "
                  f"on {os.cpu_count()} CPUs.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
