"""Deduplication accuracy and speed on hand-labelled sets, scored like every other tool.

usage: nice .venv/bin/python bench/dedup.py [LABELLED.csv ...]
(default: ../shared/datasets/dedup/*.csv next to the repository)

For each file it times the whole ``winnow dedup FILE --output groups.csv``
process (start-up, import and deduplication, as BibDedupe's figures are whole
process), scores groups.csv with ../shared/scoring/dedup_score.py (imported by
path, so the arithmetic is exactly that file's), and adds what that scorer
cannot see, from the same deduplication run in this process:

* covered (1 decision): share of true pairs merged automatically, or whose two
  records (or the automatic groups they sit in) are joined by a pair on the
  possible-duplicates page: one "same report" click merges them;
* covered (connected): share of true pairs whose records are connected
  through automatic groups and review pairs (several clicks may be needed);
* review pairs: how many pairs a person is asked about;
* find_duplicates CPU s: ``time.process_time()`` around that in-process call
  (CPU, not wall: other work on the machine does not inflate it much).

If the ``winnow dedup`` command is missing, it says so and times
``python -c 'dedup_files(...)'`` instead (same code, same process shape).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import itertools
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from screening.dedup import find_duplicates, group_duplicates, pairs_for_review  # noqa: E402
from screening.importers import parse_file  # noqa: E402

SHARED = REPO.parent / "shared"
SCORER = SHARED / "scoring" / "dedup_score.py"
# BENCHMARKS.md: BibDedupe 0.11.0 on the same files (sensitivity, false merges, whole-process seconds).
BIBDEDUPE = {"respiratory.csv": (0.925, 0, 20), "stroke.csv": (0.996, 0, 13), "haematology.csv": (0.828, 1, 13)}

FALLBACK = (
    "import sys; from pathlib import Path; "
    "from screening.dedup import dedup_files, write_groups_csv; "
    "write_groups_csv(dedup_files([Path(sys.argv[1])]), Path(sys.argv[2]))"
)


def load_scorer():
    spec = importlib.util.spec_from_file_location("dedup_score", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dedup_command(labelled: Path, out: Path) -> tuple[list[str], str]:
    winnow = shutil.which("winnow", path=str(Path(sys.executable).parent)) or shutil.which("winnow")
    if winnow:
        probe = subprocess.run([winnow, "dedup", "--help"], capture_output=True, text=True)
        if probe.returncode == 0:
            return [winnow, "dedup", str(labelled), "--output", str(out)], "winnow dedup"
    return [sys.executable, "-c", FALLBACK, str(labelled), str(out)], "python -c dedup_files (no `winnow dedup` yet)"


def coverage(labelled: Path, groups_csv: Path) -> dict:
    truth = list(csv.DictReader(open(labelled, encoding="utf-8")))
    entity = [t["true_group"] or f"solo:{i}" for i, t in enumerate(truth)]
    citations = parse_file(labelled.read_bytes(), labelled.name).citations
    assert len(citations) == len(truth), "the importer read a different number of records"
    start = time.process_time()
    pairs = find_duplicates(citations)
    cpu = time.process_time() - start
    groups = group_duplicates(len(citations), pairs)
    review = pairs_for_review(len(citations), pairs)

    # The same run as the timed process? Compare the automatic partitions.
    index = {t["record_id"]: i for i, t in enumerate(truth)}
    cli_groups = defaultdict(list)
    for row in csv.DictReader(open(groups_csv, encoding="utf-8")):
        if row["match"] == "auto":
            cli_groups[row["group_id"]].append(index[row["record_id"]])
    same_run = sorted(sorted(g) for g in cli_groups.values()) == groups

    group_of = {i: k for k, g in enumerate(groups) for i in g}
    node = lambda i: group_of.get(i, ("solo", i))  # noqa: E731
    links = {frozenset((node(p.left), node(p.right))) for p in review}
    parent: dict = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in review:
        parent[find(node(p.left))] = find(node(p.right))

    members = defaultdict(list)
    for i, e in enumerate(entity):
        members[e].append(i)
    true_pairs = [p for m in members.values() for p in itertools.combinations(m, 2)]
    direct = sum(node(i) == node(j) or frozenset((node(i), node(j))) in links for i, j in true_pairs)
    connected = sum(find(node(i)) == find(node(j)) for i, j in true_pairs)
    total = len(true_pairs) or 1
    return {"direct": direct / total, "connected": connected / total, "review": len(review),
            "same_run": same_run, "cpu": cpu}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    files = args.files or sorted((SHARED / "datasets" / "dedup").glob("*.csv"))
    if not files:
        parser.error("no labelled files given and none found in ../shared/datasets/dedup/")
    scorer = load_scorer()
    header = ("| dataset | records | true pairs | auto sensitivity | false merges | covered (1 decision) "
              "| covered (connected) | review pairs | wall s | find_duplicates CPU s | BibDedupe sens. / false / s |")
    print(header)
    print("| --- " * 11 + "|")
    how = ""
    for labelled in files:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "groups.csv"
            command, how = dedup_command(labelled, out)
            start = time.perf_counter()
            subprocess.run(command, check=True, cwd=REPO)
            wall = time.perf_counter() - start
            score = scorer.score(str(labelled), str(out), "utf-8")
            cover = coverage(labelled, out)
        ref = BIBDEDUPE.get(labelled.name)
        ref_text = f"{ref[0]:.3f} / {ref[1]} / {ref[2]}" if ref else "-"
        print(f"| {labelled.name} | {score['records']} | {score.get('true_pairs', '-')} "
              f"| {score['sensitivity']:.3f} | {score['false_merges']} | {cover['direct']:.3f} "
              f"| {cover['connected']:.3f} | {cover['review']} | {wall:.1f} | {cover['cpu']:.2f} | {ref_text} |")
        if not cover["same_run"]:
            print(f"  warning: {labelled.name}: the timed process's groups differ from this process's")
    print(f"\ntimed: {how}, whole process; scored by {SCORER}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
