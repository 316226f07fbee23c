"""Deduplication: normalisation, the traps that must never merge, grouping, merging, files."""

from __future__ import annotations

import csv
import io
import itertools
from collections import defaultdict
from pathlib import Path

import pytest

from screening.citation import Citation
from screening.dedup import (
    DuplicatePair,
    choose_kept_record,
    dedup_files,
    find_duplicates,
    group_duplicates,
    merge_fields,
    pairs_for_review,
    write_groups_csv,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dedup"


def article(**fields) -> Citation:
    """A complete journal article; tests change only what they are about."""
    base = dict(
        title="Effect of aerobic exercise on cognition after stroke: a randomised controlled trial",
        authors=["Smith, J. A.", "Jones, B.", "Garcia, C."],
        year=2015,
        journal="Journal of Clinical Psychiatry",
        volume="76",
        issue="3",
        pages="73-76",
    )
    base.update(fields)
    return Citation(**base)


def only_pair(a: Citation, b: Citation) -> DuplicatePair | None:
    pairs = find_duplicates([a, b])
    assert len(pairs) <= 1
    return pairs[0] if pairs else None


def decision(a: Citation, b: Citation) -> str | None:
    pair = only_pair(a, b)
    return pair.decision if pair else None


# --- records that are one report, written differently -------------------------------------


@pytest.mark.parametrize(
    "title_b",
    [
        "EFFECT OF AEROBIC EXERCISE ON COGNITION AFTER STROKE: A RANDOMISED CONTROLLED TRIAL",  # case
        "Effect of aerobic exercise on cognition after stroke - a randomised, controlled trial.",  # punctuation
        "Effect of aerobic exercise on cognition after stroke &ndash; a randomised controlled trial",  # entity
        "[Effect of aerobic exercise on cognition after stroke: a randomised controlled trial]",  # translation
        "Effect of aerobic exercise on cognition after stroke: a randomised controlled trial. [Chinese]",
        "Effect of aerobic exercise on cognition after stroke: a randomized controlled trial",  # spelling
        "Effect of aerobic exercise on cognition after stroke: a randomised controlled trial"
        " [Erratum appears in J Clin Psychiatry. 2016;77(1):12]",
    ],
)
def test_title_variants_of_one_report_merge_automatically(title_b):
    pair = only_pair(article(), article(title=title_b))
    assert pair is not None and pair.decision == "auto"
    assert pair.score >= 0.9


def test_greek_letters_spelled_or_as_symbols_and_diacritics_are_the_same_title():
    a = article(title="Role of TGF-β1 and IL-1α in Sjögren syndrome after stroke in Zürich")
    b = article(title="Role of TGF-beta1 and IL-1alpha in Sjogren syndrome after stroke in Zurich",
                authors=["Smith, J.", "Jones, B. C.", "García, C."])
    assert decision(a, b) == "auto"


def test_abbreviated_journal_and_abbreviated_page_range_agree():
    a = article()
    b = article(journal="J Clin Psychiatry", pages="73-6")
    pair = only_pair(a, b)
    assert pair.decision == "auto"
    assert "journal alike" in pair.reasons and "same first page" in pair.reasons


def test_year_one_apart_merges_when_the_locator_agrees():
    assert decision(article(year=2015), article(year=2016)) == "auto"


def test_reasons_say_why_a_pair_is_alike():
    pair = only_pair(article(), article(title=article().title + "."))
    assert "title 100% alike" in pair.reasons
    assert any(r.startswith("same first author") for r in pair.reasons)


def test_same_doi_merges_even_when_other_fields_are_missing():
    a = article(doi="https://doi.org/10.1000/ABC.123")
    b = Citation(title=article().title, doi="10.1000/abc.123", year=2015)
    pair = only_pair(a, b)
    assert pair.decision == "auto" and "same DOI" in pair.reasons


def test_same_pmid_merges():
    a = article(pmid="12345678", journal="", volume="", pages="")
    b = article(pmid="12345678", title=article().title.upper(), journal="", volume="", pages="")
    pair = only_pair(a, b)
    assert pair.decision == "auto" and "same PMID" in pair.reasons


def test_unrelated_records_are_not_paired():
    a = article()
    b = article(title="Prevalence of asthma in urban schoolchildren", authors=["Lee, K."],
                journal="Thorax", volume="12", pages="100-110", year=2001)
    assert find_duplicates([a, b]) == []


# --- look-alikes that are different reports: never automatic -------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param(article(title="Effects of compound X on neuronal survival in vivo"),
                     article(title="Effects of compound X on neuronal survival in vitro"), id="vivo-vitro"),
        pytest.param(article(title="Cardiovascular outcomes of statin therapy in older men with diabetes"),
                     article(title="Cardiovascular outcomes of statin therapy in older women with diabetes"),
                     id="men-women"),
        pytest.param(article(title="Rehabilitation after stroke. Part I: motor outcomes"),
                     article(title="Rehabilitation after stroke. Part II: motor outcomes"), id="part-i-ii"),
        pytest.param(article(title="Aerobic exercise after stroke: 12-month results of a randomised trial"),
                     article(title="Aerobic exercise after stroke: 24-month results of a randomised trial"),
                     id="numbers"),
        pytest.param(article(title="Aerobic exercise for cognition after stroke: a randomised controlled trial"),
                     article(title="Aerobic exercise for cognition after stroke: protocol for a randomised controlled trial"),
                     id="protocol-results"),
        pytest.param(article(),
                     article(journal="Proceedings of the European Stroke Conference", volume="", pages=""),
                     id="conference-vs-journal"),
        pytest.param(article(type="JOUR"), article(type="CONF"), id="conference-type"),
        pytest.param(article(), article(pages="81-90"), id="pages-differ"),
        pytest.param(article(), article(volume="77"), id="volume-differs"),
        pytest.param(article(year=2010), article(year=2015), id="years-apart"),
        pytest.param(article(doi="10.1000/a"), article(doi="10.1000/b"), id="dois-differ"),
        pytest.param(article(title="Erratum: Effect of aerobic exercise on cognition after stroke: "
                                   "a randomised controlled trial", pages="1200"),
                     article(), id="erratum"),
        pytest.param(article(title="Stroke", authors=[], volume="", pages=""),
                     article(title="Stroke", authors=[], volume="", pages=""), id="generic-short-title"),
    ],
)
def test_look_alikes_of_different_reports_are_never_merged_automatically(a, b):
    assert decision(a, b) != "auto"


