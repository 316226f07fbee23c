"""Deduplication accuracy and speed on hand-labelled sets, scored like every other tool.

usage: nice .venv/bin/python bench/dedup.py [LABELLED.csv ...] [--no-perturbed]
(default: ../shared/datasets/dedup/*.csv next to the repository)

For each labelled file, and for a copy of it with labelled perturbations added
(below), it times the whole ``winnow dedup FILE --output groups.csv`` process
(start-up, import and deduplication, as BibDedupe's figures are whole
process), scores groups.csv with ../shared/scoring/dedup_score.py (imported by
path, so the arithmetic is exactly that file's), and adds what that scorer
cannot see, from the same deduplication run in this process:

* coverage: share of true pairs merged automatically, or whose two records
  (or the automatic groups they sit in) are joined by a pair on the
  possible-duplicates page: one "same report" click merges them;
* review pairs: how many pairs a person is asked about;
* find_duplicates CPU s: ``time.process_time()`` around that in-process call
  (CPU, not wall: other work on the machine does not inflate it much).

The perturbed copy is labelled test material of our own, for the kinds of
record real searches hold and the labelled sets barely do. Real records that
have no duplicate in the set get one, written as another database writes it
(each a true pair): punctuation (``: `` for `` - ``, quotation marks),
author names in other forms and orders (initials for full names, given name
first, ``Andrea, C.`` for ``Carignani, Andrea``, the first two swapped), a DOI
on one record only (the online-first record: no volume or pages yet, half of
them dated the year before print), an electronic article number against the printed
pages (BMJ's ``c1804`` and ``1014``), a conference named in different ways
(``Proceedings of the 12th Annual ...``, its acronym with the year, its plain
name), and several of these at once. Traps that must never merge (each record
a report of its own): a real title given another real record's authors,
journal, volume, issue and pages (a journal that printed several articles with
the same page numbers, a database that filled pages in wrong); and a recurring
title (``Editorial``, ``Reply``, ``Book review`` ...) by one author in four
issues of one volume, with no pages or all on page 1, plus one true copy of
one of them. Everything is drawn from a ``random.Random`` seeded by the file
name: the same file gives the same perturbations. A table by kind follows.

If the ``winnow dedup`` command is missing, it says so and times
``python -c 'dedup_files(...)'`` instead (same code, same process shape).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import itertools
import random
import re
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

COLUMNS = ("record_id", "title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "abstract",
           "true_group", "kind")
POSITIVE_KINDS = ("punctuation", "author forms", "doi on one", "article number", "conference names", "combined")
TRAP_KINDS = ("other title, same place", "recurring title")
PAIRS_PER_KIND = 30
SERIES = 8  # recurring-title series per set
RECURRING_TITLES = ("Editorial", "Editor's comments", "Letter to the editor", "Reply", "Erratum",
                    "Introduction to the special issue", "Book review", "Conference report")
_STOP = frozenset("a an and at for in of on the to with".split())


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


# --- labelled perturbations ------------------------------------------------------------------


def _authors(row: dict) -> list[str]:
    return [a.strip() for a in re.split(r"\s+and\s+|;", row["authors"]) if a.strip()]


def _family_given(name: str) -> tuple[str, str]:
    family, _, given = name.partition(",")
    return family.strip(), given.strip()


def _initials(given: str) -> str:
    return " ".join(part[0] + "." for part in re.split(r"[\s.]+", given) if part)


def _author_forms(row: dict, rng: random.Random) -> dict:
    names = _authors(row)
    pairs = [_family_given(n) for n in names]
    full_first = bool(pairs) and len(pairs[0][1].replace(".", "").split()[0] if pairs[0][1] else "") > 2
    forms = ["initials", "given first", "pubmed", "capitals"] + (["swapped order"] if len(names) > 1 else [])
    forms += ["given as family"] * full_first
    form = rng.choice(forms)
    if form == "initials":
        out = [f"{f}, {_initials(g)}" if g else f for f, g in pairs]
    elif form == "given first":
        out = [f"{g} {f}".strip() for f, g in pairs]
    elif form == "pubmed":
        out = [f"{f} {_initials(g).replace('.', '').replace(' ', '')}".strip() for f, g in pairs]
    elif form == "capitals":
        out = [f"{f.upper()}, {_initials(g).replace(' ', '')}" if g else f.upper() for f, g in pairs]
    elif form == "swapped order":
        out = [names[1], names[0], *names[2:]]
    else:  # "Andrea, C." for "Carignani, Andrea": a database that took the given name for the family name
        family, given = pairs[0]
        out = [f"{given.split()[0]}, {family[0]}.", *names[1:]]
    return {**row, "authors": "; ".join(out)}


def _punctuation(row: dict, rng: random.Random) -> dict:
    title = row["title"]
    options = []
    if ": " in title:
        options.append(title.replace(": ", " - ", 1))
    if " - " in title:
        options.append(title.replace(" - ", ": ", 1))
    options.append(f"\u201c{title.rstrip('.')}\u201d")
    options.append(title[:-1] if title.endswith(".") else title + ".")
    words = title.split()
    if len(words) > 4:
        options.append(" ".join(["'" + words[0], words[1] + "'", *words[2:]]))
    return {**row, "title": rng.choice(options)}


def _doi_on_one(row: dict, rng: random.Random) -> dict:
    """The article's online-first record: its DOI, no volume or pages yet, often the year before print."""
    year = str(int(row["year"]) - rng.choice((0, 1))) if row["year"].isdigit() else row["year"]
    return {**row, "doi": f"10.5555/winnow-bench.{row['record_id']}", "volume": "", "issue": "", "pages": "",
            "year": year}


