"""Coding studies on a form: the queue per form, one's own coding (drafts saved as often as
the page likes, nothing typed ever lost), submitting with clear field messages, reopening,
and verification (single extraction checked by a second reviewer, who starts from the
first's values and confirms or corrects them).

Each reviewer writes only to their own coding, so a second extractor can never overwrite
the first. In single extraction a submitted coding (verified, when the form asks for it) is
copied into the study's consensus, the data that tables and reports read; in dual extraction
the reconciler builds the consensus (``extraction.reconciling``)."""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from extraction import visibility
from extraction.forms import FieldDef, FormDef, form_in_review, load_definition
from extraction.models import (
    CONSENSUS_SLOT, CodedRow, CodedValue, Coding, CodingKind, CodingStatus, ExtractionForm, FieldType,
)
from extraction.studies import StudyView, included_studies, study_in_review
from extraction.values import Entry, Node, Row, agree, display, is_empty, parse_value
from screening.review.access import ReviewAccess
from screening.review.audit import record_event
from screening.review.errors import InvalidInput, NotFound, PermissionDenied
from screening.review.models import Role, utcnow

MAX_QUOTE = 5000
EXTRACTION_SLOTS = (1, 2)
VERIFICATION_SLOT = 2


class CodingInvalid(InvalidInput):
    """A coding that cannot be submitted; ``problems`` maps each input's path (its name on the
    page) to what is wrong with it, naming the question."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        count = len(problems)
        super().__init__(f"{count} answer{'s' if count > 1 else ''} need{'' if count > 1 else 's'} attention before "
                         "submitting: " + " ".join(problems.values()), field=next(iter(problems)))


# --- the tree of a coding, read and written ----------------------------------------------------

def load_tree(session: Session, coding: Coding | None) -> Node:
    if coding is None or coding.id is None:
        return Node()
    return load_trees(session, [coding.id])[coding.id]


_ROW_COLUMNS = (CodedRow.coding_id, CodedRow.group_id, CodedRow.uid, CodedRow.parent_uid)
_VALUE_COLUMNS = (CodedValue.coding_id, CodedValue.field_id, CodedValue.row_uid, CodedValue.value, CodedValue.page,
                  CodedValue.quote, CodedValue.source_record_id, CodedValue.form_version)


def load_trees(session: Session, coding_ids: list[int]) -> dict[int, Node]:
    """The values of many codings, read as plain rows (an export reads tens of thousands)."""
    rows: dict[int, list] = defaultdict(list)
    values: dict[int, list] = defaultdict(list)
    connection = session.connection()
    for start in range(0, len(coding_ids), 500):
        chunk = coding_ids[start:start + 500]
        for row in connection.execute(sa.select(*_ROW_COLUMNS).where(CodedRow.coding_id.in_(chunk))
                                      .order_by(CodedRow.position, CodedRow.id)):
            rows[row.coding_id].append(row)
        for value in connection.execute(sa.select(*_VALUE_COLUMNS).where(CodedValue.coding_id.in_(chunk))):
            values[value.coding_id].append(value)
    return {coding_id: build_tree(rows[coding_id], values[coding_id]) for coding_id in coding_ids}


def build_tree(rows: list, values: list) -> Node:
    """A coding's tree from its rows and values (anything with their columns' names)."""
    root = Node()
    by_uid: dict[str, Row] = {row.uid: Row(uid=row.uid) for row in rows}
    for row in rows:
        parent = by_uid.get(row.parent_uid, root) if row.parent_uid else root
        parent.groups.setdefault(row.group_id, []).append(by_uid[row.uid])
    for value in values:
        owner = by_uid.get(value.row_uid) if value.row_uid else root
        if owner is not None:
            owner.values[value.field_id] = Entry(value.value, value.page, value.quote, value.source_record_id,
                                                 value.form_version)
    return root


def flatten(node: Node, parent_uid: str = "") -> tuple[list[tuple[int, str, str, int]], list[tuple[int, str, Entry]]]:
    """(group id, uid, parent uid, position) of every row; (field id, row uid, entry) of every value."""
    rows, values = [], []
    row_uid = node.uid if isinstance(node, Row) else ""
    for field_id, entry in node.values.items():
        values.append((field_id, row_uid, entry))
    for group_id, group_rows in node.groups.items():
        for position, row in enumerate(group_rows):
            rows.append((group_id, row.uid, row_uid, position))
            inner_rows, inner_values = flatten(row, row.uid)
            rows.extend(inner_rows)
            values.extend(inner_values)
    return rows, values


def write_tree(session: Session, coding: Coding, node: Node, form_version: int, old: Node, *,
               stamp: bool = False) -> list[int]:
    """Make the coding's stored rows and values ``node``'s, in the caller's transaction; ``old``
    is what is stored now (``load_tree``). Only what differs is written: a save that changed one
    answer writes one value. A value whose content did not change keeps the form version it was
    entered under. With ``stamp`` (``node`` being the caller's own, shared with no other tree)
    each of its values is given the version it is stored with, so ``node`` reads as the stored
    coding does. Returns the ids of the fields whose values changed."""
    old_rows = {uid: (group_id, parent, position) for group_id, uid, parent, position in flatten(old)[0]}
    old_entries = {(field_id, uid): entry for field_id, uid, entry in flatten(old)[1]}
    rows, values = flatten(node)
    new_rows = {uid: (group_id, parent, position) for group_id, uid, parent, position in rows}
    now = utcnow()
    changed: set[int] = set()
    inserts, updates = [], []
    for field_id, uid, entry in values:
        before = old_entries.pop((field_id, uid), None)
        unchanged = before is not None and before.same_content(entry)
        # an unchanged value keeps the version it was entered under; one copied from another
        # coding (a verifier's start, a consensus) keeps its own
        version = before.form_version if unchanged and before.form_version else entry.form_version or form_version
        if stamp:
            entry.form_version = version
        if unchanged and before.form_version:
            continue
        if not unchanged:
            changed.add(field_id)
        place = {"coding_id": coding.id, "field_id": field_id, "row_uid": uid}
        content = {"value": entry.value, "source_record_id": entry.source_record_id, "page": entry.page,
                   "quote": entry.quote, "form_version": version, "updated_at": now}
        (updates if before is not None else inserts).append((place, content))
    changed |= {field_id for field_id, _ in old_entries}

    connection = session.connection()
    values_table, rows_table = CodedValue.__table__, CodedRow.__table__
    if old_entries:
        connection.execute(sa.delete(values_table).where(
            values_table.c.coding_id == sa.bindparam("b_coding"), values_table.c.field_id == sa.bindparam("b_field"),
            values_table.c.row_uid == sa.bindparam("b_uid")),
            [{"b_coding": coding.id, "b_field": field_id, "b_uid": uid} for field_id, uid in old_entries])
    gone = [uid for uid in old_rows if uid not in new_rows]
    if gone:
        connection.execute(sa.delete(rows_table).where(rows_table.c.coding_id == coding.id, rows_table.c.uid.in_(gone)))
    moved = [{"b_coding": coding.id, "b_uid": uid, "group_id": group_id, "parent_uid": parent, "position": position}
             for uid, (group_id, parent, position) in new_rows.items() if uid in old_rows
             and old_rows[uid] != (group_id, parent, position)]
    if moved:
        connection.execute(rows_table.update().where(rows_table.c.coding_id == sa.bindparam("b_coding"),
                                                     rows_table.c.uid == sa.bindparam("b_uid")), moved)
    added = [{"coding_id": coding.id, "group_id": group_id, "uid": uid, "parent_uid": parent, "position": position}
             for uid, (group_id, parent, position) in new_rows.items() if uid not in old_rows]
    if added:
        connection.execute(sa.insert(rows_table), added)
    if updates:
        connection.execute(values_table.update().where(
            values_table.c.coding_id == sa.bindparam("b_coding"), values_table.c.field_id == sa.bindparam("b_field"),
            values_table.c.row_uid == sa.bindparam("b_uid")),
            [{"b_coding": place["coding_id"], "b_field": place["field_id"], "b_uid": place["row_uid"], **content}
             for place, content in updates])
    if inserts:
        connection.execute(sa.insert(values_table), [{**place, **content} for place, content in inserts])
    return sorted(changed)


# --- reading what was entered -------------------------------------------------------------------

def parse_tree(definition: FormDef, raw: Node, old: Node, report_ids: set[int]) -> tuple[Node, dict[str, str]]:
    """What a reviewer entered (``raw``: values as typed, rows by uid) as values to store, and a
    message for each input that was refused, keyed by the input's path ("f12", "g20.<uid>.f21").
    Refused text is kept as typed. Retired fields are not offered, so their values are carried
    over from ``old`` untouched."""
    problems: dict[str, str] = {}

    def parse_node(defs: list[FieldDef], raw_node: Node, old_node: Node, target: Node, prefix: str,
                   where: str) -> None:
        for item in defs:
            if item.field.retired:
                if item.id in old_node.values:
                    target.values[item.id] = old_node.values[item.id]
                if old_node.rows(item.id):
                    target.groups[item.id] = old_node.rows(item.id)
                continue
            if item.field.field_type is FieldType.group:
                old_rows = {row.uid: row for row in old_node.rows(item.id)}
                rows = []
                for index, raw_row in enumerate(raw_node.rows(item.id), start=1):
                    row = Row(uid=_clean_uid(raw_row.uid))
                    parse_node(item.children, raw_row, old_rows.get(row.uid, Row()), row,
                               f"{prefix}g{item.id}.{row.uid}.", f"{where}{item.field.label}, row {index}: ")
                    rows.append(row)
                target.groups[item.id] = rows
                continue
            entry = raw_node.values.get(item.id)
            if entry is None:
                continue
            path = f"{prefix}f{item.id}"
            parsed = parse_value(item.field, entry.value, item.options_by_id)
            if parsed.error:
                problems[path] = f"{where}{item.field.label}: {parsed.error}"
            page, quote = " ".join(str(entry.page or "").split())[:20], str(entry.quote or "").strip()[:MAX_QUOTE]
            source = entry.source_record_id if entry.source_record_id in report_ids else None
            if entry.source_record_id not in (None, "") and source is None:
                problems[path + ".source"] = f"{where}{item.field.label}: the source is not a report of this study."
            if not is_empty(parsed.value) or page or quote or source:
                target.values[item.id] = Entry(parsed.value, page, quote, source)

    root = Node()
    for section in definition.sections:
        parse_node(section.fields, raw, old, root, "", "")
    return root, problems


def _clean_uid(uid: str) -> str:
    uid = "".join(ch for ch in str(uid or "") if ch.isalnum())[:32]
    return uid or new_uid()


def new_uid() -> str:
    return secrets.token_hex(4)


def required_problems(definition: FormDef, node: Node) -> dict[str, str]:
    """The required questions left empty (retired ones are never required any more)."""
    problems: dict[str, str] = {}

    def check(defs: list[FieldDef], target: Node, prefix: str, where: str) -> None:
        for item in defs:
            if item.field.retired:
                continue
            if item.field.field_type is FieldType.group:
                rows = target.rows(item.id)
                if item.field.required and not rows:
                    problems[f"{prefix}g{item.id}"] = f"{where}{item.field.label} is required: add at least one row."
                for index, row in enumerate(rows, start=1):
                    check(item.children, row, f"{prefix}g{item.id}.{row.uid}.", f"{where}{item.field.label}, row {index}: ")
            elif item.field.required and is_empty(target.value(item.id)):
                problems[f"{prefix}f{item.id}"] = f"{where}{item.field.label} is required: answer it before submitting."

    for section in definition.sections:
        check(section.fields, node, "", "")
    return problems


def invalid_values(definition: FormDef, node: Node) -> dict[str, str]:
    """Values a draft kept although they were refused (text in a number field)."""
    problems: dict[str, str] = {}

    def check(defs: list[FieldDef], target: Node, prefix: str, where: str) -> None:
        for item in defs:
            if item.field.field_type is FieldType.group:
                for index, row in enumerate(target.rows(item.id), start=1):
                    check(item.children, row, f"{prefix}g{item.id}.{row.uid}.", f"{where}{item.field.label}, row {index}: ")
            elif item.id in target.values and not item.field.retired:
                parsed = parse_value(item.field, target.value(item.id), item.options_by_id)
                if parsed.error:
                    problems[f"{prefix}f{item.id}"] = f"{where}{item.field.label}: {parsed.error}"

    for section in definition.sections:
        check(section.fields, node, "", "")
    return problems


def missing_fields(definition: FormDef, coding: Coding | None, node: Node) -> list[FieldDef]:
    """Questions added to the form after this submitted coding was last saved, still empty:
    the reviewer is shown which studies lack them, and nothing else is asked of them."""
    if coding is None or coding.status is not CodingStatus.submitted:
        return []
    return [item for section in definition.sections for item in section.fields
            if not item.field.retired and item.field.added_in_version > coding.form_version
            and is_empty(node.value(item.id)) and not node.rows(item.id)]


def verification_changes(definition: FormDef, extraction: Node, verification: Node) -> dict[str, str]:
    """What a verifier changed: for each input (its path on the page, "f12", "g20.<uid>.f21")
    whose value no longer agrees with the extraction's, the extraction's value as text ("" where
    it had none); and for each of the extraction's rows the verifier removed, its group's path
    and the row's uid ("g20.<uid>") with "removed". The verifier's rows are copies of the
    extraction's, so rows match by uid."""
    changes: dict[str, str] = {}

    def walk(defs: list[FieldDef], original: Node, checked: Node, prefix: str) -> None:
        for item in defs:
            if item.field.field_type is FieldType.group:
                kept = {row.uid: row for row in checked.rows(item.id)}
                for row in original.rows(item.id):
                    if row.uid not in kept:
                        changes[f"{prefix}g{item.id}.{row.uid}"] = "removed"
                for row in checked.rows(item.id):
                    before = next((old for old in original.rows(item.id) if old.uid == row.uid), Row())
                    walk(item.children, before, row, f"{prefix}g{item.id}.{row.uid}.")
                continue
            before, after = original.value(item.id), checked.value(item.id)
            if not agree(item.field, before, after):
                changes[f"{prefix}f{item.id}"] = display(item.field, before, item.options_by_id)

    for section in definition.sections:
        walk(section.fields, extraction, verification, "")
    return changes


# --- codings of a study -----------------------------------------------------------------------

def study_codings(session: Session, form_id: int, study_id: int) -> list[Coding]:
    return list(session.exec(select(Coding).where(Coding.form_id == form_id, Coding.study_id == study_id)
                             .order_by(Coding.slot)))


def my_coding(codings: list[Coding], user_id: int) -> Coding | None:
    return next((c for c in codings if c.coder_id == user_id and c.kind is not CodingKind.consensus), None)


def consensus_of(codings: list[Coding]) -> Coding | None:
    return next((c for c in codings if c.slot == CONSENSUS_SLOT), None)


def extraction_of(codings: list[Coding]) -> Coding | None:
    return next((c for c in codings if c.kind is CodingKind.extraction), None)


def _role_for(form: ExtractionForm, codings: list[Coding], user_id: int) -> tuple[int, CodingKind] | str:
    """The slot and kind this reviewer would take on the study, or why they cannot."""
    taken = {c.slot for c in codings}
    if form.dual:
        free = [slot for slot in EXTRACTION_SLOTS if slot not in taken]
        return (free[0], CodingKind.extraction) if free else "It is already coded by two reviewers."
    if 1 not in taken:
        return 1, CodingKind.extraction
    if not form.verification:
        return "It is already coded by a reviewer (this form has single extraction)."
    first = next(c for c in codings if c.slot == 1)
    if first.status is not CodingStatus.submitted:
        return "Its extraction is not submitted yet; it can be verified once it is."
    if VERIFICATION_SLOT in taken:
        return "It is already being verified by another reviewer."
    return VERIFICATION_SLOT, CodingKind.verification


@dataclass
class CodingState:
    """What the coding page shows: the form, the study, this reviewer's coding and its values."""

    form: ExtractionForm
    definition: FormDef
    study: StudyView
    codings: list[Coding]
    coding: Coding | None
    tree: Node
    problems: dict[str, str] = field(default_factory=dict)
    can_start: str | None = None  # None: may start (or has started); else why not
    verifying: Node | None = None  # the extraction a verifier checks
    missing: list[FieldDef] = field(default_factory=list)
    changed: dict[str, str] = field(default_factory=dict)  # a verifier's: input path -> the extraction's value

    @property
    def submitted(self) -> bool:
        return self.coding is not None and self.coding.status is CodingStatus.submitted

    @property
    def consensus(self) -> Coding | None:
        return consensus_of(self.codings)


def _context(session: Session, access: ReviewAccess, form_id: int, study_id: int, *, citations: bool = False):
    """The form and the study; saving needs no citations of the study's reports, the page does."""
    access.require(Role.reviewer)
    form = form_in_review(session, access.review.id, form_id)
    study = study_in_review(session, access.review, study_id, citations=citations)
    return form, study


def coding_state(session: Session, access: ReviewAccess, form_id: int, study_id: int,
                 problems: dict[str, str] | None = None) -> CodingState:
    form, study = _context(session, access, form_id, study_id, citations=True)
    definition = load_definition(session, form)
    return _state(session, access, form, definition, study, problems)


def _state(session: Session, access: ReviewAccess, form: ExtractionForm, definition: FormDef, study: StudyView,
           problems: dict[str, str] | None = None, *, known: tuple[list[Coding], Node] | None = None) -> CodingState:
    """``known``: the study's codings and this reviewer's tree as the caller just wrote them,
    so a save does not read back what it stored."""
    codings = known[0] if known else study_codings(session, form.id, study.study.id)
    mine = my_coding(codings, access.user_id)
    tree = known[1] if known else load_tree(session, mine)
    role = None if mine else _role_for(form, codings, access.user_id)
    verifying = None
    if (mine and mine.kind is CodingKind.verification) or (isinstance(role, tuple) and role[1] is CodingKind.verification):
        verifying = load_tree(session, extraction_of(codings))
        if mine is None:
            tree = verifying  # the verifier's form opens filled with the values to check
    if problems is None:
        problems = invalid_values(definition, tree) if mine and mine.status is CodingStatus.draft else {}
    changed = verification_changes(definition, verifying, tree) if verifying is not None and mine else {}
    return CodingState(form=form, definition=definition, study=study, codings=codings, coding=mine, tree=tree,
                       problems=problems, can_start=role if isinstance(role, str) else None, verifying=verifying,
                       missing=missing_fields(definition, mine, tree), changed=changed)


def _lock(session: Session, coding: Coding) -> Coding:
    return session.exec(select(Coding).where(Coding.id == coding.id).with_for_update()
                        .execution_options(populate_existing=True)).one()


def _start(session: Session, access: ReviewAccess, form: ExtractionForm, definition: FormDef,
           study: StudyView) -> tuple[Coding, list[Coding]]:
    """Take the reviewer's place on the study: a free extraction slot, or the verification.
    Returns their coding and the study's codings."""
    for _ in range(3):
        codings = study_codings(session, form.id, study.study.id)
        mine = my_coding(codings, access.user_id)
        if mine is not None:
            return mine, codings
        role = _role_for(form, codings, access.user_id)
        if isinstance(role, str):
            raise InvalidInput(f"You cannot code “{study.study.label}” on “{form.name}”: {role}")
        slot, kind = role
        coding = Coding(review_id=access.review.id, form_id=form.id, study_id=study.study.id, slot=slot, kind=kind,
                        coder_id=access.user_id, form_version=form.version)
        try:
            with session.begin_nested():
                session.add(coding)
                session.flush()
        except sa.exc.IntegrityError:
            continue  # a colleague took this slot at the same moment: look again
        if kind is CodingKind.verification:  # the verifier starts from the extraction's values, as entered
            write_tree(session, coding, load_tree(session, extraction_of(codings)), form.version, Node())
        record_event(session, actor_id=access.user_id, action="coding.start", object_type="study",
                     object_id=study.study.id, review_id=access.review.id, form_id=form.id, kind=kind.value, slot=slot)
        session.commit()
        return coding, sorted([*codings, coding], key=lambda c: c.slot)
    raise InvalidInput(f"“{study.study.label}” was being taken by colleagues as you asked; open it again.")


def save_draft(session: Session, access: ReviewAccess, form_id: int, study_id: int, raw: Node, *,
               add_row: tuple[int, str] | None = None, remove_row: str | None = None) -> CodingState:
    """Save what the reviewer has entered so far, whatever it holds: refused entries are kept as
    typed and come back with their messages. ``add_row`` is (group id, parent row uid or "");
    ``remove_row`` a row's uid."""
    form, study = _context(session, access, form_id, study_id)
    definition = load_definition(session, form)
    coding, codings = _start(session, access, form, definition, study)
    if coding.status is CodingStatus.submitted:
        raise InvalidInput("You have submitted this coding; reopen it to change it.")
    node, problems = _store(session, access, form, definition, study, coding, raw, add_row, remove_row)
    session.commit()
    return _state(session, access, form, definition, study, problems, known=(codings, node))


def _store(session: Session, access: ReviewAccess, form: ExtractionForm, definition: FormDef, study: StudyView,
           coding: Coding, raw: Node, add_row: tuple[int, str] | None, remove_row: str | None
           ) -> tuple[Node, dict[str, str]]:
    coding = _lock(session, coding)
    old = load_tree(session, coding)
    node, problems = parse_tree(definition, raw, old, {r.report.record_id for r in study.reports})
    if add_row is not None:
        _add_row(definition, node, *add_row)
    if remove_row:
        _remove_row(node, remove_row)
    changed = write_tree(session, coding, node, form.version, old, stamp=True)
    _drop_empty_groups(node)  # as a stored tree reads: a group with no rows is not there
    if changed:
        coding.form_version, coding.updated_at = form.version, utcnow()
        session.add(coding)
        record_event(session, actor_id=access.user_id, action="coding.save", object_type="study",
                     object_id=study.study.id, review_id=access.review.id, form_id=form.id, coding_id=coding.id,
                     fields=changed)
    return node, problems


def _drop_empty_groups(node: Node) -> None:
    for group_id, rows in list(node.groups.items()):
        if not rows:
            del node.groups[group_id]
        for row in rows:
            _drop_empty_groups(row)


def _add_row(definition: FormDef, node: Node, group_id: int, parent_uid: str) -> None:
    group = definition.fields_by_id.get(group_id)
    if group is None or group.field.field_type is not FieldType.group or group.field.retired:
        raise InvalidInput("That is not a repeatable group of this form.", field="add_row")
    owner = _find_row(node, parent_uid) if parent_uid else node
    if owner is None:
        raise InvalidInput("The row to add under is gone; reload the page.", field="add_row")
    owner.groups.setdefault(group_id, []).append(Row(uid=new_uid()))


def _find_row(node: Node, uid: str) -> Row | None:
    for rows in node.groups.values():
        for row in rows:
            if row.uid == uid:
                return row
            inner = _find_row(row, uid)
            if inner is not None:
                return inner
    return None


def _remove_row(node: Node, uid: str) -> None:
    for group_id, rows in node.groups.items():
        kept = [row for row in rows if row.uid != uid]
        if len(kept) != len(rows):
            node.groups[group_id] = kept
            return
        for row in rows:
            _remove_row(row, uid)


def submit(session: Session, access: ReviewAccess, form_id: int, study_id: int, raw: Node | None = None) -> CodingState:
    """Save and submit the reviewer's coding. Refused with every problem named (the draft is
    saved all the same); in single extraction the submitted values become the study's data."""
    form, study = _context(session, access, form_id, study_id)
    definition = load_definition(session, form)
    coding, codings = _start(session, access, form, definition, study)
    if coding.status is CodingStatus.submitted:
        return _state(session, access, form, definition, study, known=(codings, load_tree(session, coding)))
    if raw is not None:  # saved first; the tree as stored, each value with the version it was entered under
        node, problems = _store(session, access, form, definition, study, coding, raw, None, None)
    else:
        coding = _lock(session, coding)
        node, problems = load_tree(session, coding), {}
    problems = {**invalid_values(definition, node), **problems, **required_problems(definition, node)}
    if problems:
        session.commit()  # the draft is kept, problems and all
        raise CodingInvalid(problems)
    coding.status, coding.submitted_at, coding.form_version = CodingStatus.submitted, utcnow(), form.version
    session.add(coding)
    record_event(session, actor_id=access.user_id, action="coding.submit", object_type="study",
                 object_id=study.study.id, review_id=access.review.id, form_id=form.id, coding_id=coding.id,
                 kind=coding.kind.value)
    if not form.dual and (coding.kind is CodingKind.verification or not form.verification):
        consensus = set_consensus(session, access, form, study.study.id, node, final=True)
        if consensus not in codings:
            codings = sorted([*codings, consensus], key=lambda c: c.slot)
    session.commit()
    return _state(session, access, form, definition, study, known=(codings, node))


def reopen(session: Session, access: ReviewAccess, form_id: int, study_id: int) -> CodingState:
    """Back to a draft, to change a submitted coding, until the study's consensus is final
    (single extraction: the copy it made goes back to waiting)."""
    form, study = _context(session, access, form_id, study_id)
    codings = study_codings(session, form.id, study.study.id)
    coding = my_coding(codings, access.user_id)
    if coding is None or coding.status is not CodingStatus.submitted:
        raise InvalidInput("You have no submitted coding of this study to reopen.")
    consensus = consensus_of(codings)
    copied = not form.dual and (coding.kind is CodingKind.verification or not form.verification)
    if consensus is not None and consensus.status is CodingStatus.submitted and not copied:
        raise InvalidInput("The study's consensus is final; ask the reconciler (or a lead) to reopen it first.")
    if not form.dual and coding.kind is CodingKind.extraction and any(
            c.kind is CodingKind.verification for c in codings):
        raise InvalidInput("A colleague has started verifying this coding; ask them to finish, or a lead to reopen it.")
    coding = _lock(session, coding)
    coding.status, coding.submitted_at = CodingStatus.draft, None
    session.add(coding)
    if copied and consensus is not None:
        consensus.status = CodingStatus.draft
        session.add(consensus)
    record_event(session, actor_id=access.user_id, action="coding.reopen", object_type="study",
                 object_id=study.study.id, review_id=access.review.id, form_id=form.id, coding_id=coding.id)
    session.commit()
    return coding_state(session, access, form_id, study_id)


def set_consensus(session: Session, access: ReviewAccess, form: ExtractionForm, study_id: int, node: Node, *,
                  final: bool, resolutions: dict[str, Any] | None = None) -> Coding:
    """Write the study's consensus (slot 0) in the caller's transaction."""
    consensus = session.exec(select(Coding).where(Coding.form_id == form.id, Coding.study_id == study_id,
                                                  Coding.slot == CONSENSUS_SLOT).with_for_update()).first()
    if consensus is None:
        consensus = Coding(review_id=form.review_id, form_id=form.id, study_id=study_id, slot=CONSENSUS_SLOT,
                           kind=CodingKind.consensus, coder_id=access.user_id, form_version=form.version)
        session.add(consensus)
        session.flush()
    old = load_tree(session, consensus)
    write_tree(session, consensus, node, form.version, old)
    consensus.coder_id, consensus.updated_at, consensus.form_version = access.user_id, utcnow(), form.version
    if resolutions is not None:
        consensus.resolutions = resolutions
    consensus.status = CodingStatus.submitted if final else CodingStatus.draft
    consensus.submitted_at = utcnow() if final else None
    session.add(consensus)
    return consensus


# --- the queue ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueItem:
    study: StudyView
    mine: Coding | None
    started: int  # extractions begun
    submitted: int  # extractions submitted
    consensus: Coding | None
    next_step: str  # for this reviewer: "code", "continue", "verify", "done", "waiting", "reconcile", "full"
    lacking: list[str]  # labels of questions added since this reviewer's (or the consensus') coding


def queue(session: Session, access: ReviewAccess, form_id: int) -> list[QueueItem]:
    """Every included study on the form, with where it stands for this reviewer and the team."""
    access.require(Role.viewer)
    form = form_in_review(session, access.review.id, form_id)
    definition = load_definition(session, form)
    studies = included_studies(session, access.review, citations=False)
    by_study: dict[int, list[Coding]] = defaultdict(list)
    for coding in session.exec(select(Coding).where(Coding.form_id == form.id).order_by(Coding.slot)):
        by_study[coding.study_id].append(coding)
    late = [item for section in definition.sections for item in section.fields
            if not item.field.retired and item.field.added_in_version > 1]
    # which of the questions added later each submitted coding answers (none to look for: no query)
    filled = _filled_top_fields(session, [c.id for codings in by_study.values() for c in codings
                                          if c.status is CodingStatus.submitted], [item.id for item in late])
    reconciler = may_reconcile(access, form)
    may_code = access.role.allows(Role.reviewer)
    items = []
    for view in studies:
        codings = by_study.get(view.study.id, [])
        mine = my_coding(codings, access.user_id)
        consensus = consensus_of(codings)
        extractions = [c for c in codings if c.kind is CodingKind.extraction]
        submitted = sum(c.status is CodingStatus.submitted for c in extractions)
        looked_at = mine if mine is not None and mine.status is CodingStatus.submitted else consensus
        lacking = [item.field.label for item in late if looked_at is not None and looked_at.status is CodingStatus.submitted
                   and item.field.added_in_version > looked_at.form_version and item.id not in filled[looked_at.id]]
        items.append(QueueItem(view, mine, len(extractions), submitted, consensus,
                               _next_step(form, codings, mine, consensus, access.user_id, may_code, reconciler),
                               lacking))
    return items


def _next_step(form: ExtractionForm, codings: list[Coding], mine: Coding | None, consensus: Coding | None,
               user_id: int, may_code: bool, reconciler: bool) -> str:
    if form.dual and visibility.extractions_submitted(form, codings) and (
            consensus is None or consensus.status is CodingStatus.draft) and reconciler:
        return "reconcile"
    if mine is not None:
        return "continue" if mine.status is CodingStatus.draft else "done"
    if not may_code:
        return "waiting"
    role = _role_for(form, codings, user_id)
    if isinstance(role, str):
        return "waiting" if "not submitted yet" in role else "full"
    return "verify" if role[1] is CodingKind.verification else "code"


def may_reconcile(access: ReviewAccess, form: ExtractionForm) -> bool:
    """The form's named reconciler, or any lead when none is named (leads may always step in)."""
    return access.role is Role.lead or access.user_id == form.reconciler_id


def require_reconciler(access: ReviewAccess, form: ExtractionForm) -> None:
    if not may_reconcile(access, form):
        raise PermissionDenied(f"Only the form's reconciler or a lead reconciles “{form.name}”.")


def _filled_top_fields(session: Session, coding_ids: list[int], field_ids: list[int]) -> dict[int, set[int]]:
    """Which of ``field_ids`` (top-level questions and groups) each coding answers."""
    filled: dict[int, set[int]] = defaultdict(set)
    if not coding_ids or not field_ids:
        return filled
    for start in range(0, len(coding_ids), 500):
        chunk = coding_ids[start:start + 500]
        for coding_id, field_id in session.exec(select(CodedValue.coding_id, CodedValue.field_id).where(
                CodedValue.coding_id.in_(chunk), CodedValue.field_id.in_(field_ids), CodedValue.row_uid == "")):
            filled[coding_id].add(field_id)
        for coding_id, group_id in session.exec(select(CodedRow.coding_id, CodedRow.group_id).where(
                CodedRow.coding_id.in_(chunk), CodedRow.group_id.in_(field_ids), CodedRow.parent_uid == "")):
            filled[coding_id].add(group_id)
    return filled


def visible_coding(session: Session, access: ReviewAccess, form_id: int, study_id: int, coding_id: int) -> tuple[Coding, Node]:
    """Another member's coding, where blind extraction allows it (else as if it did not exist)."""
    access.require(Role.viewer)
    form = form_in_review(session, access.review.id, form_id)
    study = study_in_review(session, access.review, study_id)
    codings = study_codings(session, form.id, study.study.id)
    coding = next((c for c in codings if c.id == coding_id), None)
    if coding is None or not visibility.may_see(form, coding, access.user_id, codings):
        raise NotFound(f"No coding {coding_id} of this study that you may see yet: codings open once both "
                       "extractors have submitted.")
    return coding, load_tree(session, coding)
