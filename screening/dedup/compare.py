"""Judge one pair of records: auto-merge, a candidate for a person, or not alike.

The rule is asymmetric on purpose. Merging two distinct studies loses
evidence and nobody notices; leaving a duplicate costs a reviewer one click on
the possible-duplicates page. So a pair merges automatically only when the
records agree on what identifies a report (its title and authors, and at least
one locator: journal, volume or first page) and *nothing* says they are
different reports. Anything that looks alike but has a single sign of being a
different report goes to a person.

Signs of a different report (each blocks automatic merging):

* year differs by more than one (one year covers online-first vs print);
* volume differs, or first page differs, when both records give it: two
  articles of one journal cannot share both, and one article has only one
  (``pages_agree`` reads a dropped section letter, a typo inside a page range
  and an unreadable but identical page field as agreeing, and an electronic
  article number against printed pages, BMJ's "c1804" and "1014", as two
  locators that cannot be compared); except that a meeting abstract's title
  by one team twice in one issue is one abstract printed twice, and that a
  year given as volume (proceedings' "2018-January") is no volume;
* one is a conference record and the other a journal article, or a book and a
  chapter, or a thesis (PRISMA counts reports, and these are different reports
  of the same study); a meeting abstract and a record that does not say what
  it is count as different too, unless that record is printed at the same
  place or its locator reads as an abstract (supplement, single page). A
  meeting's proceedings, however named ("Proceedings of the 51st Annual
  Hawaii International Conference on System Sciences", "HICSS 2018",
  ``normalise.journal_variants``), hold papers of one kind whatever their
  records' types say;
* a recurring title (genre words alone: "Editorial", "Editor's comments",
  "Reply", "Book review", ``normalise.GENRE_WORDS``) in another issue, volume
  or year: a journal prints one in every issue, so such pairs are not even
  shown; in one issue they merge only where the first page agrees too;
* one is a correction notice and the other is not (``normalise.correction_notice``),
  unless the article's own record names the notice's place (below);
* DOIs or PMIDs both given and different;
* the titles differ in a number ("Part 1"/"Part 2", "12-month"/"24-month",
  roman numerals included) or in a word that names a different study or
  population or kind of report (in vivo/in vitro, men/women, protocol,
  erratum, reply ...);
* for a title match alone, any other content word present in one title only
  (a spelling variant such as haemolytic/hemolytic or randomised/randomized is
  not a different word).

Bibliographic coordinates alone never merge two titles: where journal,
volume, first page, year and first author agree, the titles still have to be
one report's (``title_relation``: the same up to spelling and punctuation, one
the other with a subtitle, label or note more, or one marked as translated),
since a journal may print several articles on the same pages and a database
may fill pages in wrong.

An erratum is not a report to screen apart from its article: when the
article's record names the place the erratum is printed (MEDLINE's
``[Erratum appears in J. 2009;360(23):2487]``, an indexer's link) and a record
there carries the article's title, a shared author and the same journal within
a year, the two merge, although their pages and issues differ. A notice that
only cites its article (Web of Science's ``Title (vol 85, pg 553, 2010)``)
stays a candidate: its citation is read from free text, and the pair is a
person's click.

Thresholds are on rapidfuzz's ``fuzz.ratio`` (normalised Indel similarity,
0-100) over folded titles (``normalise.fold``), so case, punctuation, HTML
entities, Greek letters, diacritics and database notes no longer count:

* ``AUTO_TITLE = 95``: what is left after folding is typos and spelling
  variants; a different word almost always costs more than 5 points in a
  title long enough to identify a report, and the word checks above catch the
  rest.
* ``LOCATOR_TITLE = 80``: when journal, volume, first page, year and first
  author all agree, the title only has to confirm (typos), not identify; a
  dropped subtitle or a title cut short is ``title_relation``'s "contained".
* ``CANDIDATE_TITLE = 85`` and ``CONTAINED_TITLE = 90`` (``token_set_ratio``,
  one title's words within the other's): wide enough to show a person
  translated and truncated titles, narrow enough to keep the page short.
* ``MIN_IDENTIFYING_WORDS = 4``: "Editorial", "Reply" or "Stroke" does not
  identify a report (nor does any recurring title); such titles merge only
  with volume and first page agreeing, and are candidates only with another
  field agreeing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz

from screening.dedup.normalise import ABSTRACT_BOOK_PAGES, Prepared, page_number

AUTO_TITLE = 95.0
LOCATOR_TITLE = 80.0
CANDIDATE_TITLE = 85.0
CONTAINED_TITLE = 90.0
MIN_IDENTIFYING_WORDS = 4
TEAM_TITLE = 70.0  # same authors, same year: a retitled report (abstract -> article) is shown
SPELLING_VARIANT = 75.0  # fuzz.ratio of two words read as one word spelled two ways
SAME_ID_TITLE = 90.0  # a shared DOI/PMID still needs titles this alike (book DOIs cover chapters)

# Words whose presence in only one of two otherwise alike titles means a
# different study, population, or kind of report.
CONTRAST_WORDS = frozenset(
    """vivo vitro situ silico vitro
    men women man woman male males female females boys girls
    child children adult adults adolescent adolescents infant infants neonate neonates neonatal
    elderly older younger young pediatric paediatric
    mouse mice rat rats dog dogs pig pigs rabbit rabbits human humans animal animals
    protocol erratum errata correction corrigendum corrected retraction retracted withdrawn
    comment commentary reply response letter editorial abstract abstracts
    update updated preliminary interim final extension followup rationale design baseline
    secondary subgroup posthoc pilot feasibility economic cost costs
    review meta metaanalysis systematic
    not no non without versus alone plus placebo sham
    pre post before after acute chronic early late first second third
    high low positive negative left right upper lower primary
    part phase type stage""".split()
)


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    """Two records (indices into the list given to ``find_duplicates``) that
    may be one report. ``decision`` is ``auto`` (merge without asking) or
    ``candidate`` (a person decides); ``reasons`` explain it in a few words."""

    left: int
    right: int
    score: float
    decision: Literal["auto", "candidate"]
    reasons: tuple[str, ...] = field(default=())
    # An article and its erratum, alike but for the pages and kind an erratum
    # has by nature; ``auto`` only when a record names the erratum's place
    # (``erratum_named``). ``grouping`` lets such a named link join the
    # erratum's group to the article's whole group.
    erratum: bool = False


def _unexplained(mine: set[str], theirs: set[str], their_title: str) -> list[str]:
    """Words of one title with no spelling variant in the other."""
    squeezed = their_title.replace(" ", "")
    out = []
    for word in sorted(mine):
        if len(word) > 2 and word in squeezed:  # "follow up" vs "followup"
            continue
        if any(fuzz.ratio(word, other) >= SPELLING_VARIANT for other in theirs):
            continue
        out.append(word)
    return out


def _written_apart(word: str, title: str) -> bool:
    """``subgroup`` is ``sub group`` (or ``sub-group``) in ``title``: one word written as two or three."""
    if word not in title.replace(" ", ""):
        return False
    tokens = title.split()
    return any("".join(tokens[k:k + n]) == word for n in (2, 3) for k in range(len(tokens) - n + 1))


def title_signs(a: Prepared, b: Prepared) -> list[str]:
    """Signs in the titles that the records are different reports: differing
    numbers, or a contrast word in one title only."""
    if not a.title or not b.title:
        return []
    signs = []
    if a.numbers != b.numbers:
        signs.append(f"numbers in titles differ: {' '.join(a.numbers) or 'none'} vs "
                     f"{' '.join(b.numbers) or 'none'}")
    contrast = contrast_words(a, b)
    if contrast:
        signs.append("titles differ in: " + ", ".join(contrast))
    return signs


def contrast_words(a: Prepared, b: Prepared) -> list[str]:
    """Words of ``CONTRAST_WORDS`` in one title only."""
    return sorted(w for w in (a.words ^ b.words) & CONTRAST_WORDS
                  if not _written_apart(w, b.title if w in a.words else a.title))


def words_in_one_title(a: Prepared, b: Prepared) -> list[str]:
    """Content words of one title that are no spelling variant of a word in the other."""
    if not a.title or not b.title:
        return []
    only_a, only_b = a.words - b.words - CONTRAST_WORDS, b.words - a.words - CONTRAST_WORDS
    return _unexplained(only_a, only_b, b.title) + _unexplained(only_b, only_a, a.title)


def _abbreviates(short: str, tokens: tuple[str, ...]) -> bool:
    """``short`` is a run of non-empty prefixes of every token in order:
    ``jthoraccardiovascsurg`` abbreviates journal/thoracic/cardiovascular/surgery."""
    if not tokens:
        return not short
    head = tokens[0]
    for cut in range(min(len(head), len(short)), 0, -1):
        if short[:cut] == head[:cut] and _abbreviates(short[cut:], tokens[1:]):
            return True
    return False


def _spelt_alike(va: tuple[str, ...], vb: tuple[str, ...]) -> bool:
    """Every word of one name that the other lacks is in it spelt another way ("Pediatric"/"Paediatric",
    a typo): "World Congress of Neurology" and "... of Cardiology" are alike as strings, not as names."""
    only_a, only_b = set(va) - set(vb), set(vb) - set(va)
    return all(any(fuzz.ratio(x, y) >= SPELLING_VARIANT or x.startswith(y) or y.startswith(x) for y in theirs)
               for mine, theirs in ((only_a, only_b), (only_b, only_a)) for x in mine)


def journals_alike(a: Prepared, b: Prepared) -> bool | None:
    """Same journal, allowing abbreviations (``J Clin Psychiatry`` = ``Journal
    of Clinical Psychiatry``), ``&``/``and``, spacing, a subtitle after ``:``
    and alternate names; ``None`` when either record has none."""
    if not a.journals or not b.journals:
        return None
    return _journals_alike(a.journals, b.journals)


# A third of the pairs compared on a large file meet two journals met before.
@lru_cache(maxsize=1 << 16)
def _journals_alike(journals_a: tuple[tuple[str, ...], ...], journals_b: tuple[tuple[str, ...], ...]) -> bool:
    for va in journals_a:
        for vb in journals_b:
            if va == vb or "".join(va) == "".join(vb):
                return True
            if fuzz.ratio(" ".join(va), " ".join(vb)) >= 90 and _spelt_alike(va, vb):
                return True
            short, long_ = (va, vb) if len("".join(va)) <= len("".join(vb)) else (vb, va)
            if len(long_) <= 12 and _abbreviates("".join(short), long_):
                return True
            if len(short) == 1 and len(long_) >= 3 and short[0] == "".join(t[0] for t in long_):
                return True  # a meeting's acronym: HICSS, Hawaii International Conference on System Sciences
    return False


def _same_surname(x: str, y: str) -> bool:
    return x == y or fuzz.ratio(x, y) >= 85 or (min(len(x), len(y)) >= 4 and (x in y or y in x))


def author_agreement(a: Prepared, b: Prepared) -> tuple[bool, float] | None:
    """(same first author, share of the shorter author list found in the
    other); ``None`` when either record has no authors. A family name counts
    as found when it is any word of the other record's names, since databases
    disagree on which part of an Asian name comes first."""
    if not a.surnames or not b.surnames:
        return None
    first = (
        _same_surname(a.surnames[0], b.surnames[0])
        or a.surnames[0] in b.first_author_words
        or b.surnames[0] in a.first_author_words
    )
    surnames_a, surnames_b = set(a.surnames), set(b.surnames)
    found_a = sum(s in b.name_words or s in surnames_b for s in surnames_a)
    found_b = sum(s in a.name_words or s in surnames_a for s in surnames_b)
    shorter = min(len(surnames_a), len(surnames_b))
    if first and 2 * max(found_a, found_b) < shorter:
        # The same first author but few names in common: perhaps every name
        # lost a letter to an encoding error ("Mulić" read as "Muli").
        found_a = sum(any(_same_surname(s, t) for t in surnames_b) for s in surnames_a)
    return first, min(1.0, max(found_a, found_b) / shorter)


def pages_agree(a: Prepared, b: Prepared) -> bool | None:
    """Do the records start on one page? ``None`` when either gives no page.

    A section or supplement letter one database prints and another drops
    (``c37-c42``/``37-42``, ``viii108``/``108``, ``P63``/``63``) is the same
    page. Two ranges sharing two pages or more are one article with a typo in
    a page (``2141-2147``/``2142-2147``, ``676-682``/``678-684``): articles of
    one volume share at most the page one ends and the next begins on."""
    if a.pages == b.pages and (any(ch.isdigit() for ch in a.pages) or _ROMAN_PAGES_RE.fullmatch(a.pages)):
        # the same page text, even one we cannot read ("13-May", a spreadsheet's date), or front
        # matter's roman numerals ("iii-vi", where editorials are printed)
        return True
    if not a.first_page or not b.first_page:
        return None
    if a.first_page == b.first_page:
        return True
    if _article_number(a) != _article_number(b):
        return None  # BMJ's "c1804" and the printed "1014": two locators of one article that cannot be compared
    if (
        a.first_page.isdigit() != b.first_page.isdigit()
        and page_number(a.first_page) == page_number(b.first_page)
        and (not a.last_page or not b.last_page or page_number(a.last_page) == page_number(b.last_page))
    ):
        return True
    range_a, range_b = _article_range(a), _article_range(b)
    if range_a and range_b and range_a[0] == range_b[0]:
        return min(range_a[2], range_b[2]) > max(range_a[1], range_b[1])  # two pages or more in common
    return False


_ROMAN_PAGES_RE = re.compile(r"[ivxlc]+(?:\s*[-–]\s*[ivxlc]+)?", re.IGNORECASE)
# An electronic article number: a letter and four digits or more (not S or P, a supplement's pages
# and a poster's number), Cochrane's CD and six digits, or five digits or more.
_ARTICLE_NUMBER_RE = re.compile(r"[a-oq-rt-z]\d{4,}|cd\d{6}|\d{5,}")


def _article_number(p: Prepared) -> bool:
    return not p.last_page and _ARTICLE_NUMBER_RE.fullmatch(p.first_page) is not None


def _article_range(p: Prepared) -> tuple[str, int, int] | None:
    """(letter prefix, first, last) of a range of several pages no longer than an article."""
    if not p.last_page or p.last_page == p.first_page:
        return None
    first, last = page_number(p.first_page), page_number(p.last_page)
    if not (first.isdigit() and last.isdigit()) or not 0 < int(last) - int(first) <= ABSTRACT_BOOK_PAGES:
        return None
    return p.first_page[: len(p.first_page) - len(first)], int(first), int(last)


def erratum_named(a: Prepared, b: Prepared) -> bool:
    """Does either record's own note name the other's place (volume, and issue or first page) as its erratum's?"""
    for article, other in ((a, b), (b, a)):
        for volume, issue, page in article.erratum_at:
            if other.volume == volume and ((issue and other.issue == issue) or other.first_page == page):
                return True
    return False