def _article_number(row: dict, rng: random.Random) -> dict:
    return {**row, "pages": f"{rng.choice('ce')}{rng.randint(1000, 99999)}"}


def _conference(row: dict, rng: random.Random) -> tuple[dict, dict]:
    """Both records of a pair, the venue named two of the ways conference records name it."""
    subject = re.sub(r"^the\s+", "", row["journal"].strip().strip('"'), flags=re.IGNORECASE)
    name = f"International Conference on {subject}"
    acronym = "".join(w[0] for w in re.findall(r"[A-Za-z]+", name) if w.lower() not in _STOP).upper()
    number = rng.randint(4, 60)
    ordinal = f"{number}{'th' if 10 <= number % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th')}"
    names = [f"Proceedings of the {ordinal} Annual {name}", f"{acronym} {row['year']}", name,
             f"{name} ({acronym})", f"{acronym} {row['year']} Proceedings"]
    first, second = rng.sample(names, 2)
    return ({**row, "journal": first, "volume": "", "issue": ""},
            {**row, "journal": second, "volume": "", "issue": "", "pages": rng.choice([row["pages"], ""])})


def _combined(row: dict, rng: random.Random) -> dict:
    copy = _author_forms(_punctuation(row, rng), rng)
    return rng.choice([_doi_on_one, _article_number])(copy, rng)


_COPY = {"punctuation": _punctuation, "author forms": _author_forms, "doi on one": _doi_on_one,
         "article number": _article_number, "combined": _combined}


def _complete(row: dict) -> bool:
    return all(row[f] for f in ("authors", "journal", "volume", "pages", "year")) and len(row["title"].split()) >= 6


def perturbed(rows: list[dict], seed: str) -> list[dict]:
    """``rows`` with the labelled perturbations added (see the module docstring)."""
    rng = random.Random(seed)
    rows = [{**row, "kind": ""} for row in rows]
    free = [i for i, row in enumerate(rows) if not row["true_group"] and _complete(row)]
    rng.shuffle(free)
    added: list[dict] = []

    def new(row: dict, kind: str, group: str = "") -> None:
        added.append({**row, "record_id": f"bench-{len(added) + 1:04d}", "true_group": group, "kind": kind})

    for kind in POSITIVE_KINDS:
        for _ in range(PAIRS_PER_KIND):
            at = free.pop()
            group = f"bench-{kind}-{at}"
            if kind == "conference names":
                first, second = _conference(rows[at], rng)
                rows[at] = {**first, "true_group": group, "kind": kind}
            else:
                rows[at] = {**rows[at], "true_group": group, "kind": kind}
                second = _COPY[kind](rows[at], rng)
            new(second, kind, group)
    for _ in range(PAIRS_PER_KIND):
        place, other = rows[free.pop()], rows[free.pop()]
        new({**place, "title": other["title"], "doi": ""}, "other title, same place")
    for series in range(SERIES):
        source = rows[free.pop()]
        title = RECURRING_TITLES[series % len(RECURRING_TITLES)]
        pages = "" if series % 2 else "1"
        base = {**source, "title": title, "authors": _authors(source)[0], "pages": pages, "doi": "", "abstract": ""}
        for issue in range(1, 5):
            group = f"bench-recurring-{series}-{issue}" if issue == 2 else ""
            new({**base, "issue": str(issue)}, "recurring title", group)
            if issue == 2:  # the same piece exported by another database
                new(_author_forms({**base, "issue": "2"}, rng), "recurring title", group)
    return rows + added


