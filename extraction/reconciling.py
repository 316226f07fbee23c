"""Reconciliation, field by field: two codings of a study compared (rows of repeatable groups
matched by their key fields before comparing), the reconciler's choice for each difference,
the consensus built from the agreed values and those choices, and agreement per field over
the studies both extractors coded.

``compare``, ``build_consensus`` and ``field_agreement`` are the rules, pure; the rest reads
and writes the database. A difference is named by its path: "f12" for a question, and for a
question inside a group, the group and the matched row's key: "g20[cbt].f21"."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from extraction.extracting import (
    CodingInvalid, consensus_of, load_tree, require_reconciler, set_consensus, study_codings,
)
from extraction.forms import FieldDef, FormDef, form_in_review, load_definition
from extraction.models import Coding, CodingKind, CodingStatus, ExtractionForm, FieldType
from extraction.studies import StudyView, included_studies, study_in_review
from extraction.values import Entry, Node, Row, agree, comparable, display, parse_value
from extraction.visibility import extractions_submitted
from screening.review.access import ReviewAccess
from screening.review.agreement import Agreement, agreement
from screening.review.audit import record_event
from screening.review.errors import InvalidInput
from screening.review.models import Role

CHOICES = ("first", "second", "edit", "keep", "drop")


@dataclass
class Item:
    """One question (or one unmatched row) of the two codings side by side."""

    path: str
    field: FieldDef
    where: str  # "Arms “CBT”: Sample size"
    first: Entry | None = None
    second: Entry | None = None
    agrees: bool = True
    first_row: Row | None = None  # for a row only one coding has
    second_row: Row | None = None
    match_key: Any = None  # what the two values are compared on (agreement statistics)

    @property
    def is_row(self) -> bool:
        return self.field.field.field_type is FieldType.group


def _row_key(group: FieldDef, row: Row, index: int) -> tuple[str, str]:
    """(key to match on, key as shown): the key fields' values, ignoring case and spacing; rows
    of a group without key fields (or with them empty) match by position."""
    keys = group.key_children()
    shown = [display(child.field, row.value(child.id), child.options_by_id) for child in keys]
    if not keys or not any(shown):
        return f"#{index}", f"row {index}"
    matched = "|".join(str(sorted(map(str, part)) if isinstance(part, frozenset) else part)
                       for part in (comparable(child.field, row.value(child.id)) for child in keys))
    return matched, " / ".join(part for part in shown if part)


def match_rows(group: FieldDef, first: Sequence[Row], second: Sequence[Row]) -> list[tuple[str, str, Row | None, Row | None]]:
    """Rows paired by key, in the first coding's order then the second's leftovers: (key, label,
    first's row or None, second's row or None). A key used twice in a coding is told apart by
    its occurrence ("cbt", "cbt~2")."""
    def keyed(rows: Sequence[Row]) -> list[tuple[str, str, Row]]:
        seen: dict[str, int] = {}
        out = []
        for index, row in enumerate(rows, start=1):
            key, label = _row_key(group, row, index)
            seen[key] = seen.get(key, 0) + 1
            out.append((key if seen[key] == 1 else f"{key}~{seen[key]}", label, row))
        return out

    second_by_key = {key: (label, row) for key, label, row in keyed(second)}
    pairs = []
    for key, label, row in keyed(first):
        other = second_by_key.pop(key, (None, None))[1]
        pairs.append((key, label, row, other))
    pairs.extend((key, label, None, row) for key, (label, row) in second_by_key.items())
    return pairs


def compare(definition: FormDef, first: Node, second: Node) -> list[Item]:
    """Every question of the form for the two codings, in form order; ``agrees`` False where
    their values differ. A row only one coding has is one differing item."""
    items: list[Item] = []

    def walk(defs: list[FieldDef], a: Node, b: Node, prefix: str, where: str) -> None:
        for item in defs:
            if item.field.field_type is FieldType.group:
                for key, label, row_a, row_b in match_rows(item, a.rows(item.id), b.rows(item.id)):
                    path, here = f"{prefix}g{item.id}[{key}]", f"{where}{item.field.label} “{label}”"
                    if row_a is not None and row_b is not None:
                        walk(item.children, row_a, row_b, path + ".", here + ": ")
                    else:
                        items.append(Item(path, item, here, agrees=False, first_row=row_a, second_row=row_b))
                continue
            entry_a, entry_b = a.values.get(item.id), b.values.get(item.id)
            if item.field.retired and entry_a is None and entry_b is None:
                continue
            value_a = entry_a.value if entry_a else None
            value_b = entry_b.value if entry_b else None
            items.append(Item(f"{prefix}f{item.id}", item, f"{where}{item.field.label}", entry_a, entry_b,
                              agree(item.field, value_a, value_b), match_key=prefix))

    for section in definition.sections:
        walk(section.fields, first, second, "", "")
    return items


def differences(items: Sequence[Item]) -> list[Item]:
    return [item for item in items if not item.agrees]


def build_consensus(definition: FormDef, first: Node, second: Node, resolutions: dict[str, Any]
                    ) -> tuple[Node, list[Item], dict[str, str]]:
    """The consensus: agreed values as they are (with whichever side's provenance there is),
    and for each difference the reconciler's choice. Returns it with the differences still
    unresolved and a message for each edited value that was refused."""
    unresolved: list[Item] = []
    problems: dict[str, str] = {}

    def walk(defs: list[FieldDef], a: Node, b: Node, target: Node, prefix: str, where: str) -> None:
        for item in defs:
            if item.field.field_type is FieldType.group:
                rows = []
                for key, label, row_a, row_b in match_rows(item, a.rows(item.id), b.rows(item.id)):
                    path, here = f"{prefix}g{item.id}[{key}]", f"{where}{item.field.label} “{label}”"
                    if row_a is not None and row_b is not None:
                        row = Row(uid=row_a.uid)
                        walk(item.children, row_a, row_b, row, path + ".", here + ": ")
                        rows.append(row)
                        continue
                    resolution = resolutions.get(path) or {}
                    choice = resolution.get("choice")
                    if choice == "keep":
                        rows.append(copy.deepcopy(row_a or row_b))
                    elif choice == "edit":
                        row, refused = _edited_row(item, row_a or row_b, resolution.get("values") or {}, path, here)
                        problems.update(refused)
                        if refused:
                            unresolved.append(Item(path, item, here, agrees=False, first_row=row_a, second_row=row_b))
                        else:
                            rows.append(row)
                    elif choice != "drop":
                        unresolved.append(Item(path, item, here, agrees=False, first_row=row_a, second_row=row_b))
                if rows:
                    target.groups[item.id] = rows
                continue
            entry_a, entry_b = a.values.get(item.id), b.values.get(item.id)
            path = f"{prefix}f{item.id}"
            if agree(item.field, entry_a.value if entry_a else None, entry_b.value if entry_b else None):
                chosen = entry_a if entry_a is not None and (entry_a.has_provenance or entry_b is None) else entry_b
                if chosen is not None:
                    target.values[item.id] = copy.deepcopy(chosen)
                continue
            resolution = resolutions.get(path) or {}
            choice = resolution.get("choice")
            if choice in ("first", "second"):
                chosen = entry_a if choice == "first" else entry_b
                if chosen is not None:
                    target.values[item.id] = copy.deepcopy(chosen)
            elif choice == "edit":
                parsed = parse_value(item.field, resolution.get("value"), item.options_by_id)
                if parsed.error:
                    problems[path] = f"{where}{item.field.label}: {parsed.error}"
                    unresolved.append(Item(path, item, f"{where}{item.field.label}", entry_a, entry_b, False))
                elif parsed.value is not None:
                    target.values[item.id] = Entry(parsed.value, str(resolution.get("page") or "")[:20],
                                                   str(resolution.get("quote") or "")[:5000])
            else:
                unresolved.append(Item(path, item, f"{where}{item.field.label}", entry_a, entry_b, False))

    root = Node()
    for section in definition.sections:
        walk(section.fields, first, second, root, "", "")
    return root, unresolved, problems


def _edited_row(group: FieldDef, row: Row, values: dict[str, Any], path: str, where: str
                ) -> tuple[Row, dict[str, str]]:
    """A row only one coding has, kept with the reconciler's changes: ``values`` maps the ids
    of the group's own questions (as text) to what they now hold; a question left out keeps the
    row's value, an empty one clears it. A changed value drops the provenance of the old one.
    Returns the row and a message for each refused value ("<path>.f<id>")."""
    edited, problems = copy.deepcopy(row), {}
    for child in group.children:
        if child.field.field_type is FieldType.group or child.field.retired or str(child.id) not in values:
            continue
        parsed = parse_value(child.field, values[str(child.id)], child.options_by_id)
        if parsed.error:
            problems[f"{path}.f{child.id}"] = f"{where}: {child.field.label}: {parsed.error}"
            continue
        before = edited.values.get(child.id)
        if parsed.value is None:
            edited.values.pop(child.id, None)
        elif before is None or not agree(child.field, before.value, parsed.value):
            edited.values[child.id] = Entry(parsed.value)
    return edited, problems


# --- agreement per field ---------------------------------------------------------------------

@dataclass(frozen=True)
class FieldAgreement:
    field: FieldDef
    where: str  # the field's label, under its group's
    agreement: Agreement  # kappa only for choice fields


def _label(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, frozenset):
        return "|".join(sorted(map(str, value)))
    return repr(value)


def field_agreement(definition: FormDef, pairs: Sequence[tuple[Node, Node]]) -> list[FieldAgreement]:
    """Percent agreement per question over the pairs of codings (and, inside groups, over the
    rows both codings have), with n; Cohen's kappa for choice, yes/no and country questions.
    Both leaving a question empty counts as agreeing."""
    firsts: dict[int, dict] = {}
    seconds: dict[int, dict] = {}
    for index, (first, second) in enumerate(pairs):
        for item in compare(definition, first, second):
            if item.is_row:
                continue
            key = (index, item.match_key)
            firsts.setdefault(item.field.id, {})[key] = _label(comparable(item.field.field, item.first.value if item.first else None))
            seconds.setdefault(item.field.id, {})[key] = _label(comparable(item.field.field, item.second.value if item.second else None))
    result = []
    groups = {child.id: item for item in definition.walk() for child in item.children}
    for item in definition.walk():
        if item.field.field_type is FieldType.group or item.id not in firsts:
            continue
        found = agreement(firsts[item.id], seconds[item.id])
        if not item.field.field_type.is_choice:
            found = Agreement(found.n, found.percent_agreement, None)
        where = item.field.label
        parent = groups.get(item.id)
        while parent is not None:
            where = f"{parent.field.label}: {where}"
            parent = groups.get(parent.id)
        result.append(FieldAgreement(item, where, found))
    return result


# --- the database side -----------------------------------------------------------------------

@dataclass
class Reconciliation:
    form: ExtractionForm
    definition: FormDef
    study: StudyView
    first: Coding
    second: Coding
    items: list[Item]
    consensus: Coding | None
    resolutions: dict[str, Any]
    unresolved: list[Item] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)
    may_edit: bool = False

    @property
    def differing(self) -> list[Item]:
        return differences(self.items)


def _pair(form: ExtractionForm, codings: list[Coding]) -> tuple[Coding, Coding]:
    """The two codings compared: the two extractions, or an extraction and its verification."""
    if not extractions_submitted(form, codings):
        raise InvalidInput("Reconciliation opens once both extractors have submitted their codings.")
    if form.dual:
        first, second = [c for c in codings if c.kind is CodingKind.extraction][:2]
        return first, second
    verification = next((c for c in codings if c.kind is CodingKind.verification
                         and c.status is CodingStatus.submitted), None)
    if verification is None:
        raise InvalidInput("This form has single extraction: there are no two codings to reconcile yet.")
    return next(c for c in codings if c.kind is CodingKind.extraction), verification


def reconciliation(session: Session, access: ReviewAccess, form_id: int, study_id: int,
                   problems: dict[str, str] | None = None) -> Reconciliation:
    """The two codings of a study side by side, for any member once both are submitted; the
    reconciler (or a lead) may edit the consensus."""
    access.require(Role.viewer)
    form = form_in_review(session, access.review.id, form_id)
    study = study_in_review(session, access.review, study_id)
    definition = load_definition(session, form)
    codings = study_codings(session, form.id, study.study.id)
    first, second = _pair(form, codings)
    tree_a, tree_b = load_tree(session, first), load_tree(session, second)
    consensus = consensus_of(codings)
    resolutions = dict(consensus.resolutions) if consensus is not None else {}
    _, unresolved, found_problems = build_consensus(definition, tree_a, tree_b, resolutions)
    return Reconciliation(form, definition, study, first, second, compare(definition, tree_a, tree_b), consensus,
                          resolutions, unresolved, problems if problems is not None else found_problems,
                          may_edit=access.role is Role.lead or access.user_id == form.reconciler_id)


def resolve(session: Session, access: ReviewAccess, form_id: int, study_id: int, choices: dict[str, Any], *,
            finish: bool = False) -> Reconciliation:
    """Record the reconciler's choices (path -> {"choice": first|second|edit|keep|drop, "value": ...};
    a row only one coding has takes keep, drop, or edit with "values": {question id: value}: the
    row kept with those changes) and rebuild the consensus; ``finish`` makes it final, once every difference is settled."""
    form = form_in_review(session, access.review.id, form_id)
    require_reconciler(access, form)
    state = reconciliation(session, access, form_id, study_id)
    if state.consensus is not None and state.consensus.status is CodingStatus.submitted:
        raise InvalidInput("The consensus is final; reopen it to change it.")
    known = {item.path for item in state.differing}
    resolutions = dict(state.resolutions)
    for path, resolution in choices.items():
        if path not in known:
            raise InvalidInput(f"“{path}” is not one of the differences of this study; reload the page.", field=path)
        if not isinstance(resolution, dict) or resolution.get("choice") not in CHOICES:
            raise InvalidInput(f"Choose first, second or edit for {path} (keep, drop or edit for a row).", field=path)
        if not isinstance(resolution.get("values", {}), dict):
            raise InvalidInput(f"The values for the row {path} map each question's id to its value.", field=path)
        resolutions[path] = {key: resolution[key] for key in ("choice", "value", "page", "quote", "values")
                             if key in resolution}
    tree_a, tree_b = load_tree(session, state.first), load_tree(session, state.second)
    node, unresolved, problems = build_consensus(state.definition, tree_a, tree_b, resolutions)
    if finish and (unresolved or problems):
        messages = dict(problems)
        for item in unresolved:
            messages.setdefault(item.path, f"{item.where}: choose a side or write the consensus value.")
        set_consensus(session, access, form, state.study.study.id, node, final=False, resolutions=resolutions)
        session.commit()
        raise CodingInvalid(messages)
    consensus = set_consensus(session, access, form, state.study.study.id, node, final=finish, resolutions=resolutions)
    record_event(session, actor_id=access.user_id, action="consensus.finish" if finish else "consensus.save",
                 object_type="study", object_id=state.study.study.id, review_id=access.review.id, form_id=form.id,
                 coding_id=consensus.id, choices=_as_settled(state, node, {path: resolutions[path] for path in choices}))
    session.commit()
    return reconciliation(session, access, form_id, study_id, problems)


def _as_settled(state: Reconciliation, consensus: Node, chosen: dict[str, dict]) -> dict[str, dict]:
    """For the audit log, each difference settled: its question, whose value was taken (or
    that it was edited, a row kept or dropped) and the value the consensus now holds."""
    where = {item.path: item.where for item in state.differing}
    held = {item.path: item.first.value if item.first else None
            for item in compare(state.definition, consensus, consensus)}
    return {path: {"question": where[path], "choice": resolution["choice"],
                   "value": held.get(path, resolution.get("values"))}
            for path, resolution in sorted(chosen.items())}


def reopen_consensus(session: Session, access: ReviewAccess, form_id: int, study_id: int) -> Reconciliation:
    form = form_in_review(session, access.review.id, form_id)
    require_reconciler(access, form)
    study = study_in_review(session, access.review, study_id)
    consensus = consensus_of(study_codings(session, form.id, study.study.id))
    if consensus is None or consensus.status is not CodingStatus.submitted:
        raise InvalidInput("There is no final consensus of this study to reopen.")
    consensus.status, consensus.submitted_at = CodingStatus.draft, None
    session.add(consensus)
    record_event(session, actor_id=access.user_id, action="consensus.reopen", object_type="study",
                 object_id=study.study.id, review_id=access.review.id, form_id=form.id, coding_id=consensus.id)
    session.commit()
    return reconciliation(session, access, form_id, study_id)


def agreement_by_field(session: Session, access: ReviewAccess, form_id: int) -> tuple[int, list[FieldAgreement]]:
    """Agreement per question over the studies whose two codings are both submitted (or, in
    single extraction with verification, extractor against verifier): (studies, figures)."""
    access.require(Role.viewer)
    form = form_in_review(session, access.review.id, form_id)
    definition = load_definition(session, form)
    pairs = []
    for view in included_studies(session, access.review, citations=False):
        codings = study_codings(session, form.id, view.study.id)
        try:
            first, second = _pair(form, codings)
        except InvalidInput:
            continue
        pairs.append((load_tree(session, first), load_tree(session, second)))
    return len(pairs), field_agreement(definition, pairs)