def _kinds_conflict(a: Prepared, b: Prepared, same_place: bool) -> str:
    # A meeting's proceedings hold one kind of record: one typed JOUR (many tools' default) and one
    # typed CONF, or one that does not say, are both papers of the meeting they name, however they
    # name it. (A journal that prints meeting abstracts holds two kinds: the guard below.)
    one_venue = (a.meeting or b.meeting) and bool(journals_alike(a, b))
    if a.kind and b.kind and a.kind != b.kind and not (one_venue and {a.kind, b.kind} == {"journal", "conference"}):
        return f"{a.kind} vs {b.kind}"
    # A meeting abstract and a record that does not say what it is: the same
    # team's journal article of the same title is a different report, so only
    # a record printed at the same place, or whose locator reads as an
    # abstract too, is the abstract itself.
    if "conference" in (a.kind, b.kind) and not (a.kind and b.kind) and not same_place and not one_venue:
        other = b if a.kind else a
        if not other.abstract_like:
            return "a meeting abstract vs a record that may be a journal article"
    if a.notice != b.notice:
        return "a correction notice vs the article it names"
    return ""


def _year_as_volume(p: Prepared) -> bool:
    """Proceedings numbered by their year ("2018-January") have no volume to compare."""
    return bool(p.year) and p.volume == str(p.year)