def test_a_differing_page_range_is_shown_to_a_person_with_the_reason():
    pair = only_pair(article(), article(pages="81-90"))
    assert pair.decision == "candidate"
    assert "pages differ: 73-76 vs 81-90" in pair.reasons
    assert pair.score < 0.9


def test_a_shared_book_doi_with_different_chapter_titles_is_not_merged():
    book = dict(doi="10.1007/978-3-030-00000-0", journal="Handbook of Stroke Rehabilitation", volume="",
                pages="", year=2020, authors=["Brown, D."])
    a = Citation(title="Motor recovery after stroke", **book)
    b = Citation(title="Aphasia therapy in the first year", **book)
    pair = only_pair(a, b)
    assert pair is not None and pair.decision == "candidate"
    assert "same DOI" in pair.reasons


def test_an_erratum_sharing_the_articles_doi_is_not_merged():
    a = article(doi="10.1000/xyz")
    b = article(doi="10.1000/xyz", title="Erratum: " + article().title)
    assert decision(a, b) == "candidate"


# --- notes databases add, and how they write one report's fields ---------------------------


@pytest.mark.parametrize(
    "title_b",
    [
        # a MEDLINE note cut off by a length limit
        article().title + ".[Erratum appears in J Clin Psychiatry. 2016 Jun",
        # Embase and Ovid append the original-language title
        "[" + article().title + "] <ORIGINAL> WIRKUNG VON AUSDAUERTRAINING AUF DIE KOGNITION",
        "[" + article().title + "] TO: Efecto del ejercicio aerobico sobre la cognicion",
    ],
)
def test_database_notes_around_a_title_do_not_count(title_b):
    assert decision(article(), article(title=title_b)) == "auto"


@pytest.mark.parametrize(
    ("title", "notice", "left"),
    [
        ("Erratum: Effect of exercise after stroke", True, "Effect of exercise after stroke"),
        ("Correction to: Effect of exercise after stroke", True, "Effect of exercise after stroke"),
        ("Effect of exercise after stroke (vol 76, pg 73, 2015)", True, "Effect of exercise after stroke"),
        ("Effect of exercise after stroke (Journal of Clinical Psychiatry (2015) 76 (73-76))", True,
         "Effect of exercise after stroke"),
        ("Erratum: Effect of exercise after stroke (Journal of Clinical Psych", True, "Effect of exercise after stroke"),
        ("Correction of hyponatraemia after stroke", False, "Correction of hyponatraemia after stroke"),
        ("Effect of exercise after stroke (2015 update)", False, "Effect of exercise after stroke (2015 update)"),
        ("Erratum", False, "Erratum"),
    ],
)
def test_correction_notices_are_recognised_by_how_databases_title_them(title, notice, left):
    from screening.dedup.normalise import correction_notice

    assert correction_notice(title) == (notice, left)


def test_two_records_of_one_correction_notice_merge_but_never_with_the_article():
    notice = dict(pages="200", issue="9")
    wos = article(title=article().title + " (vol 76, pg 73, 2015)", **notice)
    embase = article(title="Erratum: " + article().title + " (Journal of Clinical Psychiatry (2015) 76 (73-76))",
                     journal="J Clin Psychiatry", **notice)
    assert decision(wos, embase) == "auto"
    pair = only_pair(article(), wos)
    assert pair is not None and pair.decision == "candidate"
    assert "a correction notice vs the article it names" in pair.reasons
    # even printed on the page the article starts on
    assert decision(article(), article(title="Erratum: " + article().title)) == "candidate"


