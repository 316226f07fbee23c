"""Find records that are one report, merge the sure ones, show a person the rest.

``find_duplicates`` blocks (``blocking``), judges each blocked pair
(``compare``) and returns the alike pairs; ``group_duplicates`` turns the
automatic ones into merge groups without chaining distinct studies
(``grouping``); ``choose_kept_record``/``merge_fields`` build the merged
record; ``dedup_files`` runs it all on export files for ``winnow dedup``."""

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