def _conflicts(a: Prepared, b: Prepared, pages: bool | None, excuse_erratum: bool) -> list[str]:
    """Signs of different reports; an article and the erratum it names differ in pages and kind by nature."""
    out = []
    if a.year and b.year and abs(a.year - b.year) > 1:
        out.append(f"years differ: {a.year} vs {b.year}")
    if a.volume and b.volume and a.volume != b.volume and not (_year_as_volume(a) or _year_as_volume(b)):
        out.append(f"volumes differ: {a.volume} vs {b.volume}")
    if pages is False and not excuse_erratum:
        out.append(f"pages differ: {a.pages} vs {b.pages}")
    if (a.recurring or b.recurring) and a.issue and b.issue and a.issue != b.issue:
        out.append(f"a recurring title in different issues: {a.issue} vs {b.issue}")
    # Printed at the same place: the same volume and the very same first page
    # (not one read without a supplement letter: S73 and 73 are two pages).
    same_place = bool(a.first_page) and a.first_page == b.first_page and bool(a.volume) and a.volume == b.volume
    kinds = "" if excuse_erratum else _kinds_conflict(a, b, same_place)
    if kinds:
        out.append(kinds)
    if a.doi and b.doi and a.doi != b.doi:
        out.append(f"DOIs differ: {a.doi} vs {b.doi}")
    if a.pmid and b.pmid and a.pmid != b.pmid:
        out.append(f"PMIDs differ: {a.pmid} vs {b.pmid}")
    return out


