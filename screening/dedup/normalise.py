"""Turn a ``Citation`` into the comparable keys deduplication works on.

Everything here is a pure function of one record, computed once per record
(``prepare``), so that comparing a pair costs only string similarity and a few
set operations."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from screening.citation import Citation

_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "µ": "mu",
    "ν": "nu", "ξ": "xi", "ο": "omicron", "π": "pi", "ρ": "rho", "σ": "sigma", "ς": "sigma",
    "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
}
_GREEK_RE = re.compile("|".join(map(re.escape, _GREEK)))
# Web of Science writes a Greek letter inside a word as "(alpha)": "integrin (alpha)v(beta)3".
_GREEK_IN_PARENTHESES_RE = re.compile(r"\((" + "|".join(sorted(set(_GREEK.values()))) + r")\)")
_PLUS_MINUS_RE = re.compile(r"\+\s*/\s*[-−]|±")
_TAG_RE = re.compile(r"<[^<>]{1,40}>")
_APOSTROPHES_AND_AMPERSAND = str.maketrans({"'": None, "’": None, "‘": None, "`": None, "´": None, "&": " and "})
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")
# MEDLINE marks a translated title "(author's transl)"; Ovid and PubMed append
# notes such as "[Chinese]", "[Article in French]", "[Erratum appears in ...]".
_AUTHORS_TRANSL_RE = re.compile(r"\(\s*authors?'?s?\s+transl\.?\s*\)", re.IGNORECASE)
_TRAILING_BRACKET_RE = re.compile(r"\s*\[[^\[\]]*(?:\[[^\[\]]*\][^\[\]]*)*\]\s*[.;]*\s*$")
# The same notes cut off by a database's title length limit ("...syndrome.[Erratum appears in J Pediatr. 2003 Jun").
_CUT_NOTE_RE = re.compile(
    r"\s*\.?\s*\[\s*(?:erratum|errata|comment|retraction|retracted|corrected|update|summary|article|see|"
    r"published|republished|reprint)\b[^\[\]]*$",
    re.IGNORECASE,
)
# A letter's record that ends by citing the article it comments on:
# "More on eculizumab for ... syndrome... N Engl J Med. 2009 Jan 29;360(5):544-6".
_CITED_AT_END_RE = re.compile(
    r"(?:\.{2,3}|\.)\s*[A-Z][\w .&-]{1,80}\.\s*(?:19|20)\d\d(?:\s+[A-Z][a-z]{2}(?:\s+\d{1,2})?)?"
    r"\s*;\s*\d+\s*(?:\([^()]*\))?\s*:\s*[a-z]?\d+(?:\s*-\s*\d+)?\.?$"
)
# MEDLINE follows a word corrected after publication with "[corrected]"; records
# of the article as printed have another word there, so the word is not compared.
_CORRECTED_WORD_RE = re.compile(r"\s*\S+\s*\[corrected\](?=.)")
# Embase and Ovid append the original-language title after the English one:
# "[English title] <ORIGINAL> ORIGINALTITEL" or "[English title] TO: Titulo original".
_ORIGINAL_TITLE_RE = re.compile(r"\s*<ORIGINAL>.*$|(?<=\])\s*TO:\s.*$")

STOPWORDS = frozenset(
    "a an the of in on for and or to with by at from as is are be into its their this that "
    "de la le les des du el en y et und der die das".split()
)

# Roman numerals that can only be numbers; "i", "v" and "x" are numbers only
# after a word that numbers things ("Part I", "type I", "phase V").
_ROMAN = {"ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8", "ix": "9",
          "xi": "11", "xii": "12"}
_ROMAN_AFTER_CUE = {"i": "1", "v": "5", "x": "10"}
_NUMBERING_CUES = frozenset(
    "part phase type stage grade class study trial section level series paper volume report".split()
)


def fold(text: str) -> str:
    """Lower-case ASCII letters and digits separated by single spaces.

    HTML entities and tags are decoded or dropped, Greek letters are spelled out
    (``β``, ``beta`` and Web of Science's ``(beta)`` agree), diacritics are
    removed (``Müller`` -> ``muller``), apostrophes are dropped (``symptom's``
    -> ``symptoms``), ``&`` reads ``and``, ``+`` ``plus`` and ``+/-`` ``plus or minus``."""
    if not text:
        return ""
    if "&" in text:
        text = html.unescape(html.unescape(text))
    if "<" in text:
        text = _TAG_RE.sub(" ", text)
    text = text.lower()
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        text = _GREEK_RE.sub(lambda m: _GREEK[m.group(0)], text)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    if "(" in text:
        text = _GREEK_IN_PARENTHESES_RE.sub(r"\1", text)
    if "+" in text or "±" in text:
        text = _PLUS_MINUS_RE.sub(" plus or minus ", text).replace("+", " plus ")
    return _NON_ALNUM_RE.sub(" ", text.translate(_APOSTROPHES_AND_AMPERSAND)).strip()


# Quotation marks some databases wrap a whole title in.
_WRAPPING_QUOTES = "\"'\u201c\u201d\u201e\u2018\u2019\u00ab\u00bb"


def strip_title_notes(title: str) -> str:
    """Remove what databases add around a title without changing the report.

    Quotation marks around the whole title go first, so the notes inside them are seen.
    A title wholly in square brackets is MEDLINE's English translation of a
    foreign title: keep the inside. Trailing bracketed notes (``[Chinese]``,
    ``[Erratum appears in ...]``, ``[corrected]``) and ``(author's transl)`` go,
    unless nothing would be left; so does such a note cut off by a length limit
    (``[Erratum appears in J Pediatr. 2003 Jun``), and the original-language
    title Embase and Ovid append (``<ORIGINAL> ...``, ``[...] TO: ...``). A
    word MEDLINE marks ``[corrected]`` inside a title goes with its mark, and
    so does a closing citation of the article a letter comments on
    (``... N Engl J Med. 2009 Jan 29;360(5):544-6``)."""
    text = title or ""
    if "&" in text:
        text = html.unescape(text)
    text = text.strip().strip(_WRAPPING_QUOTES).strip()
    # Each pattern runs only on titles with the characters it needs: most have none.
    if "transl" in text:
        text = _AUTHORS_TRANSL_RE.sub(" ", text).strip()
    if "<ORIGINAL>" in text or "TO:" in text:
        text = _ORIGINAL_TITLE_RE.sub("", text).strip()
    if "[" in text:
        text = _strip_bracketed_notes(text)
    if ";" in text:
        text = _CITED_AT_END_RE.sub("", text)
    return text.strip().rstrip(".").strip()


def _strip_bracketed_notes(text: str) -> str:
    if "[corrected]" in text[:-12]:
        text = _CORRECTED_WORD_RE.sub("", text)
    while True:
        stripped = _CUT_NOTE_RE.sub("", text).strip()
        stripped = _TRAILING_BRACKET_RE.sub("", stripped).strip()
        if stripped == text or len(stripped.split()) < 2:
            break
        text = stripped
    if text.startswith("["):
        depth = 0
        for pos, ch in enumerate(text):
            depth += ch == "["
            depth -= ch == "]"
            if depth == 0:
                inside, rest = text[1:pos], text[pos + 1:].strip()
                if len(rest.split()) <= 3:  # e.g. "[...] LA: Chi" or "[...]."
                    text = inside
                break
    return text


_CORRECTION_PREFIX_RE = re.compile(
    r"^(?:erratum|errata|corrigendum|corrigenda|correction|corrections|author correction|publisher correction)"
    r"(?:\s+(?:to|for|in|on))?\s*(?:[:.\-–]\s*|\s(?=[\"'“‘]))",
    re.IGNORECASE,
)
# Web of Science titles a correction after the article it corrects, "Title (vol 85, pg 553, 2010)";
# Embase cites it in full, "Title (New England Journal of Medicine (2009) 360 (542-544))".
_CITED_ARTICLE_RE = re.compile(
    r"\s*\((?:vol\.?\s*\w+[^()]*\bpg?\.?\s*\w+[^()]*|[^()]*\((?:19|20)\d\d\)[^()]*(?:\([^()]*\)[^()]*)*)\)\s*\.?$",
    re.IGNORECASE,
)


# MEDLINE's note on an article's record naming where its erratum is printed:
# "[Erratum appears in N Engl J Med. 2009 Jun 4;360(23):2487 ...]" gives volume 360, issue 23, page 2487.
_ERRATUM_NOTE_RE = re.compile(
    r"\[\s*errat(?:um|a)\s+(?:appears?\s+)?in:?\s+[^\[\];]*;\s*(\d+)\s*(?:\(([^()]*)\))?\s*:\s*([a-z]?\d+)",
    re.IGNORECASE,
)


def erratum_places(title: str) -> tuple[tuple[str, str, str], ...]:
    """(volume, issue, first page) of each erratum an article's title note names.

    A note cut off before its page by a length limit names no place."""
    if "rrat" not in (title or ""):
        return ()
    return tuple(
        (leading_number(volume), leading_number(issue or ""), page.lower())
        for volume, issue, page in _ERRATUM_NOTE_RE.findall(title)
    )


def _cut_unclosed_parenthesis(text: str) -> str:
    """``Title (The Journal of Pediatrics (M`` -> ``Title``: a citation cut off by a length limit."""
    opened: list[int] = []
    for pos, ch in enumerate(text):
        if ch == "(":
            opened.append(pos)
        elif ch == ")" and opened:
            opened.pop()
    return text[: opened[0]].rstrip() if opened else text


def correction_notice(title: str) -> tuple[bool, str]:
    """(is this record a correction notice, the title of the article it corrects).

    An erratum is published apart from the article it corrects, on its own
    page, so it is a record of its own; but two records of one erratum name the
    article in different ways (``Erratum: Title``, ``Correction to: Title``,
    ``Title (vol 85, pg 553, 2010)``, ``Title (Journal (2009) 360 (542-544))``).
    Comparing what is left lets two records of one notice agree, while the flag
    keeps a notice from merging with the article itself."""
    return _read_correction(strip_title_notes(title))


def _read_correction(text: str) -> tuple[bool, str]:
    """``correction_notice`` of a title whose database notes are already stripped."""
    notice = False
    if text[:1] in "EeCcAaPp":
        prefix = _CORRECTION_PREFIX_RE.match(text)
        if prefix and len(text[prefix.end():].split()) >= 2:
            text, notice = text[prefix.end():].strip().strip("\"'“”‘’").strip(), True
    if text.endswith(")"):
        cited = _CITED_ARTICLE_RE.search(text)
        if cited and len(text[: cited.start()].split()) >= 2:
            text, notice = text[: cited.start()], True
    if notice:
        text = _cut_unclosed_parenthesis(text).rstrip(".").strip()
    return notice, text


def title_tokens(title: str) -> list[str]:
    """Folded title words with roman numerals written as numbers."""
    return _numbered(fold(strip_title_notes(title)).split())


_ROMAN_WORDS = frozenset(_ROMAN) | frozenset(_ROMAN_AFTER_CUE)


def _numbered(words: list[str]) -> list[str]:
    if _ROMAN_WORDS.isdisjoint(words):
        return words
    out = []
    for pos, word in enumerate(words):
        if word in _ROMAN:
            word = _ROMAN[word]
        elif word in _ROMAN_AFTER_CUE and pos and words[pos - 1] in _NUMBERING_CUES:
            word = _ROMAN_AFTER_CUE[word]
        out.append(word)
    return out


_NO_NAME_RE = re.compile(r"\b(null|none|nan|n/a|et al\.?)\s*$", re.IGNORECASE)
_INITIALS_RE = re.compile(r"[A-Z]{1,3}\.?")
_AUTHOR_SEPARATOR_RE = re.compile(r"\s+and\s+|;")
# A synthetic 100,000-record file holds some 80,000 distinct names; a cache
# smaller than that evicts names before they come round again.
_NAME_CACHE = 1 << 18


@lru_cache(maxsize=_NAME_CACHE)  # names repeat across records
def surname(name: str) -> str:
    """``Zhai, Q. J.`` / ``Le Quintrec M`` / ``Maya Yutsis`` -> ``zhai`` / ``lequintrec`` / ``yutsis``."""
    name = _NO_NAME_RE.sub("", (name or "").strip()).strip().strip(",").strip()
    if not name:
        return ""
    if "," in name:
        family = name.split(",", 1)[0]
    else:
        parts = name.split()
        # PubMed style "Le Quintrec M", "Zhai QJ": trailing capital initials.
        if len(parts) > 1 and _INITIALS_RE.fullmatch(parts[-1]):
            family = " ".join(parts[:-1])
        else:
            family = parts[-1]
    return fold(family).replace(" ", "")


@lru_cache(maxsize=_NAME_CACHE)  # names repeat across records
def name_words(name: str) -> frozenset[str]:
    """Every word of a name, for names whose family name may come first or last
    (``Ching-yi, Wu`` and ``Wu, C. Y.`` share ``wu``)."""
    return frozenset(w for w in fold(_NO_NAME_RE.sub("", name or "")).split() if len(w) > 1)


def split_authors(authors: list[str]) -> list[str]:
    """Authors as a list, even when a file gave them in one ``A and B`` or ``A; B`` string."""
    if not any(";" in entry or " and " in entry for entry in authors or ()):
        return [entry for entry in authors if entry.strip()] if authors else []
    out: list[str] = []
    for entry in authors:
        out.extend(p for p in _AUTHOR_SEPARATOR_RE.split(entry) if p.strip())
    return out


# "A = B" lists alternate names; Embase gives a meeting's abstracts as
# "Journal name.Conference: Meeting name ...", naming both.
_JOURNAL_NAMES_RE = re.compile(r"\s=\s|\[|\]|\.?\s*\bconference\s*:\s*", re.IGNORECASE)
_PRINTED_IN_JOURNAL_RE = re.compile(r"\.\s*conference\s*:", re.IGNORECASE)
_IN_PARENTHESES_RE = re.compile(r"\(([^()]*)\)")
# How a meeting's name changes from one year's proceedings to the next: "Proceedings of the 51st
# Annual ...", "ICIS 2019". Without these words and numbers the meeting's name is left ...
_MEETING_NUMBERING = frozenset({"proceedings", "proc", "annual"})
_ORDINAL_RE = re.compile(r"\d+(st|nd|rd|th)")
# ... unless what is left is only words every meeting has ("Annual Scientific Meeting").
_MEETING_WORDS = frozenset(
    "conference congress meeting proceedings symposium workshop colloquium international national world "
    "scientific annual joint general society association abstracts abstract book program programme".split()
)
_LETTERS_RE = re.compile(r"[^\W\d_]+")


def _acronym(part: str) -> str:
    """``ICIS 2019 Proceedings`` -> ``icis``: a name that, without its numbering, is one word in capitals."""
    words = [w for w in _LETTERS_RE.findall(part) if w.lower() not in _MEETING_NUMBERING]
    return words[0].lower() if len(words) == 1 and words[0].isupper() and 2 <= len(words[0]) <= 12 else ""


@lru_cache(maxsize=1 << 16)  # names and journals repeat across records
def journal_variants(journal: str) -> tuple[tuple[str, ...], ...]:
    """Token tuples of each name a journal field gives (``A = B = C`` lists
    alternate names, ``Journal.Conference: Meeting`` names the journal and the
    meeting), without parenthesised places or stop words:
    ``Lung cancer (Amsterdam, Netherlands)`` -> ``(("lung", "cancer"),)``.

    A meeting is named differently from one record to another: with or
    without "Proceedings of the 51st Annual" and the year, or by its acronym
    (``HICSS``, ``ICIS 2019``, ``... (HICSS)``, ``..., ICIS 2019``). So a
    meeting's name also gives a variant without that numbering (when a word
    every meeting has is not all that is left), and an acronym, alone, in
    parentheses or between commas, is a name of its own."""
    out: list[tuple[str, ...]] = []

    def add(tokens: tuple[str, ...]) -> None:
        if tokens and tokens not in out:
            out.append(tokens)

    for name in _JOURNAL_NAMES_RE.split(journal or ""):
        inner = _IN_PARENTHESES_RE.findall(name)
        name = _IN_PARENTHESES_RE.sub(" ", name)
        meeting = _CONFERENCE_RE.search(fold(name)) is not None
        # "Journal of clinical oncology : official journal of ..." is also its first part.
        for part in (name, name.split(":")[0]):
            tokens = tuple(t for t in fold(part).split() if t not in _JOURNAL_STOPWORDS)
            add(tokens)
            unnumbered = tuple(t for t in tokens if not (t.isdigit() or _ORDINAL_RE.fullmatch(t)
                                                         or t in _MEETING_NUMBERING))
            if meeting and set(unnumbered) - _MEETING_WORDS:
                add(unnumbered)
        for part in [name, *inner, *(name.split(",") if meeting else ())]:
            acronym = _acronym(part)
            if acronym:
                add((acronym,))
    return tuple(out)


@lru_cache(maxsize=1 << 16)  # journals repeat across records
def journal_initials(journal: str) -> tuple[str, ...]:
    """``Journal of Clinical Psychiatry`` -> ``("jcp",)``: the initials of each of its names."""
    return tuple(dict.fromkeys("".join(t[0] for t in variant) for variant in journal_variants(journal)))


# Elided articles ("Annales françaises d'anesthésie") besides the usual stop words.
_JOURNAL_STOPWORDS = STOPWORDS | {"d", "l"}

_CONFERENCE_RE = re.compile(
    r"\b(conference|congress|meeting|proceedings|symposium|workshop|colloquium|abstract book)\b"
)
_TYPE_CLASSES = {
    "journal": {"jour", "jfull", "ejour", "mgzn", "article", "journal article", "journal"},
    "conference": {"conf", "cpaper", "abst", "inproceedings", "conference", "conference abstract",
                   "conference paper", "conference proceeding", "meeting abstract", "proceedings",
                   "proceedings paper"},
    "book": {"book", "ebook", "edbook", "whole book"},
    "chapter": {"chap", "echap", "incollection", "inbook", "book chapter", "book section"},
    "thesis": {"thes", "phdthesis", "mastersthesis", "thesis", "dissertation"},
}


# Where a thesis is listed (ProQuest's index of theses) and how ProQuest
# exports give the degree in the volume field ("Ph.D.", "M.Sc.").
_THESIS_JOURNAL_RE = re.compile(r"\b(dissertation abstracts|dissertations (and|&) theses)\b")
_DEGREE_RE = re.compile(r"(ph\.?\s?d|d\.?\s?phil|m\.?\s?sc|m\.?\s?a|m\.?\s?s|master|doctoral|thesis)\.?",
                        re.IGNORECASE)


def publication_class(cit: Citation) -> str:
    """journal / conference / book / chapter / thesis, or "" when the record does not say."""
    kind = (cit.type or "").strip().lower()
    for name, members in _TYPE_CLASSES.items():
        if kind in members:
            return name
    if _DEGREE_RE.fullmatch((cit.volume or "").strip()):
        return "thesis"
    return _class_of_journal(cit.journal)


@lru_cache(maxsize=1 << 16)  # journals repeat across records
def _class_of_journal(journal: str) -> str:
    folded = fold(journal)
    if _THESIS_JOURNAL_RE.search(folded):
        return "thesis"
    return "conference" if _CONFERENCE_RE.search(folded) else ""


_SUPPLEMENT_RE = re.compile(r"\bsup|^s\s*\d", re.IGNORECASE)
# A range this long is a supplement's whole abstract book, not one article.
ABSTRACT_BOOK_PAGES = 50


def reads_as_abstract(cit: Citation, first: str, last: str) -> bool:
    """The locator of a meeting abstract printed in a journal: a supplement
    issue or volume, a single page, or a range as long as an abstract book."""
    if _SUPPLEMENT_RE.search(cit.issue or "") or "suppl" in (cit.volume or "").lower():
        return True
    if first and (not last or last == first):
        return True
    first_n, last_n = page_number(first), page_number(last)
    return bool(first_n and last_n) and int(last_n) - int(first_n) > ABSTRACT_BOOK_PAGES


def page_number(page: str) -> str:
    """``c37`` -> ``37``, ``viii108`` -> ``108``: the page without a section or supplement letter."""
    return page.lstrip("abcdefghijklmnopqrstuvwxyz")


_MONTHS_RE = re.compile(r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec", re.IGNORECASE)
_PAGE_COUNT_RE = re.compile(r"\d+\s*(p|pp|pages?)\.?")
_PAGE_LISTS_RE = re.compile(r"[;,]")
_PAGES_RE = re.compile(r"^([a-z]*)0*(\d+)[a-z]*(?:\s*[-–—]+\s*([a-z]*)0*(\d+))?")


def parse_pages(pages: str) -> tuple[str, str]:
    """(first page, last page) as comparable strings; ("", "") when unreadable.

    ``73-6`` reads 73-76, ``RA25-43`` reads ra25-ra43; only the first range of
    ``742-8; discussion 748-9`` counts; a page count (``215 p``) or a
    spreadsheet's date (``01-Jun``) is no page."""
    text = (pages or "").strip().lower()
    if not text or _MONTHS_RE.search(text) or _PAGE_COUNT_RE.fullmatch(text):
        return "", ""
    text = _PAGE_LISTS_RE.split(text)[0].strip()
    match = _PAGES_RE.match(text)
    if not match:
        return "", ""
    prefix, first, _, last = match.groups()
    if last and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    if last and int(last) < int(first):  # "2297-2108": a typo in one of them, trust neither
        return "", ""
    return prefix + first, (prefix + last) if last else ""


_LEADING_NUMBER_RE = re.compile(r"\d+[a-z]?\b|\d+")
_NON_DIGIT_RE = re.compile(r"\D")


def leading_number(value: str) -> str:
    """``35 Suppl 1`` -> ``35``; ``29A`` -> ``29a``; ``Ph.D.`` -> ``""``."""
    match = _LEADING_NUMBER_RE.search((value or "").lower())
    return match.group(0).lstrip("0") or "0" if match else ""


def doi_key(doi: str | None) -> str:
    """A DOI as it compares: an old SICI DOI HTML-escaped by a database
    (``10.1002/(SICI)1097-0258(19980715)17:13&lt;1495::AID-SIM863&gt;3.0.CO;2-I``) is the DOI itself."""
    doi = (doi or "").strip()
    if "&" in doi:
        doi = html.unescape(doi)
    return doi.lower()


MAX_AUTHORS = 25  # enough to tell two teams apart; consortium lists run to hundreds

# Words that name a kind of piece rather than its subject. A journal prints a piece titled with
# these alone ("Editorial", "Editor's comments", "Reply", "Book review", "Introduction to the
# special issue") in issue after issue, so such a title says which piece it is no more than a
# page number would.
GENRE_WORDS = frozenset(
    """editorial editorials editor editors comment comments commentary commentaries reply replies response
    responses rejoinder letter letters erratum errata corrigendum corrigenda correction corrections retraction
    note notes introduction special issue issues section preface foreword book books review reviews
    conference congress meeting symposium report reports proceedings abstract abstracts news announcement
    announcements obituary index contents message president presidents column interview discussion summary
    highlights perspective perspectives viewpoint opinion welcome farewell guest forum correspondence reviewer
    reviewers acknowledgement acknowledgements acknowledgment calendar author authors reader readers dear volume
    year annual supplement""".split()
)
# A title wholly in square brackets is MEDLINE's English translation of one in another language;
# Embase and Ovid mark an original-language title appended to it.
_TRANSLATED_RE = re.compile(r"^\W*\[|<ORIGINAL>|\]\s*TO:\s")


@dataclass(frozen=True, slots=True)
class Prepared:
    """The comparable form of one record."""

    title: str  # folded title, words joined by single spaces
    tokens: frozenset[str]
    words: frozenset[str]  # title tokens without stop words and numbers
    recurring: bool  # genre words and at most one other: a title that recurs in issue after issue (``GENRE_WORDS``)
    translated: bool  # the title is marked as a translation (``_TRANSLATED_RE``)
    numbers: tuple[str, ...]  # sorted numbers in the title (roman numerals included)
    surnames: tuple[str, ...]
    name_words: frozenset[str]  # every word of every author's name
    first_author_words: frozenset[str]
    journals: tuple[tuple[str, ...], ...]
    journal_initials: tuple[str, ...]  # of each name in ``journals``, for blocking
    kind: str
    meeting: bool  # the journal field names a meeting's proceedings (not a journal printing its abstracts)
    notice: bool  # a correction notice; ``title`` is then the corrected article's title
    erratum_at: tuple[tuple[str, str, str], ...]  # where its errata are printed, by its own note (``erratum_places``)
    abstract_like: bool  # its locator reads as a meeting abstract's (``reads_as_abstract``)
    year: int | None
    volume: str
    issue: str
    first_page: str
    last_page: str
    pages: str  # as the file gave them, for explanations
    doi: str
    pmid: str


def prepare(cit: Citation) -> Prepared:
    notice, title = _read_correction(strip_title_notes(cit.title))
    tokens = _numbered(fold(title).split())
    token_set = frozenset(tokens)
    numbers = [t for t in token_set if t.isdigit()]
    first, last = parse_pages(cit.pages)
    pmid = _NON_DIGIT_RE.sub("", cit.pmid or "") if cit.pmid else ""
    authors = split_authors(cit.authors)[:MAX_AUTHORS]
    surnames = [surname(a) for a in authors]
    all_name_words = frozenset().union(*map(name_words, authors)) if authors else frozenset()
    words = token_set - STOPWORDS - frozenset(numbers) if numbers else token_set - STOPWORDS
    return Prepared(
        title=" ".join(tokens),
        tokens=token_set,
        words=words,
        recurring=not words.isdisjoint(GENRE_WORDS) and len(words - GENRE_WORDS) < 2,
        translated=_TRANSLATED_RE.search(cit.title or "") is not None,
        numbers=tuple(sorted(t for t in tokens if t.isdigit())) if numbers else (),
        surnames=tuple(s for s in surnames if s),
        name_words=all_name_words,
        first_author_words=name_words(authors[0]) if authors else frozenset(),
        journals=journal_variants(cit.journal),
        journal_initials=journal_initials(cit.journal),
        kind=publication_class(cit),
        meeting=_class_of_journal(cit.journal) == "conference" and not _PRINTED_IN_JOURNAL_RE.search(cit.journal),
        notice=notice,
        erratum_at=erratum_places(cit.title),
        abstract_like=reads_as_abstract(cit, first, last),
        year=cit.year,
        volume=leading_number(cit.volume),
        issue=leading_number(cit.issue),
        first_page=first,
        last_page=last,
        pages=(cit.pages or "").strip(),
        doi=doi_key(cit.doi),
        pmid=pmid.lstrip("0"),
    )