def test_an_erratum_the_articles_record_names_joins_the_whole_article_group():
    medline = article(title=article().title + ".[Erratum appears in J Clin Psychiatry. 2015 Sep;76(9):1200]")
    plain = article(journal="J Clin Psychiatry")  # the same article, without the note
    erratum = article(title="Erratum: " + article().title, issue="9", pages="1200", authors=["Smith, J. A."])
    wos = article(title=article().title + " (vol 76, pg 73, 2015)", issue="9", pages="1200")
    pair = only_pair(medline, erratum)
    assert pair is not None and pair.decision == "auto"
    assert "the article's record names this erratum" in pair.reasons
    assert decision(plain, erratum) == "candidate"  # alone, the notice is still a record of its own
    assert group_duplicates(4, find_duplicates([medline, plain, erratum, wos])) == [[0, 1, 2, 3]]


@pytest.mark.parametrize(
    "notice",
    [
        pytest.param(article(title="Erratum: " + article().title, issue="10", pages="1300"), id="another-place"),
        pytest.param(article(title="Erratum: " + article().title, volume="77", issue="9", pages="1200", year=2016),
                     id="a-later-volume"),
        pytest.param(article(title="Erratum: Effect of aerobic exercise on memory after stroke",
                             issue="9", pages="1200"), id="another-title"),
    ],
)
def test_an_erratum_note_links_only_the_record_at_the_place_it_names(notice):
    medline = article(title=article().title + ".[Erratum appears in J Clin Psychiatry. 2015 Sep;76(9):1200]")
    assert decision(medline, notice) != "auto"


def test_a_notice_citing_its_article_or_a_note_cut_short_is_shown_not_merged():
    cut = article(title=article().title + ".[Erratum appears in J Clin Psychiatry. 2015 Sep")
    wos = article(title=article().title + " (vol 76, pg 73, 2015)", issue="9", pages="1200")
    assert decision(cut, wos) == "candidate"


def test_one_abstract_printed_twice_in_one_issue_merges_but_two_articles_do_not():
    abstract = dict(volume="91", issue="10", journal="Archives of Physical Medicine and Rehabilitation")
    assert decision(article(pages="e8-e9", **abstract), article(pages="e3", **abstract)) == "auto"
    assert decision(article(pages="e8", **abstract),
                    article(pages="e3", authors=["Brown, K.", "Lee, M."], **abstract)) != "auto"
    assert decision(article(pages="e8", **abstract), article(pages="e3", **{**abstract, "issue": "11"})) != "auto"
    assert decision(article(pages="73-76"), article(pages="81-90")) == "candidate"


@pytest.mark.parametrize(
    ("title_a", "title_b"),
    [
        ("Etaracizumab, an antibody against integrin alphavbeta3, +/- dacarbazine in stage IV melanoma",
         "Etaracizumab, an antibody against integrin (alpha)v(beta)3, (plus or minus) dacarbazine in stage IV melanoma"),
        ("Gemcitabine plus cisplatin or carboplatin [corrected], with or without cetuximab, in lung cancer",
         "Gemcitabine plus cisplatin, with or without cetuximab, in lung cancer"),
    ],
)
def test_symbols_and_corrected_words_as_databases_write_them(title_a, title_b):
    assert decision(article(title=title_a), article(title=title_b)) == "auto"


def test_names_that_lost_a_letter_to_an_encoding_error_are_one_team():
    a = article(authors=["Mulic, Suada", "Seleskovic, Hajrija", "Krizic, Mario"])
    b = article(authors=["Muli, S.", "Seleskovi, H.", "Krizi, M."])
    assert decision(a, b) == "auto"
    from screening.dedup.compare import author_agreement
    from screening.dedup.normalise import prepare

    other_team = article(authors=["Mulic, S.", "Lee, K.", "Ode, T."])
    assert author_agreement(prepare(b), prepare(other_team)) == (True, pytest.approx(1 / 3))


def test_a_word_written_as_two_is_not_a_contrast_word():
    a = article(title="Cognition in a subgroup of children after stroke in a randomised trial")
    b = article(title="Cognition in a sub-group of children after stroke in a randomised trial")
    assert decision(a, b) == "auto"


@pytest.mark.parametrize(
    ("pages_a", "pages_b", "expected"),
    [
        ("c73-c76", "73-76", "auto"),  # a section letter one database drops
        ("viii73", "73", "auto"),  # a supplement's roman numeral
        ("P73 [tp 104]", "73", "auto"),  # a poster number
        ("73-76", "74-76", "auto"),  # a typo in the first page: articles of one volume do not overlap
        ("676-682", "678-684", "auto"),
        ("73-76", "76-80", "candidate"),  # one page in common: where one ends and the next begins
        ("13-May", "13-May", "auto"),  # a spreadsheet's date, the same in both
        ("e8-e9", "e3", "candidate"),
        ("73-76", "76", "candidate"),  # the next article may start on the page this one ends on
        ("c73-c76", "73-80", "candidate"),
    ],
)
def test_page_ranges_written_differently(pages_a, pages_b, expected):
    # No issue on one record, so the pages alone decide (not the same-issue rule for abstracts).
    assert decision(article(pages=pages_a), article(pages=pages_b, issue="")) == expected


