"""Scale: a synthetic 100,000-record RIS file through ``winnow import`` into SQLite and PostgreSQL.

usage: nice .venv/bin/python bench/import_scale.py [--records N] [--keep FILE.ris]
           [--only sqlite|postgresql] [--postgres-url URL] [--datasets DIR] [--profile DIR]

Issue 4's target: the file imports and deduplicates in under 60 s wall on this
2-core machine with peak memory under 1.5 GB, on both databases. For each:

1. a fresh database (SQLite file in a temporary directory; a new
   ``winnow_bench_<random>`` database on the PostgreSQL server, dropped
   afterwards), ``winnow db upgrade``, ``winnow user create``, a review made
   with ``screening.review.reviews.create_review``;
2. the whole ``winnow import REVIEW FILE --source Synthetic`` process timed by
   a fresh Python parent, so that its ``RUSAGE_CHILDREN`` peak RSS is that one
   process's (the PostgreSQL server's own memory is not in it), its CPU time
   likewise, and the 1-minute load average at its end, since wall time on a
   shared machine says little alone;
3. read back from the database: records stored, merged automatically
   (``Record.duplicate_of_id`` set), candidate pairs, scored against the
   generator's truth like ``../shared/scoring/dedup_score.py`` scores a groups
   file (pairwise; a false merge is a distinct study merged into another).

Then ``winnow dedup`` on the largest shared labelled set, timed as a whole
process beside BibDedupe's figure from ../shared/BENCHMARKS.md.

The file comes from ``bench/synthetic.py`` (seeded: the same --records gives
the same file). With --profile DIR the import also runs under cProfile
(``DIR/import-<db>.prof``; its wall time, inflated by the profiler, is not the
one in the table).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import synthetic  # noqa: E402
from databases import postgres_database  # noqa: E402

BIN = Path(sys.executable).parent
WINNOW = str(BIN / "winnow") if (BIN / "winnow").exists() else "winnow"
TARGET_SECONDS, TARGET_MB = 60, 1536
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
LARGEST_SHARED = "respiratory.csv"  # 1,988 records
BIBDEDUPE_SECONDS = 20  # BENCHMARKS.md: BibDedupe 0.11.0 on respiratory.csv, whole process

# A fresh interpreter runs the one timed command, so RUSAGE_CHILDREN holds that command alone.
MEASURE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": done.returncode, "wall": wall, "rss_kb": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime,
                  "stdout": done.stdout[-2000:], "stderr": done.stderr[-3000:]}))
"""

MAKE_REVIEW = r"""
from sqlmodel import Session, select
from app import db
from app.config import Settings
from screening.review.models import ReviewCreate, User
from screening.review.reviews import create_review
engine = db.make_engine(Settings().database_url)
with Session(engine) as session:
    user = session.exec(select(User).where(User.email == "bench@example.org")).one()
    print(create_review(session, ReviewCreate(title="Import at scale"), user.id).id)
"""

READ_BACK = r"""
import json, sys
from sqlmodel import Session, select
from app import db
from app.config import Settings
from screening.models import DuplicatePair, PairStatus, Record
engine = db.make_engine(Settings().database_url)
review = int(sys.argv[1])
with Session(engine) as session:
    records = [list(r) for r in session.exec(
        select(Record.id, Record.source_id, Record.duplicate_of_id, Record.merge_kind).where(Record.review_id == review))]
    candidates = [list(r) for r in session.exec(select(DuplicatePair.first_id, DuplicatePair.second_id).where(
        DuplicatePair.review_id == review, DuplicatePair.status == PairStatus.candidate))]
print(json.dumps({"records": [[i, s, d, k.value if k else None] for i, s, d, k in records], "candidates": candidates}))
"""


def run(args: list[str], env: dict, *, stdin: str | None = None) -> str:
    done = subprocess.run(args, env=env, input=stdin, capture_output=True, text=True, cwd=env["WINNOW_DATA_DIR"])
    if done.returncode:
        raise RuntimeError(f"{' '.join(args[:3])} failed:\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}")
    return done.stdout