def _online_first(p: Prepared) -> bool:
    """A record of an article published online before print: its DOI, and no volume or pages yet."""
    return bool(p.doi) and not (p.volume or p.first_page or p.pages)


def _placed_apart(a: Prepared, b: Prepared) -> bool:
    """Two records of a recurring title in different issues, volumes or years: two pieces."""
    return (
        bool(a.issue and b.issue and a.issue != b.issue)
        or bool(a.volume and b.volume and a.volume != b.volume)
        or bool(a.year and b.year and a.year != b.year)
    )


def _runs_within(short: list[str], long_: list[str]) -> bool:
    """``short``'s words stand in ``long_`` in one run, the last perhaps cut short mid-word (a length limit)."""
    n = len(short)
    if not n or n > len(long_):
        return False
    head, last = short[:-1], short[-1]
    return any(long_[k:k + n - 1] == head and long_[k + n - 1].startswith(last) for k in range(len(long_) - n + 1))


def _share_found(a: Prepared, b: Prepared) -> float:
    """Share of the shorter title's words found, or spelled another way, in the other."""
    short, long_ = (a, b) if len(a.words) <= len(b.words) else (b, a)
    if not short.words:
        return 0.0
    missing = _unexplained(set(short.words - long_.words), set(long_.words - short.words), long_.title)
    return 1 - len(missing) / len(short.words)