MEETING = "Journal of Clinical Psychiatry.Conference: 12th Annual Meeting of the Society of Stroke Rehabilitation Lyon France."


def test_a_meeting_abstract_merges_with_its_record_in_the_journal_supplement():
    abstract = article(journal=MEETING, volume="", issue="", pages="")
    assert decision(abstract, article(issue="Suppl. 2", pages="S120")) == "auto"
    assert decision(abstract, article(journal="J Clin Psychiatry", pages="120")) == "auto"  # a single page
    # the same volume and pages as the meeting record: one printed abstract
    assert decision(article(journal=MEETING), article()) == "auto"


def test_a_meeting_abstract_never_merges_with_a_record_that_may_be_the_full_article():
    abstract = article(journal=MEETING, volume="", issue="", pages="")
    pair = only_pair(abstract, article())  # regular issue, several pages, type not given
    assert pair is not None and pair.decision == "candidate"
    assert "a meeting abstract vs a record that may be a journal article" in pair.reasons
    # a supplement page S73 is not page 73 of the volume's regular issues
    assert decision(article(journal=MEETING, pages="S73"), article()) == "candidate"


def test_a_thesis_and_its_index_entry_are_shown_not_merged():
    # Labelled sets disagree on whether a thesis and its Dissertation Abstracts entry are one record.
    thesis = Citation(title="An intelligent rehabilitation system for cognitive rehabilitation after stroke",
                      authors=["Yip, Chi Bun"], year=2011, volume="Ph.D.", pages="215 p")
    entry = Citation(title=thesis.title, authors=["Yip, Chi Bun"], year=2012, volume="73", issue="3-B",
                     pages="1524", journal="Dissertation Abstracts International: Section B")
    assert decision(thesis, entry) == "candidate"


# --- blocking -----------------------------------------------------------------------------


def _distractors() -> list[Citation]:
    """Unrelated records, so that word frequencies mean something."""
    topics = ["asthma in schoolchildren", "statins after myocardial infarction", "sleep and memory in adults",
              "vitamin D in pregnancy", "hip fracture surgery outcomes", "depression in primary care"]
    return [Citation(title=f"Study {k} of {topic} and syndrome therapy", authors=[f"Other{k}, A."], year=2001 + k)
            for k, topic in enumerate(topics)]


def test_blocking_reads_british_and_american_spellings_as_one_word():
    from screening.dedup.blocking import candidate_pairs
    from screening.dedup.normalise import prepare

    british = Citation(title="Haemolytic uraemic syndrome in paediatric oedema after tumour necrosis factor therapy",
                       authors=["Smith, J."], year=2010)
    american = Citation(title="Hemolytic uremic syndrome in pediatric edema after tumor necrosis factor therapy",
                        authors=["Jones, K."], year=2012)
    records = [british, american, *_distractors()]
    assert (0, 1) in set(candidate_pairs([prepare(c) for c in records]))


def test_the_last_word_of_a_long_title_is_no_blocking_key():
    """Databases cut long titles mid-word: "... non-small cell lung can"."""
    from screening.dedup.blocking import _rare_words
    from screening.dedup.normalise import prepare

    long_title = ("The effect of all-trans retinoic acid with chemotherapy based on paclitaxel and cisplatin as first "
                  "line treatment of patients with stage IIIb pleural effusion and non-small cell lung can")
    rare = _rare_words([prepare(Citation(title=long_title)), *map(prepare, _distractors())])
    assert rare[0] and "can" not in rare[0]


def test_a_typo_in_one_rare_word_still_blocks_a_pair():
    from screening.dedup.blocking import candidate_pairs
    from screening.dedup.normalise import prepare

    a = Citation(title="Eculizumab in atypical haemolytic syndrome with complement factor mutations",
                 authors=["Smith, J."], year=2010)
    # the typo is in the first word, so the titles' first letters differ too
    b = Citation(title="Eculizimab in atypical haemolytic syndrome with complement factor mutations",
                 authors=["Jones, K."], year=2012)
    records = [*_distractors(), a, b]
    n = len(records)
    assert (n - 2, n - 1) in set(candidate_pairs([prepare(c) for c in records]))