def measured(command: list[str], env: dict | None = None, cwd: str | None = None) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], env=env, cwd=cwd, capture_output=True, text=True,
                         check=True)
    result = json.loads(out.stdout)
    if result["rc"]:
        raise RuntimeError(f"{' '.join(command[:3])} exited {result['rc']}:\n{result['stdout']}\n{result['stderr']}")
    return result


def score(records: list, candidates: list, truth: dict[str, int]) -> dict:
    """Pairwise, automatic merges only, like dedup_score.py; plus pairs put before a person."""
    group = {rid: dup or rid for rid, _, dup, _ in records}
    study = {rid: truth[source] for rid, source, _, _ in records}
    members: dict[int, list[int]] = defaultdict(list)
    for rid, g in group.items():
        members[g].append(rid)
    true_pairs = sum(n * (n - 1) // 2 for n in Counter(study.values()).values())
    predicted = tp = false_merges = 0
    for ids in members.values():
        predicted += len(ids) * (len(ids) - 1) // 2
        per_study = Counter(study[r] for r in ids)
        tp += sum(n * (n - 1) // 2 for n in per_study.values())
        false_merges += len(per_study) - 1
    # True pairs not merged but one "same report" click away: their groups are joined by a candidate pair.
    joined = {frozenset((group[a], group[b])) for a, b in candidates}
    groups_of_study: dict[int, Counter] = defaultdict(Counter)
    for rid, s in study.items():
        groups_of_study[s][group[rid]] += 1
    one_click = 0
    for counts in groups_of_study.values():
        gs = list(counts)
        for x in range(len(gs)):
            for y in range(x + 1, len(gs)):
                if frozenset((gs[x], gs[y])) in joined:
                    one_click += counts[gs[x]] * counts[gs[y]]
    return {
        "stored": len(records), "auto": sum(dup is not None for _, _, dup, _ in records),
        "candidates": len(candidates), "true_pairs": true_pairs, "predicted_pairs": predicted, "tp": tp,
        "sensitivity": tp / true_pairs if true_pairs else 1.0, "false_merges": false_merges,
        "covered": (tp + one_click) / true_pairs if true_pairs else 1.0,
    }


def bench_database(kind: str, url: str, ris: Path, truth: dict[str, int], profile: Path | None) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"winnow-scale-{kind}-") as data_dir:
        if kind == "sqlite":
            url = f"sqlite:///{Path(data_dir) / 'winnow.sqlite'}"
        env = {**os.environ, "DATABASE_URL": url, "WINNOW_DATA_DIR": data_dir}
        run([WINNOW, "db", "upgrade"], env)
        run([WINNOW, "user", "create", "--email", "bench@example.org", "--name", "Bench", "--password-stdin"], env,
            stdin=secrets.token_urlsafe(16) + "\n")
        review = int(run([sys.executable, "-c", MAKE_REVIEW], env).strip().splitlines()[-1])
        command = [WINNOW, "import", str(review), str(ris), "--source", "Synthetic"]
        print(f"  {kind}: winnow import {review} {ris.name} ...", flush=True)
        result = measured(command, env, cwd=data_dir)
        # The other side of CPU time: how busy the machine was over the run's last minute.
        result["load"] = os.getloadavg()[0]
        message = result["stdout"].strip().splitlines()[-1] if result["stdout"].strip() else ""
        print(f"  {kind}: {result['wall']:.1f} s, {result['cpu']:.1f} CPU s, load {result['load']:.1f}, "
              f"{result['rss_kb'] / 1024:.0f} MB: {message}", flush=True)
        back = json.loads(run([sys.executable, "-c", READ_BACK, str(review)], env).strip().splitlines()[-1])
        figures = score(back["records"], back["candidates"], truth)
        if profile:
            profile.mkdir(parents=True, exist_ok=True)
            review = int(run([sys.executable, "-c", MAKE_REVIEW], env).strip().splitlines()[-1])
            out = profile / f"import-{kind}.prof"
            print(f"  {kind}: profiling into {out} (a second review in the same database) ...", flush=True)
            measured([sys.executable, "-m", "cProfile", "-o", str(out), WINNOW, "import", str(review), str(ris),
                      "--source", "Synthetic"], env, cwd=data_dir)
        return {**result, **figures}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="keep the generated RIS file here (and FILE.truth.csv)")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--postgres-url", default=DEFAULT_PG)
    parser.add_argument("--datasets", type=Path, default=synthetic.DEFAULT_DATASETS)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--profile", type=Path, help="also run each import under cProfile, writing DIR/import-<db>.prof")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="winnow-scale-") as tmp:
        ris = args.keep or Path(tmp) / f"synthetic-{args.records}.ris"
        started = time.perf_counter()
        study_of = synthetic.write(ris, args.records, seed=args.seed, datasets=args.datasets)
        truth = {f"SYN{i:06d}": s for i, s in enumerate(study_of, start=1)}
        studies = len(set(study_of))
        print(f"Generated {ris} in {time.perf_counter() - started:.0f} s: {args.records:,} records of {studies:,} "
              f"studies ({args.records - studies:,} duplicates, {(args.records - studies) / args.records:.0%}), "
              f"{ris.stat().st_size / 2**20:.0f} MB", flush=True)

        rows: list[tuple[str, dict | str]] = []
        for kind in ("sqlite", "postgresql"):
            if args.only and args.only != kind:
                continue
            try:
                if kind == "sqlite":
                    rows.append((kind, bench_database(kind, "", ris, truth, args.profile)))
                    continue
                made = postgres_database(args.postgres_url, "winnow_bench")
                if isinstance(made, str):
                    print(f"  postgresql: skipped: {made}")
                    rows.append((kind, f"skipped: {made}"))
                    continue
                url, drop = made
                try:
                    rows.append((kind, bench_database(kind, url, ris, truth, args.profile)))
                finally:
                    drop()
            except (RuntimeError, subprocess.CalledProcessError) as error:
                print(f"  {kind}: FAILED: {error}")
                rows.append((kind, f"failed: {str(error).strip().splitlines()[-1][:120]}"))

        labelled = args.datasets / "dedup" / LARGEST_SHARED
        dedup = None
        if labelled.exists():
            dedup = measured([WINNOW, "dedup", str(labelled), "--output", str(Path(tmp) / "groups.csv")], cwd=tmp)

    print()
    print(f"Import at scale: {args.records:,} synthetic RIS records ({studies:,} studies), whole `winnow import` "
          f"process; target < {TARGET_SECONDS} s wall and < {TARGET_MB / 1024:.1f} GB peak RSS on {os.cpu_count()} cores")
    header = ("database", "wall s", "records/s", "peak RSS MB", "CPU s", "load", "stored", "auto-merged", "candidates",
              "sensitivity", "false merges", "covered", "target")
    lines = [header]
    for kind, row in rows:
        if isinstance(row, str):
            lines.append((kind, row) + ("",) * (len(header) - 2))
            continue
        ok = row["wall"] < TARGET_SECONDS and row["rss_kb"] / 1024 < TARGET_MB
        lines.append((kind, f"{row['wall']:.1f}", f"{args.records / row['wall']:,.0f}", f"{row['rss_kb'] / 1024:,.0f}",
                      f"{row['cpu']:.1f}", f"{row['load']:.1f}", f"{row['stored']:,}", f"{row['auto']:,}", f"{row['candidates']:,}",
                      f"{row['sensitivity']:.4f}", f"{row['false_merges']}", f"{row['covered']:.4f}",
                      "met" if ok else "MISSED"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for n, line in enumerate(lines):
        print("| " + " | ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths)))
              + " |")
        if n == 0:
            print("| " + " | ".join("-" * w for w in widths) + " |")
    for kind, row in rows:
        if not isinstance(row, str):
            print(f"  {kind}: true pairs {row['true_pairs']:,}, merged pairs {row['predicted_pairs']:,} "
                  f"({row['tp']:,} true); covered = true pairs merged or one 'same report' click away")
    print()
    if dedup:
        print(f"`winnow dedup {LARGEST_SHARED}` (largest shared set, 1,988 records), whole process: "
              f"Winnow {dedup['wall']:.1f} s ({dedup['rss_kb'] / 1024:.0f} MB peak), "
              f"BibDedupe 0.11.0 {BIBDEDUPE_SECONDS} s (BENCHMARKS.md)")
    else:
        print(f"{labelled} not found: no `winnow dedup` timing beside BibDedupe's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
