"""Benchmark the ranking: simulate every labelled CSV with seeds 1-3 and print a table.

    nice .venv/bin/python bench/simulate.py [FOLDER] [--seeds 1 2 3] [--model JSON] [--only NAME]
    nice .venv/bin/python bench/simulate.py --screeners 2 [--error 0.05] [--head-start 100]
                                            [--designs own complete shared] [--jobs 2]

With --screeners 2 the table is the team's instead: each review screened through the app
itself (``app.simulation``: the real service functions, queue and training job on a scratch
database) by one screener and by two blind screeners under each design of the ranking,
counting the team's screening decisions until 95% and 100% of the relevant records have a
final include; --jobs runs that many simulations at once.

Priors as BENCHMARKS.md: for seed S, random.Random(S) picks one record_id from
the string-sorted relevant ids, then one from the string-sorted irrelevant ids.
Orders are scored with ../shared/scoring/srmetrics.py and cross-checked against
Winnow's own metric code; ASReview LAB 3.0.8 (elas_u4) figures are shown beside.
Wall s is Winnow's simulate() time (vectorising plus a retrain after every
label), mean over seeds; ASReview's is a whole-process median. Wall time is
noisy on a shared machine, so CPU s (this process's user+sys time for the same
work) and the load average are printed too: compare within one run. Also times
one retrain + re-rank on a synthetic 20,000-record corpus (the issue asks for
under 1 s).
"""

import argparse
import importlib.util
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from screening.ranking.model import DEFAULT_MODEL, ModelSpec, Ranker  # noqa: E402
from screening.ranking.simulate import read_labelled_csv, simulate  # noqa: E402

SHARED = REPO.parent / "shared"

# From BENCHMARKS.md: WSS@95, WSS@100, recall@10%, wall s (median), perfect WSS@95.
ASREVIEW = {
    "Bannach-Brown_2019.csv": (0.417, 0.027, 0.566, 46.0),
    "Cohen_2006_ADHD.csv": (0.675, 0.553, 0.733, 8.2),
    "Cohen_2006_ProtonPumpInhibitors.csv": (0.435, 0.419, 0.647, 18.5),
    "Kitchenham_2010.csv": (0.685, 0.308, 0.704, 21.5),
}


