"""Find records that are one report, merge the sure ones, show a person the rest.

``find_duplicates`` blocks (``blocking``), judges each blocked pair
(``compare``) and returns the alike pairs; ``group_duplicates`` turns the
automatic ones into merge groups without chaining distinct studies
(``grouping``); ``choose_kept_record``/``merge_fields`` build the merged
record; ``dedup_files`` runs it all on export files for ``winnow dedup``.

Figures (``nice .venv/bin/python bench/dedup.py``, hand-labelled sets; the
anchor is BibDedupe 0.11.0; review pairs are pairs left for a person):

=============  ==================  ============  =======  ============  =========
set            auto sensitivity    false merges  covered  review pairs  BibDedupe
=============  ==================  ============  =======  ============  =========
haematology    0.877               0             0.994    123           0.828 / 1
respiratory    0.957               0             0.996    50            0.925 / 0
stroke         0.996               0             0.998    19            0.996 / 0
=============  ==================  ============  =======  ============  =========

The same script scores each set again with labelled perturbations added (the
ways other databases write one report, and traps that must never merge:
another title at the same place, recurring titles in four issues); there
too, no false merge, and 538 of 540 perturbed pairs merge automatically.

The labels disagree among themselves on errata: haematology groups four
articles with errata their MEDLINE records name, while stroke keeps apart an
erratum printed two years and a volume later, and haematology keeps apart
one whose article's note is cut off before its page. Winnow merges an
erratum with its article only on such a note, within a year and a volume
(``compare``); a notice that only cites its article goes to a person. Most
pairs still missed on haematology are labelled as one group although they are
a letter and its reply, a meeting abstract and the later article, or four
registry records of four trials; on stroke, a thesis and its Dissertation
Abstracts entry, labelled one report in one group and two in another.

``find_duplicates`` on 100,000 records (``bench/synthetic.py`` through the RIS
importer) takes about 15 CPU s on this 2-core machine: preparing ~6,
blocking ~5, comparing ~3 (``time.process_time``); it took ~60 before
blocking on pairs of rare words."""

from __future__ import annotations

from screening.dedup.compare import DuplicatePair
from screening.dedup.files import GroupRow, dedup_files, write_groups_csv
from screening.dedup.finding import find_duplicates
from screening.dedup.grouping import group_duplicates, pairs_for_review
from screening.dedup.merging import choose_kept_record, merge_fields

__all__ = [
    "DuplicatePair", "GroupRow", "choose_kept_record", "dedup_files", "find_duplicates",
    "group_duplicates", "merge_fields", "pairs_for_review", "write_groups_csv",
]