def title_relation(a: Prepared, b: Prepared, ratio: float, contained: float) -> str:
    """How two titles can be one report's, from what their words say:

    * ``same``: they differ in no more than case, punctuation, quotation marks,
      spelling and typos (``LOCATOR_TITLE`` and no word in one title only);
    * ``contained``: one is the other with a subtitle, a label or a note more,
      or cut short: its words stand in the other in one run (or, when it is
      long enough to identify a report, in any order). Not when the shorter is
      a recurring title ("Editor's comments" is within every "Editor's
      comments: ..." of the journal), nor when a word in one title only names
      another study, population or kind of report ("... : protocol for a
      trial", "older men"/"older women"), whatever the pages say;
    * ``translated``: one is marked as a translation and half the shorter's
      words are found in the other (drug names, places and methods survive
      translation; words such as "versus" or "children" do not);

    and ``""`` otherwise: two titles that differ in anything else name two
    reports, whatever else the records share. Numbers must agree in all three."""
    if not a.title or not b.title or a.numbers != b.numbers:
        return ""
    contrast = bool(contrast_words(a, b))
    if not contrast and ratio >= LOCATOR_TITLE and not words_in_one_title(a, b):
        return "same"
    short, long_ = (a, b) if len(a.title) <= len(b.title) else (b, a)
    if not short.recurring and not contrast and (
        _runs_within(short.title.split(), long_.title.split())
        or (min(len(a.words), len(b.words)) >= MIN_IDENTIFYING_WORDS and contained >= 95)
    ):
        return "contained"
    if (a.translated or b.translated) and _share_found(a, b) >= 0.5:
        return "translated"
    return ""