def load_srmetrics():
    spec = importlib.util.spec_from_file_location("srmetrics", SHARED / "scoring" / "srmetrics.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pick_priors(records, seed: int) -> list[str]:
    rng = random.Random(seed)
    relevant = sorted(r.record_id for r in records if r.label == 1)
    irrelevant = sorted(r.record_id for r in records if r.label == 0)
    return [rng.choice(relevant), rng.choice(irrelevant)]


def retrain_timing(n_records: int = 20_000, n_labelled: int = 2_000, spec: ModelSpec = DEFAULT_MODEL) -> float:
    """Seconds for one fit + score of every record on a synthetic corpus (median of 5)."""
    rng = np.random.default_rng(0)
    vocabulary = [f"w{i}" for i in range(30_000)]
    zipf = 1 / np.arange(1, len(vocabulary) + 1)
    zipf /= zipf.sum()
    words = rng.choice(len(vocabulary), size=(n_records, 150), p=zipf)
    texts = [" ".join(vocabulary[i] for i in row) for row in words]
    ranker = Ranker(texts, spec)  # vectorising 20,000 records takes a while; not timed
    labels = {i: int(rng.random() < 0.05) for i in range(n_labelled)}
    labels[0], labels[1] = 1, 0
    times = []
    for _ in range(5):
        started = time.perf_counter()
        ranker.fit(labels)
        ranker.queue(np.arange(n_labelled, n_records))
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", default=str(SHARED / "datasets" / "labelled"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--model", default=None, help="ModelSpec as JSON (default: Winnow's default)")
    parser.add_argument("--only", nargs="*", default=None, help="dataset file names to run")
    parser.add_argument("--no-timing", action="store_true", help="skip the 20,000-record retrain timing")
    parser.add_argument("--screeners", type=int, default=1, help="2: the dual-screening team table")
    parser.add_argument("--error", type=float, default=0.0, help="each screener's chance of flipping a label")
    parser.add_argument("--head-start", type=int, default=0, help="decisions the first screener makes alone")
    parser.add_argument("--designs", nargs="+", default=["complete", "own"])
    parser.add_argument("--jobs", type=int, default=2, help="simulations run at once (team table)")
    args = parser.parse_args(argv)
    if args.screeners > 1:
        return team_table(args)

    spec = ModelSpec.from_dict(json.loads(args.model)) if args.model else DEFAULT_MODEL
    srmetrics = load_srmetrics()
    print(f"model: {json.dumps(spec.to_dict())}; seeds {args.seeds}")
    header = "| dataset | N | R | WSS@95 | ASReview | WSS@100 | ASReview | recall@10% | ASReview | wall s | ASReview | CPU s |"
    print(header)
    print("| --- " + "| ---: " * 11 + "|")
    means = []
    files = sorted(Path(args.folder).glob("*.csv"))
    for path in files:
        if args.only and path.name not in args.only:
            continue
        records = read_labelled_csv(path)
        rows = []
        for seed in args.seeds:
            cpu_started = time.process_time()
            result = simulate(records, pick_priors(records, seed), seed=seed, spec=spec)
            cpu = time.process_time() - cpu_started
            labels = [label for _, label in result.order]
            scored = srmetrics.metrics(labels, len(records), sum(r.label for r in records))
            ours = result.metrics
            assert (scored["wss95"], scored["wss100"], scored["recall_at_10pct"]) == (
                ours.wss95,
                ours.wss100,
                ours.recall_at_10pct,
            ), f"metric mismatch on {path.name} seed {seed}: {scored} vs {ours}"
            assert len({rid for rid, _ in result.order}) == len(result.order)
            rows.append((scored["wss95"], scored["wss100"], scored["recall_at_10pct"], result.wall_seconds, cpu))
        mean = [statistics.fmean(col) for col in zip(*rows)]
        means.append((path.name, mean))
        ref = ASREVIEW.get(path.name)
        ref_cells = [f"{v:.3f}" for v in ref[:3]] + [f"{ref[3]:.1f}"] if ref else ["-"] * 4
        print(
            f"| {path.name} | {len(records)} | {sum(r.label for r in records)} "
            f"| {mean[0]:.3f} | {ref_cells[0]} | {mean[1]:.3f} | {ref_cells[1]} "
            f"| {mean[2]:.3f} | {ref_cells[2]} | {mean[3]:.1f} | {ref_cells[3]} | {mean[4]:.1f} |",
            flush=True,
        )
    if means:
        overall = [statistics.fmean(m[i] for _, m in means) for i in range(3)]
        known = [name for name, _ in means if name in ASREVIEW]
        ref = [statistics.fmean(ASREVIEW[n][i] for n in known) for i in range(3)] if known else None
        ref_cells = [f"**{v:.3f}**" for v in ref] if ref else ["-"] * 3
        print(
            f"| **mean** | | | **{overall[0]:.3f}** | {ref_cells[0]} | **{overall[1]:.3f}** | {ref_cells[1]} "
            f"| **{overall[2]:.3f}** | {ref_cells[2]} | | | |"
        )
        better = sum(1 for name, m in means if name in ASREVIEW and m[0] > ASREVIEW[name][0])
        print(f"WSS@95 better than ASReview on {better} of {len(known)} datasets")
    print(f"load average (1, 5, 15 min) at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if not args.no_timing:
        print(f"retrain + re-rank, 20,000 records (2,000 labelled): {retrain_timing(spec=spec):.3f} s")
    return 0


def _team_run(job: tuple) -> tuple:
    from app.simulation import simulate_team

    path, seed, screeners, design, error, head_start = job
    records = read_labelled_csv(path)
    result = simulate_team(records, pick_priors(records, seed), screeners=screeners, design=design, error=error,
                           seed=seed, head_start=head_start)
    return job, result


def team_table(args) -> int:
    """Single screening against blind dual screening, through the app, per review and design."""
    from multiprocessing import Pool

    from app.simulation import DESIGNS

    files = [path for path in sorted(Path(args.folder).glob("*.csv")) if not args.only or path.name in args.only]
    plans = [(1, "own")] + [(args.screeners, design) for design in args.designs]
    # The smallest reviews first, so their rows are ready while the largest still run.
    jobs = [(str(path), seed, screeners, design, args.error, args.head_start)
            for path in sorted(files, key=lambda path: path.stat().st_size)
            for seed in args.seeds for screeners, design in plans]
    print(f"Team simulation: {args.screeners} screeners, error {args.error}, head start {args.head_start}, "
          f"seeds {args.seeds}, {len(jobs)} simulations, {args.jobs} at once")
    for design in args.designs:
        print(f"  {design}: {DESIGNS[design]}")
    results = {}
    with Pool(args.jobs) as pool:
        for job, result in pool.imap_unordered(_team_run, jobs):
            results[job] = result
            print(f"  [{len(results)}/{len(jobs)}] {Path(job[0]).name} seed {job[1]}, {job[2]} screener(s), {job[3]}: "
                  f"{result.decisions_for_95} / {result.decisions_for_100} decisions, {result.resolutions} resolved, "
                  f"{result.missed} missed, {result.wall_seconds:.0f} s", flush=True)

    def cell(values: list) -> str:
        reached = [v for v in values if v is not None]
        mean = f"{statistics.fmean(reached):,.0f}" if reached else "-"
        return mean if len(reached) == len(values) else f"{mean} ({len(values) - len(reached)} never)"

    labels = ["1 screener"] + [f"{args.screeners} blind, {design}" if design != "shared"
                               else f"{args.screeners} not blind" for design in args.designs]
    print("\nTeam screening decisions until 95% / 100% of relevant records are found (mean over seeds; "
          "'never': runs where a relevant record was excluded for good), then relevant records missed and "
          "conflicts the lead resolved:\n")
    print("| dataset | N | R | " + " | ".join(labels) + " |")
    print("| --- | ---: | ---: |" + " --- |" * len(labels))
    for path in files:
        row = []
        for screeners, design in plans:
            runs = [results[(str(path), seed, screeners, design, args.error, args.head_start)] for seed in args.seeds]
            row.append(f"{cell([r.decisions_for_95 for r in runs])} / {cell([r.decisions_for_100 for r in runs])}; "
                       f"missed {statistics.fmean(r.missed for r in runs):.1f}, "
                       f"resolved {statistics.fmean(r.resolutions for r in runs):.0f}")
        print(f"| {path.name} | {runs[0].n} | {runs[0].relevant} | " + " | ".join(row) + " |", flush=True)
    wall = statistics.fmean(r.wall_seconds for r in results.values())
    print(f"mean wall time of one simulation: {wall:.0f} s; load average at the end: "
          f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