def test_a_series_of_alike_titles_gives_pairs_that_grow_with_it_not_with_its_square():
    """512 reports of a series ("... trial of <name>") by one team, and copies of three of them:
    each copy is still put to the comparer with its own record."""
    from screening.dedup.blocking import WINDOW, candidate_pairs
    from screening.dedup.normalise import prepare

    names = ["".join(parts) for parts in itertools.product(("ka", "lo", "mi", "nu", "pe", "ri", "so", "tu"), repeat=3)]
    series = [Citation(title=f"Effect of exercise on depression in older adults: a randomised trial of {name}mab",
                       authors=["Smith, John", "Jones, Ann"], year=2010, journal="Journal of Trials")
              for name in names]
    copies = [Citation(title=series[k].title.upper(), authors=["Smith J", "Jones A"], year=2010,
                       journal="J Trials") for k in (0, 300, 511)]
    n = len(series)
    found = set(candidate_pairs([prepare(c) for c in [*series, *copies]]))
    assert {(0, n), (300, n + 1), (511, n + 2)} <= found
    assert len(found) <= (WINDOW + 1) * (n + 3) < n * (n - 1) / 2 / 3


# --- grouping -----------------------------------------------------------------------------


def pair(left, right, decision="auto", score=0.95):
    return DuplicatePair(left, right, score, decision, ())


def test_a_clique_of_automatic_pairs_is_one_group():
    pairs = [pair(0, 1), pair(1, 2), pair(0, 2), pair(3, 4)]
    assert group_duplicates(5, pairs) == [[0, 1, 2], [3, 4]]


def test_a_chain_does_not_glue_records_that_are_not_all_alike():
    # 0~1 and 1~2 are automatic, but 0 and 2 only look alike to a person.
    pairs = [pair(0, 1, score=0.97), pair(1, 2, score=0.95), pair(0, 2, "candidate", 0.6)]
    assert group_duplicates(3, pairs) == [[0, 1]]
    review = pairs_for_review(3, pairs)
    # Record 2 and the group {0, 1} are one decision: the strongest of their pairs is shown.
    assert [(p.left, p.right, p.decision) for p in review] == [(1, 2, "candidate")]


def test_one_pair_between_two_groups_is_shown_the_strongest():
    pairs = [pair(0, 1), pair(2, 3), pair(0, 2, "candidate", 0.6), pair(1, 3, "candidate", 0.8),
             pair(1, 4, "candidate", 0.7), pair(0, 4, "candidate", 0.5)]
    assert group_duplicates(5, pairs) == [[0, 1], [2, 3]]
    assert [(p.left, p.right) for p in pairs_for_review(5, pairs)] == [(1, 3), (1, 4)]


def test_a_chain_with_a_missing_link_is_refused_too():
    pairs = [pair(0, 1, score=0.99), pair(1, 2, score=0.98), pair(2, 3, score=0.97)]
    groups = group_duplicates(4, pairs)
    assert [0, 1, 2, 3] not in groups
    assert all(len(g) == 2 for g in groups)


def test_a_candidate_pair_inside_an_automatic_group_is_not_asked_again():
    pairs = [pair(0, 1), pair(1, 2), pair(0, 2), pair(0, 2, "candidate", 0.5)]
    assert pairs_for_review(3, pairs) == []


def test_chained_real_records_keep_distinct_studies_apart():
    protocol = article(title="Aerobic exercise for cognition after stroke: protocol for a randomised trial",
                       volume="", pages="")
    results = article(title="Aerobic exercise for cognition after stroke: a randomised trial")
    results_copy = article(title="Aerobic exercise for cognition after stroke: a randomised trial.",
                           journal="J Clin Psychiatry")
    citations = [protocol, results, results_copy]
    groups = group_duplicates(3, find_duplicates(citations))
    assert groups == [[1, 2]]


# --- the merged record --------------------------------------------------------------------


def test_the_most_complete_record_is_kept():
    sparse = Citation(title="T", year=2015)
    full = article(abstract="Background ...", doi="10.1/x")
    middle = article()
    assert choose_kept_record([sparse, full, middle]) == 1


def test_a_tie_keeps_the_first_record():
    assert choose_kept_record([article(), article()]) == 0


def test_merge_fills_missing_fields_without_overwriting():
    kept = article(abstract="A long abstract. " * 5, url="https://example.org/a", type="JOUR")
    other = article(title="Other title wording", abstract="", doi="10.1000/abc", pmid="999",
                    keywords=["stroke"])
    assert choose_kept_record([kept, other]) == 0
    merged = merge_fields([kept, other])
    assert merged.title == kept.title
    assert merged.abstract == kept.abstract
    assert merged.doi == "10.1000/abc" and merged.pmid == "999"
    assert merged.keywords == ["stroke"]
    assert kept.doi == "" and kept.keywords == []  # inputs untouched
    merged.keywords.append("x")
    assert other.keywords == ["stroke"]


def test_choose_kept_record_refuses_an_empty_group():
    with pytest.raises(ValueError):
        choose_kept_record([])


# --- files --------------------------------------------------------------------------------


RIS = """TY  - JOUR
TI  - Effect of aerobic exercise on cognition after stroke
AU  - Smith, J. A.
AU  - Jones, B.
PY  - 2015
JO  - Journal of Clinical Psychiatry
VL  - 76
SP  - 73
EP  - 76
ER  -
TY  - JOUR
TI  - Prevalence of asthma in urban schoolchildren
AU  - Lee, K.
PY  - 2001
JO  - Thorax
VL  - 12
SP  - 100
EP  - 110
ER  -
"""