def compare(i: int, j: int, a: Prepared, b: Prepared) -> DuplicatePair | None:
    """The verdict on records ``i`` and ``j``; ``None`` when they are not alike enough to show."""
    reasons: list[str] = []
    same_doi = bool(a.doi) and a.doi == b.doi
    same_pmid = bool(a.pmid) and a.pmid == b.pmid
    if same_doi:
        reasons.append("same DOI")
    if same_pmid:
        reasons.append("same PMID")
    recurring = a.recurring or b.recurring
    if recurring and not (same_doi or same_pmid) and _placed_apart(a, b):
        return None  # "Editorial" of issue 1 and of issue 2: a journal prints one in every issue

    both_titles = bool(a.title and b.title)
    ratio = fuzz.ratio(a.title, b.title) if both_titles else 0.0
    same_volume = bool(a.volume) and a.volume == b.volume
    pages = pages_agree(a, b)
    same_page = bool(pages)
    contained = ratio
    if both_titles and ratio < AUTO_TITLE:
        contained = max(ratio, fuzz.token_set_ratio(a.title, b.title))
    if not (same_doi or same_pmid or same_page or contained >= TEAM_TITLE):
        return None  # no rule below can show this pair
    shorter = min(len(a.words), len(b.words))
    identifying = shorter >= MIN_IDENTIFYING_WORDS and not recurring
    authors = author_agreement(a, b)
    first_author = authors is not None and authors[0]
    year_ok = not (a.year and b.year and abs(a.year - b.year) > 1)
    # One team: the same first author and half the names, or (when a database
    # garbled the first name, "Goicoechea de, Jorge E.") most names of a list of
    # three or more, or every name of the shorter list in another order.
    authors_alike = authors is not None and (
        (authors[0] and authors[1] >= 0.5)
        or (authors[1] >= 0.8 and min(len(set(a.surnames)), len(set(b.surnames))) >= 3)
        or (authors[1] == 1.0 and min(len(set(a.surnames)), len(set(b.surnames))) >= 2)
    )
    title_alike = both_titles and (ratio >= CANDIDATE_TITLE or (identifying and contained >= CONTAINED_TITLE))
    same_team = authors_alike and year_ok and both_titles and (
        ratio >= TEAM_TITLE or (identifying and contained >= TEAM_TITLE))
    if not (same_doi or same_pmid or same_page or title_alike or same_team):
        return None  # every rule below needs one of these; most blocked pairs stop here

    if both_titles:
        reasons.append(f"title {ratio:.0f}% alike")
        if ratio < CANDIDATE_TITLE and contained >= CONTAINED_TITLE:
            reasons.append("one title's words within the other's")
    signs = title_signs(a, b)
    if authors is not None:
        reasons.append(("same first author" if authors[0] else "first authors differ")
                       + f", {authors[1]:.0%} of authors shared")
    journal = journals_alike(a, b)
    if journal is not None:
        reasons.append("journal alike" if journal else "journals differ")
    if same_volume:
        reasons.append("same volume")
    if same_page:
        reasons.append("same first page")
    same_issue = bool(a.issue) and a.issue == b.issue
    if a.issue and b.issue and not same_issue and not recurring:
        reasons.append(f"issues differ: {a.issue} vs {b.issue}")  # weak: issue fields are noisy
    conflicts = _conflicts(a, b, pages, excuse_erratum=False)
    erratum = (
        (a.notice != b.notice or pages is False) and not signs and journal is not False
        and (ratio >= LOCATOR_TITLE or (identifying and contained >= 95))
        and (authors is None or authors[1] >= 0.5)
        and not _conflicts(a, b, pages, excuse_erratum=True)
    )
    named = erratum and erratum_named(a, b)
    if named:
        reasons.append("the article's record names this erratum")
        conflicts = []  # the only ones were the pages and kind an erratum has by nature

    same_year = bool(a.year) and a.year == b.year
    locator = bool(journal) and same_volume and same_page and year_ok
    same_range = a.first_page == b.first_page and bool(a.last_page) and a.last_page == b.last_page != a.first_page
    # A year apart is online-first vs print, or a later report: a shared volume
    # or first page tells which, and so does a record that is online-first by
    # its fields (a DOI, no volume or pages yet).
    dated = same_year or not (a.year and b.year) or same_volume or same_page or _online_first(a) or _online_first(b)
    # Two journals are two reports (a journal-club summary, a republication,
    # a translation) unless volume and first page say otherwise.
    one_journal = journal is not False or (same_volume and same_page)
    # A recurring title (Editorial, Reply ...) says which piece it is only with its issue.
    placed = same_issue or not recurring
    # Only the rules of a full locator take titles that are one report's without being alike.
    relation = title_relation(a, b, ratio, contained) if locator else ""

    decision: str | None = "auto" if named else None
    if not conflicts and not signs:
        if same_doi or same_pmid:
            titles_agree = not both_titles or ratio >= SAME_ID_TITLE or contained >= 95
            if titles_agree and (authors is None or first_author):
                decision = "auto"
        elif (
            ratio >= AUTO_TITLE and authors_alike and dated and one_journal
            and ((identifying and (journal or same_volume or same_page)) or (same_volume and same_page and placed))
            and not words_in_one_title(a, b)
        ):
            decision = "auto"
    if decision is None and not conflicts and locator and placed and relation in ("same", "contained") and (
        first_author or (authors is None and identifying)
    ):
        # Journal, volume, first page, year and first author agree: the titles only have to be one
        # report's (a dropped subtitle, a title cut short), not to identify it.
        decision = "auto"
        if relation == "contained":
            reasons.append("one title is the other with more words: a subtitle, a label or a note")
    if (
        decision is None and pages is False and len(conflicts) == 1 and not signs
        and same_volume and same_issue and same_year and journal
        and (a.abstract_like or b.abstract_like)
        and ratio >= AUTO_TITLE and identifying and authors_alike and not words_in_one_title(a, b)
    ):
        # One meeting abstract's title by one team twice in one issue is one
        # report printed twice (in the programme and among the abstracts).
        decision = "auto"
        reasons.append("same title and team in one issue: one abstract printed twice")
    if decision is None and not conflicts and relation == "translated" and locator and authors_alike and same_range:
        # Journal, volume, the whole page range, year and author team agree, and
        # one title is marked as a translation: one article, its title translated twice.
        decision = "auto"
        reasons.append("same page range: a title translated")

    if decision is None:
        # Shown to a person when the fields that agree are at least as many as
        # those that disagree, and the titles or the locator make it plausible.
        agree = sum((first_author, year_ok and bool(a.year and b.year), bool(journal), same_volume, same_page))
        disagree = sum((authors is not None and not first_author, not year_ok, journal is False,
                        bool(a.volume and b.volume) and not same_volume,
                        pages is False))
        if (
            same_doi or same_pmid
            or ((title_alike or same_team) and agree >= max(disagree, 1))
            or (same_volume and same_page and (bool(journal) or first_author))
            or (first_author and same_page and year_ok)
        ):
            decision = "candidate"
    if decision is None:
        return None

    reasons.extend(conflicts)
    reasons.extend(signs)
    other_words = words_in_one_title(a, b) if decision == "candidate" else []
    if other_words:
        reasons.append("words in one title only: " + ", ".join(other_words[:6]))
    evidence = (
        0.55 * ratio / 100
        + 0.15 * (authors[1] if authors else 0.5)
        + 0.1 * (1.0 if journal else 0.5 if journal is None else 0.0)
        + 0.1 * same_volume + 0.1 * same_page
    )
    if same_doi or same_pmid:
        evidence = max(evidence, 0.9)
    if decision == "candidate":
        evidence = min(evidence, 0.89)
    else:
        evidence = max(evidence, 0.9)
    left, right = (i, j) if i < j else (j, i)
    return DuplicatePair(left, right, round(evidence, 3), decision, tuple(reasons), erratum)