def write_rows(rows: list[dict], path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


# --- measuring -------------------------------------------------------------------------------


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
    members = defaultdict(list)
    for i, e in enumerate(entity):
        members[e].append(i)
    true_pairs = [p for m in members.values() for p in itertools.combinations(m, 2)]
    kinds = [t.get("kind", "") for t in truth]
    by_kind: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for i, j in true_pairs:
        tally = by_kind[kinds[i] or kinds[j]]
        merged = node(i) == node(j)
        tally["pairs"] += 1
        tally["merged"] += merged
        tally["covered"] += merged or frozenset((node(i), node(j))) in links
    for g in groups:
        distinct = len({entity[i] for i in g}) - 1
        for kind in {kinds[i] for i in g} - {""}:
            by_kind[kind]["false merges"] += distinct
    for p in review:
        for kind in {kinds[p.left], kinds[p.right]} - {""}:
            by_kind[kind]["review"] += 1
    total = len(true_pairs) or 1
    return {"covered": sum(t["covered"] for t in by_kind.values()) / total, "review": len(review),
            "same_run": same_run, "cpu": cpu, "by_kind": by_kind}


def measure(labelled: Path, scorer) -> tuple[dict, dict, float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "groups.csv"
        command, how = dedup_command(labelled, out)
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=REPO, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        score = scorer.score(str(labelled), str(out), "utf-8")
        return score, coverage(labelled, out), wall, how


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--no-perturbed", action="store_true", help="score the files only, not their perturbed copies")
    args = parser.parse_args(argv)
    files = args.files or sorted((SHARED / "datasets" / "dedup").glob("*.csv"))
    if not files:
        parser.error("no labelled files given and none found in ../shared/datasets/dedup/")
    scorer = load_scorer()
    print("| set | records | true pairs | auto sensitivity | false merges | coverage | review pairs | wall s "
          "| find_duplicates CPU s | BibDedupe sens. / false / s |")
    print("| --- " * 10 + "|")
    how = ""
    kinds: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    with tempfile.TemporaryDirectory() as tmp:
        sets = []
        for labelled in files:
            sets.append((labelled.name, labelled))
            if not args.no_perturbed:
                rows = list(csv.DictReader(open(labelled, encoding="utf-8")))
                copy = Path(tmp) / f"{labelled.stem}+perturbed.csv"
                write_rows(perturbed(rows, labelled.name), copy)
                sets.append((f"{labelled.name} + perturbations", copy))
        for name, path in sets:
            score, cover, wall, how = measure(path, scorer)
            ref = BIBDEDUPE.get(name)
            ref_text = f"{ref[0]:.3f} / {ref[1]} / {ref[2]}" if ref else "-"
            print(f"| {name} | {score['records']} | {score.get('true_pairs', '-')} | {score['sensitivity']:.3f} "
                  f"| {score['false_merges']} | {cover['covered']:.3f} | {cover['review']} | {wall:.1f} "
                  f"| {cover['cpu']:.2f} | {ref_text} |")
            if not cover["same_run"]:
                print(f"  warning: {name}: the timed process's groups differ from this process's")
            if path.parent == Path(tmp):
                for kind, tally in cover["by_kind"].items():
                    for key, value in tally.items():
                        kinds[kind][key] += value
    if kinds:
        print("\nPerturbations, all sets together (traps hold no true pair but the recurring titles' copies):\n")
        print("| kind | true pairs | merged | covered | false merges | review pairs |")
        print("| --- " * 6 + "|")
        for kind in POSITIVE_KINDS + TRAP_KINDS:
            tally = kinds[kind]
            print(f"| {kind} | {tally['pairs']} | {tally['merged']} | {tally['covered']} "
                  f"| {tally['false merges']} | {tally['review']} |")
    print(f"\ntimed: {how}, whole process; scored by {SCORER}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