def test_several_files_give_one_row_per_record_prefixed_by_file_name(tmp_path):
    medline, embase = tmp_path / "medline.ris", tmp_path / "embase.ris"
    medline.write_text(RIS, encoding="utf-8")
    embase.write_text(RIS.replace("Effect of aerobic", "Effect of Aerobic").replace("SP  - 73", "SP  - 73"),
                      encoding="utf-8")
    rows = dedup_files([medline, embase])
    assert [r.record_id for r in rows] == ["medline.ris:1", "medline.ris:2", "embase.ris:1", "embase.ris:2"]
    by_id = {r.record_id: r for r in rows}
    assert by_id["medline.ris:1"].match == by_id["embase.ris:1"].match == "auto"
    assert by_id["medline.ris:1"].group_id == by_id["embase.ris:1"].group_id
    # the asthma records are duplicates of each other too, in a group of their own
    assert by_id["medline.ris:2"].group_id == by_id["embase.ris:2"].group_id != by_id["medline.ris:1"].group_id


def test_one_file_keeps_its_own_record_ids_and_writes_the_groups_csv(tmp_path):
    rows = dedup_files([FIXTURES / "stroke_sample.csv"])
    truth = list(csv.DictReader(open(FIXTURES / "stroke_sample.csv", encoding="utf-8")))
    assert [r.record_id for r in rows] == [t["record_id"] for t in truth]
    assert {r.match for r in rows} <= {"auto", "candidate", "unique"}
    for r in rows:
        if r.match != "auto":
            assert r.group_id == r.record_id
    out = io.StringIO()
    write_groups_csv(rows, out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "record_id,group_id,match"
    assert len(lines) == len(rows) + 1
    path = tmp_path / "groups.csv"
    write_groups_csv(rows, path)
    assert path.read_text(encoding="utf-8") == out.getvalue()


def test_the_labelled_sample_has_no_false_merge_and_every_pair_is_merged_or_shown():
    """Records copied from a hand-labelled set (BibDedupe's evaluation data)."""
    path = FIXTURES / "stroke_sample.csv"
    truth = list(csv.DictReader(open(path, encoding="utf-8")))
    entity = [t["true_group"] or f"solo{i}" for i, t in enumerate(truth)]
    from screening.importers import parse_file

    citations = parse_file(path.read_bytes(), path.name).citations
    pairs = find_duplicates(citations)
    groups = group_duplicates(len(citations), pairs)
    review = {(p.left, p.right) for p in pairs_for_review(len(citations), pairs)}

    false_merges = sum(len({entity[i] for i in g}) - 1 for g in groups)
    assert false_merges == 0

    group_of = {i: k for k, g in enumerate(groups) for i in g}
    by_entity = defaultdict(list)
    for i, e in enumerate(entity):
        by_entity[e].append(i)
    true_pairs = [p for members in by_entity.values() for p in itertools.combinations(members, 2)]
    assert len(true_pairs) >= 20
    merged = [p for p in true_pairs if p[0] in group_of and group_of[p[0]] == group_of.get(p[1])]
    assert len(merged) / len(true_pairs) >= 0.9

    def shown(i, j):
        gi, gj = group_of.get(i, ("solo", i)), group_of.get(j, ("solo", j))
        return any({group_of.get(x, ("solo", x)), group_of.get(y, ("solo", y))} == {gi, gj} for x, y in review)

    assert all(p in merged or shown(*p) for p in true_pairs)


# --- what makes two records one report: titles (issue 15) --------------------------------


RECURRING = dict(authors=["Rai, Arun"], journal="MIS Quarterly", volume="41", year=2017, pages="")


@pytest.mark.parametrize("title", ["Editorial", "Editor's comments", "Letter to the editor", "Reply", "Erratum",
                                   "Introduction to the special issue", "Book review", "Conference report"])
def test_a_recurring_title_in_two_issues_is_two_pieces_never_shown(title):
    for pages in ("", "1", "iii-iv"):
        assert decision(Citation(title=title, issue="1", **{**RECURRING, "pages": pages}),
                        Citation(title=title, issue="2", **{**RECURRING, "pages": pages})) is None


def test_a_recurring_title_merges_only_where_issue_and_page_say_it_is_one_piece():
    one = Citation(title="Editor's comments", issue="2", **{**RECURRING, "pages": "iii-vi"})
    assert decision(one, Citation(title="Editor's Comments.", issue="2", **{**RECURRING, "pages": "iii-vi",
                                  "authors": ["Rai, A."]})) == "auto"
    # nothing tells them apart, nor says they are one: a person decides
    assert decision(Citation(title="Reply", issue="2", **RECURRING), Citation(title="Reply", **RECURRING)) == "candidate"
    assert decision(Citation(title="Reply", issue="2", **RECURRING),
                    Citation(title="Reply", issue="2", **RECURRING)) == "candidate"
    # a shared DOI does not make two issues' pieces one
    assert decision(Citation(title="Editorial", issue="1", doi="10.1000/x", **RECURRING),
                    Citation(title="Editorial", issue="2", doi="10.1000/x", **RECURRING)) == "candidate"


def test_a_title_with_subject_words_is_not_a_recurring_title():
    from screening.dedup.normalise import prepare

    assert prepare(Citation(title="Editor's comments")).recurring
    assert prepare(Citation(title="Response to Smith")).recurring
    assert not prepare(Citation(title="Editorial: big data in information systems research")).recurring
    assert not prepare(Citation(title="Stroke rehabilitation")).recurring
    assert not prepare(Citation(title="Eculizumab")).recurring  # a short title, but of a subject


def test_another_title_at_the_same_place_is_never_merged_automatically():
    # a journal that printed several articles on the same pages, or a database that filled them in wrong
    place = article()
    other = article(title="Prevalence of depression among carers of people after a stroke in rural clinics")
    pair = only_pair(place, other)
    assert pair is not None and pair.decision == "candidate"


@pytest.mark.parametrize(
    "title_b",
    [
        "Effect of aerobic exercise on cognition after stroke",  # the subtitle dropped
        "MEDICAL PROGRESS: Effect of aerobic exercise on cognition after stroke: a randomised controlled trial",
        "Effect of aerobic exercise on cognition after stroke: a randomised controlled trial in the community",
        "Effect of aerobic exercise on cognition after stroke: a randomised controlled tri",  # cut mid-word
    ],
)
def test_at_the_same_place_a_title_within_the_other_is_one_report(title_b):
    pair = only_pair(article(), article(title=title_b))
    assert pair is not None and pair.decision == "auto"


@pytest.mark.parametrize(
    ("title_a", "title_b"),
    [
        ("Effect of aerobic exercise on cognition after stroke",
         "Effect of aerobic exercise on cognition after stroke: protocol for a randomised controlled trial"),
        ("Editor's comments", "Editor's comments: next-generation digital platforms"),
    ],
)
def test_at_the_same_place_a_title_within_the_other_is_not_enough_when_the_rest_says_otherwise(title_a, title_b):
    assert decision(article(title=title_a, issue=""), article(title=title_b, issue="")) != "auto"


def test_a_title_marked_as_translated_merges_at_the_same_page_range_when_its_words_survive():
    french = article(title="Antibiotic prophylaxis in pulmonary surgery. A controlled double-blind study of "
                           "amoxicillin versus cefamandole", pages="280-284")
    medline = article(title="[Comparison of amoxicillin and cefamandole in the prevention of bronchopulmonary "
                            "infections in pulmonary surgery. A randomized double-blind study]", pages="280-284")
    assert decision(french, medline) == "auto"
    # the same wording unmarked, or marked but sharing little, is two titles
    assert decision(french, article(title=medline.title.strip("[]"), pages="280-284")) == "candidate"
    assert decision(french, article(title="[Postoperative pain after lung resection in older adults]",
                                    pages="280-284")) != "auto"


def test_a_letter_citing_the_article_it_comments_on_is_one_title_with_or_without_the_citation():
    from screening.dedup.normalise import strip_title_notes

    assert strip_title_notes("More on eculizumab for atypical HUS... N Engl J Med. 2009 Jan 29;360(5):544-6") == (
        "More on eculizumab for atypical HUS")
    assert strip_title_notes("Stroke statistics 2009; an update: 360") == "Stroke statistics 2009; an update: 360"


# --- a venue named in different ways (issue 15) ------------------------------------------


@pytest.mark.parametrize(
    ("venue_a", "venue_b"),
    [
        ("Proceedings of the 51st Annual Hawaii International Conference on System Sciences", "HICSS"),
        ("Proceedings of the 51st Annual Hawaii International Conference on System Sciences",
         "Hawaii International Conference on System Sciences"),
        ("Hawaii International Conference on System Sciences (HICSS)", "HICSS 2018"),
        ("40th International Conference on Information Systems, ICIS 2019", "ICIS 2019 Proceedings"),
        ("International Conference on Information Systems", "Proceedings of the 40th ICIS"),
    ],
)
def test_a_meeting_named_in_different_ways_is_one_venue(venue_a, venue_b):
    paper = dict(title="Digital platform governance and complementor innovation: a multi-method study",
                 authors=["Carignani, Andrea", "Rossi, Marta"], year=2018)
    a = Citation(journal=venue_a, volume="2018-January", pages="4567-4576", type="CONF", **paper)
    b = Citation(journal=venue_b, volume="51", pages="", type="JOUR", **paper)
    pair = only_pair(a, b)
    assert pair is not None and pair.decision == "auto" and "journal alike" in pair.reasons


@pytest.mark.parametrize(
    ("venue_a", "venue_b"),
    [
        ("International Conference on Lupus", "International Conference on Asthma"),
        ("Pediatric Nephrology.Conference: 44th Annual Scientific Meeting of the IPNA",
         "Blood.Conference: 50th Annual Scientific Meeting of ASH"),
        ("Proceedings of the 9th World Congress of Neurology", "Proceedings of the 9th World Congress of Cardiology"),
    ],
)
def test_meetings_that_share_only_the_words_every_meeting_has_are_two_venues(venue_a, venue_b):
    from screening.dedup.compare import journals_alike
    from screening.dedup.normalise import prepare

    assert journals_alike(prepare(Citation(journal=venue_a)), prepare(Citation(journal=venue_b))) is False


def test_a_meeting_abstract_printed_in_a_journal_is_still_not_the_journal_article():
    abstract = article(journal=MEETING, volume="", issue="", pages="", type="CONF")
    assert decision(abstract, article(type="JOUR")) == "candidate"


def test_a_year_given_as_volume_is_no_volume_to_differ():
    paper = dict(title="Digital platform governance and complementor innovation: a multi-method study",
                 authors=["Carignani, A."], journal="Hawaii International Conference on System Sciences", year=2018)
    assert decision(Citation(volume="2018-January", **paper), Citation(volume="51", **paper)) == "auto"
    assert decision(Citation(volume="50", **paper), Citation(volume="51", **paper)) == "candidate"


@pytest.mark.parametrize(("short", "long_"), [("JAIS", "Journal of the Association for Information Systems"),
                                              ("EJIS", "European Journal of Information Systems")])
def test_a_journal_s_initials_are_its_name(short, long_):
    from screening.dedup.compare import journals_alike
    from screening.dedup.normalise import prepare

    assert journals_alike(prepare(Citation(journal=short)), prepare(Citation(journal=long_)))
    assert not journals_alike(prepare(Citation(journal=short)), prepare(Citation(journal="Journal of Clinical Psychiatry")))


# --- what makes two records one report: locators, names, identifiers (issue 15) -------------


def test_an_article_number_and_printed_pages_are_two_locators_of_one_article():
    bmj = dict(title="Effect of early mobilisation after stroke on walking at three months: cohort study",
               authors=["Smith, J.", "Jones, K."], journal="BMJ", volume="340", year=2010)
    assert decision(Citation(pages="c1804", **bmj), Citation(pages="1014", **bmj)) == "auto"
    assert decision(Citation(pages="e43268", **bmj), Citation(pages="1014-1016", **bmj)) == "auto"
    # two article numbers, or a supplement page, are compared as pages
    assert decision(Citation(pages="c1804", **bmj), Citation(pages="c1904", **bmj)) == "candidate"
    assert decision(Citation(pages="S1014", issue="Suppl 1", **bmj), Citation(pages="1101-1107", **bmj)) == "candidate"


@pytest.mark.parametrize(
    "authors_b",
    [
        ["Garcia, C.", "Smith, J. A.", "Jones, B."],  # another order
        ["Jones, Bethany", "Smith, John A."],  # two authors swapped, full first names
        ["A., Smith J.", "B., Jones", "C., Garcia"],  # given and family names swapped
        ["J. A. Smith", "B. Jones", "C. Garcia"],  # given names first
        ["SMITH JA", "JONES B", "GARCIA C"],  # capitals, initials run together
    ],
)
def test_one_team_named_in_other_forms_and_orders(authors_b):
    assert decision(article(pages=""), article(pages="", authors=authors_b)) == "auto"


def test_another_team_sharing_one_name_is_not_one_team():
    assert decision(article(pages="", authors=["Smith, J. A.", "Jones, B."]),
                    article(pages="", authors=["Jones, B.", "Brown, K."])) != "auto"


def test_quotation_marks_around_a_title_do_not_hide_its_notes():
    a = article(title="Treatment of dry age-related macular degeneration. [Turkish]")
    assert decision(a, article(title="\u201cTreatment of dry age-related macular degeneration. [Turkish]\u201d",
                               pages="")) == "auto"


def test_a_doi_written_html_escaped_is_the_same_doi():
    escaped = "10.1002/(SICI)1097-0258(19980715)17:13&lt;1495::AID-SIM863&gt;3.0.CO;2-I"
    a = article(doi=escaped, pages="")
    b = article(doi="10.1002/(sici)1097-0258(19980715)17:13<1495::aid-sim863>3.0.co;2-i", pages="", journal="")
    assert "same DOI" in only_pair(a, b).reasons
    other = article(doi=escaped.replace("1495", "1496"), pages="")
    assert "DOIs differ" in " ".join(only_pair(a, other).reasons)


def test_an_online_first_record_a_year_before_print_is_one_report():
    online = article(year=2019, volume="", issue="", pages="", doi="10.1111/isj.12300")
    assert decision(online, article(year=2020)) == "auto"
    # a year apart without a DOI, or with a volume of its own, may be a later report: a person decides
    assert decision(article(year=2019, volume="", issue="", pages=""), article(year=2020)) == "candidate"
    assert decision(article(year=2019, volume="75", issue="", pages="", doi="10.1111/isj.12300"),
                    article(year=2020)) == "candidate"
