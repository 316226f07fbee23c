"""A synthetic search export of any size, built from the shared datasets, with the truth of which records are duplicates.

A real 100,000-record export (several databases' results in one file) is
mostly distinct studies, with roughly a quarter of its records being the same
report exported by another database. So:

1. Distinct studies are recombined from real records: a title from the first,
   middle and last thirds of three different real titles, an abstract from
   sentences of several real abstracts, an author list from the pool of real
   names, a real journal (with the abbreviated/full variants the hand-labelled
   dedup sets show for one journal), and a random year, volume, issue, pages,
   DOI (most studies) and PMID (about half).
2. Each study is exported by one database, about a quarter by two or more.
   Every copy is rendered the way its database writes records (MEDLINE:
   ``Zhai QJ``, abbreviated journal, pages ``73-6``, a foreign title in
   brackets; Embase: full journal, copyright line after the abstract, a
   ``[Chinese]``-style note; Web of Science: capitals; CINAHL: DOI as
   ``https://doi.org/...`` ...), plus random noise (trailing period, HTML
   entity, hyphen dropped, missing abstract, DOI or issue, year off by one).

Everything is drawn from one seeded ``random.Random``: the same arguments give
the same file, byte for byte.

usage: .venv/bin/python bench/synthetic.py OUT.ris [--records N] [--seed S]
(writes OUT.ris and OUT.ris.truth.csv: record_id,true_group)
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from screening.citation import Citation  # noqa: E402
from screening.exporters import citations_to_ris  # noqa: E402

DEFAULT_DATASETS = REPO.parent / "shared" / "datasets"

# How many databases export one study: most once, a quarter twice or more.
COPIES = ((1, 0.75), (2, 0.20), (3, 0.05))
DATABASES = ("medline", "embase", "scopus", "wos", "cinahl")
LANGUAGES = ("Chinese", "German", "French", "Spanish", "Japanese", "Russian", "Italian", "Portuguese")
# Terms real titles carry that databases write differently (character, entity, spelled out).
SPECIAL_TERMS = (
    ("TNF-α", "TNF-&alpha;", "TNF-alpha"), ("β-blockers", "&beta;-blockers", "beta-blockers"),
    ("interferon-γ", "interferon-&gamma;", "interferon-gamma"), ("IL-1β", "IL-1&#946;", "IL-1beta"),
    ("κ-opioid", "&kappa;-opioid", "kappa-opioid"), ("Crohn's & colitis", "Crohn's &amp; colitis", "Crohn's and colitis"),
)
COPYRIGHTS = ("Copyright © {y} Elsevier Inc. All rights reserved.", "© {y} John Wiley & Sons Ltd.",
              "Copyright © {y} S. Karger AG, Basel.", "(C) {y} The Authors.")
DOI_PREFIXES = ("10.1016", "10.1002", "10.1007", "10.1111", "10.1186", "10.1371", "10.1093", "10.1136",
                "10.1097", "10.3389", "10.1080", "10.1177", "10.1055", "10.1159", "10.1155")


@dataclass
class Pool:
    """Pieces of real records to recombine."""

    title_words: list[list[str]]
    sentences: list[str]
    names: list[tuple[str, str]]  # (surname, given names or initials)
    journals: list[list[str]]  # variant spellings of one journal, full name first
    keywords: list[list[str]]


@dataclass
class Study:
    title: str
    abstract: str
    authors: list[tuple[str, str]]
    year: int
    journal: list[str]
    volume: str
    issue: str
    first_page: int
    last_page: int
    doi: str
    pmid: str
    keywords: list[str]
    language: str = ""  # non-English report: databases mark the title
    special: tuple[str, str, str] | None = None


def _read_csvs(datasets: Path) -> list[dict]:
    files = sorted((datasets / "labelled").glob("*.csv")) + sorted((datasets / "dedup").glob("*.csv"))
    if not files:
        raise SystemExit(f"No CSV files under {datasets}/labelled or {datasets}/dedup (pass --datasets DIR).")
    rows = []
    for path in files:
        with open(path, encoding="utf-8", newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def _split_authors(cell: str) -> list[tuple[str, str]]:
    parts = cell.split(";") if ";" in cell else cell.split(" and ")
    names = []
    for part in parts:
        surname, _, given = part.strip().partition(",")
        surname, given = surname.strip(), given.strip()
        if surname and given and len(surname) < 40 and surname.replace("-", "").replace(" ", "").replace("'", "").isalpha():
            names.append((surname, given))
    return names


def load_pool(datasets: Path) -> Pool:
    rows = _read_csvs(datasets)
    title_words, sentences, names, keywords = [], [], set(), []
    seen_titles = set()
    for row in rows:
        title = (row.get("title") or "").strip()
        title = title[1:].split("]")[0] if title.startswith("[") else title
        title = title.rstrip(". ")
        words = title.split()
        if 6 <= len(words) <= 40 and title.lower() not in seen_titles:
            seen_titles.add(title.lower())
            title_words.append(words)
        for sentence in re.split(r"(?<=[a-z0-9)]\.)\s+(?=[A-Z])", (row.get("abstract") or "").strip()):
            if 40 <= len(sentence) <= 400:
                sentences.append(sentence)
        names.update(_split_authors(row.get("authors") or ""))
        if row.get("keywords"):
            keywords.append([k.strip() for k in row["keywords"].split(";") if k.strip()])
    # Journal spellings seen together in one hand-labelled duplicate group are one journal.
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_group = defaultdict(set)
    for row in rows:
        journal = (row.get("journal") or "").strip()
        if journal and 3 <= len(journal) <= 150:
            find(journal)
            if row.get("true_group"):
                by_group[row["true_group"]].add(journal)
    for spellings in by_group.values():
        first, *rest = sorted(spellings)
        for other in rest:
            parent[find(other)] = find(first)
    clusters = defaultdict(set)
    for journal in parent:
        clusters[find(journal)].add(journal)
    journals = [sorted(c, key=lambda j: (-len(j), j)) for c in clusters.values() if len(c) <= 6]
    journals.sort()
    return Pool(title_words=title_words, sentences=sorted(set(sentences)), names=sorted(names),
                journals=journals, keywords=keywords)


def _thirds(words: list[str]) -> tuple[list[str], list[str], list[str]]:
    n = len(words)
    return words[: n // 3], words[n // 3: 2 * n // 3], words[2 * n // 3:]


def _new_title(rng: random.Random, pool: Pool, used: set[str]) -> str:
    while True:
        a, b, c = (rng.choice(pool.title_words) for _ in range(3))
        words = _thirds(a)[0] + _thirds(b)[1] + _thirds(c)[2]
        title = " ".join(words)
        title = title[0].upper() + title[1:]
        key = re.sub(r"[^a-z0-9]+", "", title.lower())
        if key not in used:
            used.add(key)
            return title


def _new_study(rng: random.Random, pool: Pool, serial: int, used_titles: set[str], pmids: list[int]) -> Study:
    title = _new_title(rng, pool, used_titles)
    special = None
    if rng.random() < 0.04:
        special = rng.choice(SPECIAL_TERMS)
        words = title.split()
        words.insert(rng.randrange(1, len(words)), special[0])
        title = " ".join(words)
    abstract = ""
    if rng.random() < 0.85 and pool.sentences:
        abstract = " ".join(rng.choice(pool.sentences) for _ in range(rng.randint(4, 9)))
    n_authors = min(max(1, int(rng.lognormvariate(1.4, 0.6))), 25)
    authors = rng.sample(pool.names, n_authors)
    year = min(2024, int(rng.triangular(1975, 2024, 2020)))
    first = rng.randint(1, 2500)
    prefix = rng.choice(DOI_PREFIXES)
    doi = f"{prefix}/j.{rng.choice('abcdefghijklmnopqrstuvwxyz')}{rng.randint(100, 999)}.{year}.{serial:06d}" \
        if rng.random() < 0.7 else ""
    return Study(
        title=title, abstract=abstract, authors=authors, year=year, journal=rng.choice(pool.journals),
        volume=str(rng.randint(1, 400)), issue=str(rng.randint(1, 12)) if rng.random() < 0.85 else "",
        first_page=first, last_page=first + rng.randint(0, 15) if rng.random() < 0.95 else first,
        doi=doi, pmid=str(pmids.pop()) if rng.random() < 0.5 else "",
        keywords=rng.choice(pool.keywords) if pool.keywords and rng.random() < 0.3 else [],
        language=rng.choice(LANGUAGES) if rng.random() < 0.04 else "", special=special,
    )


def _initials(given: str, dots: bool, spaced: bool) -> str:
    letters = [part[0].upper() for part in re.split(r"[\s.\-]+", given) if part]
    if not dots:
        return "".join(letters)
    return (" " if spaced else "").join(f"{letter}." for letter in letters)


def _author(surname: str, given: str, style: str) -> str:
    if style == "medline":  # Zhai QJ
        return f"{surname} {_initials(given, False, False)}"
    if style == "full":  # Zhai, Qing Jun (or the initials the pool has)
        return f"{surname}, {given}"
    if style == "dotted":  # Zhai, Q. J.
        return f"{surname}, {_initials(given, True, True)}"
    if style == "tight":  # Zhai, Q.J.
        return f"{surname}, {_initials(given, True, False)}"
    return f"{surname}, {_initials(given, False, False)}"  # Zhai, QJ


def _short_pages(first: int, last: int) -> str:
    """73-76 -> 73-6, as MEDLINE writes pages."""
    a, b = str(first), str(last)
    if len(a) == len(b):
        i = 0
        while i < len(a) - 1 and a[i] == b[i]:
            i += 1
        b = b[i:]
    return f"{a}-{b}"


def _title_case(title: str) -> str:
    small = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with", "vs"}
    words = title.split()
    return " ".join(w if (i and w.lower() in small) or not w[:1].islower() else w[:1].upper() + w[1:]
                    for i, w in enumerate(words))


def render(study: Study, database: str, rng: random.Random) -> Citation:
    """One database's record of the study."""
    title = study.title
    if study.special:
        title = title.replace(study.special[0], rng.choice(study.special) if database != "medline" else study.special[0])
    if database == "wos" and rng.random() < 0.4:
        title = title.upper()
    elif database in ("scopus", "cinahl") and rng.random() < 0.3:
        title = _title_case(title)
    elif rng.random() < 0.05:
        title = title.lower()
    if study.language:
        if database == "medline":
            title = f"[{title}]"
        elif database == "embase" and rng.random() < 0.7:
            title = f"{title} [{study.language}]"
        elif rng.random() < 0.3:
            title = f"{title} ({study.language})"
    if rng.random() < (0.8 if database == "medline" else 0.3):
        title += "."
    if rng.random() < 0.05 and "-" in title:
        title = title.replace("-", " ", 1)

    abstract = study.abstract
    if abstract:
        if rng.random() < (0.25 if database in ("wos", "cinahl") else 0.08):
            abstract = ""
        elif database == "embase" and rng.random() < 0.6:
            abstract += " " + rng.choice(COPYRIGHTS).format(y=study.year)
        elif rng.random() < 0.03:
            abstract = abstract[: len(abstract) // 2].rsplit(" ", 1)[0] + "..."

    style = {"medline": "medline", "embase": rng.choice(("full", "dotted")), "scopus": "tight",
             "wos": "plain", "cinahl": rng.choice(("full", "dotted"))}[database]
    names = study.authors
    if len(names) > 6 and rng.random() < 0.1:
        names = names[:3]
    authors = [_author(s, g, style) for s, g in names]

    variants = study.journal
    journal = variants[-1] if database == "medline" else variants[0] if database in ("embase", "cinahl") \
        else rng.choice(variants)
    if database == "wos":
        journal = journal.upper()

    if rng.random() < 0.05:
        pages = ""
    elif database == "medline" or rng.random() < 0.1:
        pages = _short_pages(study.first_page, study.last_page)
    else:
        pages = f"{study.first_page}-{study.last_page}" if study.last_page != study.first_page else str(study.first_page)

    doi = study.doi
    if doi:
        roll = rng.random()
        if roll < (0.35 if database == "medline" else 0.12):
            doi = ""
        elif database == "cinahl" or roll > 0.85:
            doi = "https://doi.org/" + doi
        elif roll > 0.75:
            doi = "doi:" + doi.upper()
    year = study.year + (rng.choice((-1, 1)) if rng.random() < 0.03 else 0)

    citation = Citation(
        title=title, abstract=abstract, authors=authors, year=year, journal=journal, volume=study.volume,
        issue=study.issue if rng.random() > 0.1 else "", pages=pages,
        pmid=study.pmid if database == "medline" or (database == "embase" and rng.random() < 0.5) else "",
        keywords=study.keywords if database in ("medline", "embase") else [], type="JOUR",
    )
    citation.doi = doi  # as the database writes it; __post_init__ would normalise it
    return citation


def generate(records: int, *, seed: int = 20240601, datasets: Path = DEFAULT_DATASETS
             ) -> tuple[list[Citation], list[str], list[int]]:
    """``records`` citations in file order, their record ids, and the study each is a copy of."""
    rng = random.Random(seed)
    pool = load_pool(datasets)
    pmids = rng.sample(range(10_000_000, 39_999_999), records)
    used_titles: set[str] = set()
    copies: list[tuple[int, str]] = []  # (study, database)
    studies: list[Study] = []
    while len(copies) < records:
        study = _new_study(rng, pool, len(studies), used_titles, pmids)
        n = rng.choices([c for c, _ in COPIES], weights=[w for _, w in COPIES])[0]
        for database in rng.sample(DATABASES, n):
            copies.append((len(studies), database))
        studies.append(study)
    copies = copies[:records]
    rng.shuffle(copies)
    citations = [render(studies[s], db, rng) for s, db in copies]
    ids = [f"SYN{i:06d}" for i in range(1, records + 1)]
    return citations, ids, [s for s, _ in copies]


def write(path: Path, records: int, *, seed: int = 20240601, datasets: Path = DEFAULT_DATASETS) -> list[int]:
    """Write the RIS file and ``path.truth.csv``; return the study of each record, in file order."""
    citations, ids, study_of = generate(records, seed=seed, datasets=datasets)
    path.write_text(citations_to_ris(citations, ids=ids), encoding="utf-8")
    with open(f"{path}.truth.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "true_group"])
        writer.writerows((rid, f"s{study}") for rid, study in zip(ids, study_of))
    return study_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    args = parser.parse_args()
    study_of = write(args.out, args.records, seed=args.seed, datasets=args.datasets)
    studies = len(set(study_of))
    print(f"{args.out}: {len(study_of):,} records of {studies:,} studies "
          f"({len(study_of) - studies:,} duplicates, {(len(study_of) - studies) / len(study_of):.0%}); "
          f"{args.out.stat().st_size / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
