"""Forms the lead builds: sections, fields and options, and every change to them.

Each change is a new version of the form (``FormVersion``, with the whole form as it then
stood) and an event in the audit log. No change loses a value: values point at option ids,
so a renamed option carries its values with it; merging an option moves its values onto the
other (counted in the log); retiring an option or a field stops offering it, while the values
already coded stay visible and exported; a field added later is flagged on the studies coded
before it (``extracting.missing_fields``)."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from extraction.models import CodedRow, CodedValue, Coding, ExtractionForm, FieldOption, FieldType, FormField, FormSection, FormVersion
from screening.review.access import ReviewAccess
from screening.review.audit import record_event
from screening.review.errors import InvalidInput, NotFound
from screening.review.models import Membership, Role

MAX_GROUP_DEPTH = 2  # a group may hold one more level of groups: outcome > time point


# --- what a form is made of, as the lead describes it (pages, API and templates alike) -------

class OptionSpec(BaseModel):
    label: str = Field(min_length=1, max_length=300)
    children: list[OptionSpec] = Field(default_factory=list)  # hierarchical fields only


class FieldSpec(BaseModel):
    label: str = Field(min_length=1, max_length=300)
    field_type: FieldType
    help: str = Field(default="", max_length=5000)
    required: bool = False
    unit: str = Field(default="", max_length=60)
    is_key: bool = False
    options: list[OptionSpec] = Field(default_factory=list)
    fields: list[FieldSpec] = Field(default_factory=list)  # a group's own fields


class SectionSpec(BaseModel):
    label: str = Field(min_length=1, max_length=200)
    fields: list[FieldSpec] = Field(default_factory=list)


class FormSpec(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    dual: bool = True
    verification: bool = False
    sections: list[SectionSpec] = Field(default_factory=list)


# --- a form as loaded: the tree the other modules walk ---------------------------------------

@dataclass
class FieldDef:
    field: FormField
    options: list[FieldOption] = field(default_factory=list)  # every option, in order, tree flattened
    children: list[FieldDef] = field(default_factory=list)  # a group's fields

    @cached_property
    def id(self) -> int:  # kept: read for every value of an export
        return self.field.id

    @cached_property
    def options_by_id(self) -> dict[int, FieldOption]:
        return {option.id: option for option in self.options}

    def option_children(self, parent_id: int | None) -> list[FieldOption]:
        return [option for option in self.options if option.parent_id == parent_id]

    def key_children(self) -> list[FieldDef]:
        return [child for child in self.children if child.field.is_key]


@dataclass
class SectionDef:
    section: FormSection
    fields: list[FieldDef] = field(default_factory=list)


@dataclass
class FormDef:
    """A form as loaded. Read only: ``fields_by_id`` and each field's ``options_by_id`` are kept
    once asked for."""

    form: ExtractionForm
    sections: list[SectionDef] = field(default_factory=list)

    def walk(self) -> Iterator[FieldDef]:
        """Every field, groups before their own fields."""
        def inner(defs: list[FieldDef]) -> Iterator[FieldDef]:
            for item in defs:
                yield item
                yield from inner(item.children)
        for section in self.sections:
            yield from inner(section.fields)

    @cached_property
    def fields_by_id(self) -> dict[int, FieldDef]:
        return {item.id: item for item in self.walk()}

    def section_of(self, field_id: int) -> FormSection:
        for section in self.sections:
            if any(item.id == field_id for item in _flatten(section.fields)):
                return section.section
        raise KeyError(field_id)


def _flatten(defs: list[FieldDef]) -> Iterator[FieldDef]:
    for item in defs:
        yield item
        yield from _flatten(item.children)


# A form's questions as they stood at a version, per database: a committed version never
# changes (every change to a form is a new version), and every save, submit and page of a
# coding needs them. The rows are kept as copies belonging to no session, so no session's
# commit or rollback reaches them; read only, as every FormDef is.
_DEFINITIONS: weakref.WeakKeyDictionary[Engine, dict[tuple[int, int], list[SectionDef]]] = weakref.WeakKeyDictionary()
_KEPT_PER_DATABASE = 64


def load_definition(session: Session, form: ExtractionForm, *, cached: bool = True) -> FormDef:
    """The form's sections, fields and options as a tree. ``cached`` False reads them from the
    caller's transaction, as a change to the form does before it commits."""
    if not cached or form.id is None or session.is_modified(form):
        return build_definition(form, *_definition_rows(session, form))
    # the version as stored, not as the caller's copy of the form says: that copy may be older
    version = session.exec(select(ExtractionForm.version).where(ExtractionForm.id == form.id)).one()
    kept = _DEFINITIONS.setdefault(session.get_bind(), {})
    sections = kept.get((form.id, version))
    if sections is None:
        sections = build_definition(form, *_definition_rows(session, form, detached=True)).sections
        if len(kept) >= _KEPT_PER_DATABASE:
            kept.pop(next(iter(kept)))
        kept[(form.id, version)] = sections
    return FormDef(form, sections)


def _definition_rows(session: Session, form: ExtractionForm, *, detached: bool = False):
    queries = (select(FormSection).where(FormSection.form_id == form.id).order_by(FormSection.position, FormSection.id),
               select(FormField).where(FormField.form_id == form.id).order_by(FormField.position, FormField.id),
               select(FieldOption).join(FormField, FormField.id == FieldOption.field_id)
               .where(FormField.form_id == form.id).order_by(FieldOption.position, FieldOption.id))
    if not detached:
        return [list(session.exec(query)) for query in queries]
    connection = session.connection()
    return [[model(**row._mapping) for row in connection.execute(
        query.with_only_columns(*model.__table__.columns))]
        for model, query in zip((FormSection, FormField, FieldOption), queries)]


def build_definition(form: ExtractionForm, sections: list[FormSection], fields: list[FormField],
                     options: list[FieldOption]) -> FormDef:
    """The tree from the rows, in order (rows come sorted by position)."""
    defs = {item.id: FieldDef(item) for item in fields}
    by_field: dict[int, list[FieldOption]] = {}
    for option in options:
        by_field.setdefault(option.field_id, []).append(option)
    for item_id, item in defs.items():
        item.options = _tree_order(by_field.get(item_id, []))
    tops: dict[int, list[FieldDef]] = {section.id: [] for section in sections}
    for item in fields:
        if item.group_id is None:
            tops.setdefault(item.section_id, []).append(defs[item.id])
        else:
            defs[item.group_id].children.append(defs[item.id])
    return FormDef(form, [SectionDef(section, tops[section.id]) for section in sections])


def _tree_order(options: list[FieldOption]) -> list[FieldOption]:
    """Options depth first, each level by position, so a hierarchy reads top down."""
    children: dict[int | None, list[FieldOption]] = {}
    for option in options:
        children.setdefault(option.parent_id, []).append(option)
    ordered: list[FieldOption] = []

    def visit(parent: int | None) -> None:
        for option in children.get(parent, []):
            ordered.append(option)
            visit(option.id)
    visit(None)
    return ordered


def definition_json(definition: FormDef) -> dict[str, Any]:
    """The form as JSON: what the API returns and what each version keeps."""
    form = definition.form

    def options_json(item: FieldDef, parent: int | None) -> list[dict]:
        return [{"id": option.id, "label": option.label, "retired": option.retired,
                 "merged_into_id": option.merged_into_id, "children": options_json(item, option.id)}
                for option in item.option_children(parent)]

    def field_json(item: FieldDef) -> dict:
        data = item.field
        return {"id": data.id, "label": data.label, "field_type": data.field_type.value, "help": data.help,
                "required": data.required, "unit": data.unit, "is_key": data.is_key, "retired": data.retired,
                "added_in_version": data.added_in_version, "options": options_json(item, None),
                "fields": [field_json(child) for child in item.children]}

    return {"id": form.id, "name": form.name, "description": form.description, "version": form.version,
            "dual": form.dual, "verification": form.verification, "reconciler_id": form.reconciler_id,
            "sections": [{"id": section.section.id, "label": section.section.label,
                          "fields": [field_json(item) for item in section.fields]}
                         for section in definition.sections]}


# --- reading ---------------------------------------------------------------------------------

def forms_of_review(session: Session, review_id: int) -> list[ExtractionForm]:
    return list(session.exec(select(ExtractionForm).where(ExtractionForm.review_id == review_id)
                             .order_by(ExtractionForm.position, ExtractionForm.id)))


def form_in_review(session: Session, review_id: int, form_id: int) -> ExtractionForm:
    form = session.get(ExtractionForm, form_id)
    if form is None or form.review_id != review_id:
        raise NotFound(f"No extraction form {form_id} in this review.")
    return form


def versions(session: Session, form_id: int) -> list[FormVersion]:
    return list(session.exec(select(FormVersion).where(FormVersion.form_id == form_id)
                             .order_by(FormVersion.number.desc())))


def version_of(session: Session, form: ExtractionForm, number: int) -> FormVersion:
    found = session.exec(select(FormVersion).where(FormVersion.form_id == form.id, FormVersion.number == number)).first()
    if found is None:
        raise NotFound(f"The form “{form.name}” has no version {number}; it is at version {form.version}.")
    return found


def _field_in_review(session: Session, access: ReviewAccess, field_id: int) -> tuple[FormField, ExtractionForm]:
    item = session.get(FormField, field_id)
    form = session.get(ExtractionForm, item.form_id) if item else None
    if form is None or form.review_id != access.review.id:
        raise NotFound(f"No form field {field_id} in this review.")
    return item, form


def _option_in_review(session: Session, access: ReviewAccess, option_id: int) -> tuple[FieldOption, FormField, ExtractionForm]:
    option = session.get(FieldOption, option_id)
    if option is None:
        raise NotFound(f"No option {option_id} in this review.")
    item, form = _field_in_review(session, access, option.field_id)
    return option, item, form


# --- changing --------------------------------------------------------------------------------

def _locked(session: Session, form: ExtractionForm) -> ExtractionForm:
    """The form row, locked until the change commits, so two leads' changes get two versions."""
    return session.exec(select(ExtractionForm).where(ExtractionForm.id == form.id).with_for_update()
                        .execution_options(populate_existing=True)).one()


def _new_version(session: Session, access: ReviewAccess, form: ExtractionForm, change: str, **detail: Any) -> FormVersion:
    """Record a change: the next version with the form as it now stands, and an audit event."""
    session.flush()
    form.version += 1
    session.add(form)
    session.flush()
    version = FormVersion(form_id=form.id, number=form.version, change=change[:500],
                          definition=definition_json(load_definition(session, form, cached=False)), changed_by_id=access.user_id)
    session.add(version)
    record_event(session, actor_id=access.user_id, action="form.change", object_type="extraction_form",
                 object_id=form.id, review_id=access.review.id, version=form.version, change=change[:500], **detail)
    session.commit()
    return version


def create_form(session: Session, access: ReviewAccess, spec: FormSpec) -> ExtractionForm:
    """A new form, from the lead's own description or a template's; its version 1."""
    access.require(Role.lead)
    if spec.verification and spec.dual:
        raise InvalidInput("Verification is for single extraction: with dual extraction a reconciler compares "
                           "two codings instead. Untick one of them.", field="verification")
    for section in spec.sections:
        for item in section.fields:
            _check_spec(item, depth=0)
    position = len(forms_of_review(session, access.review.id))
    form = ExtractionForm(review_id=access.review.id, name=spec.name.strip(), description=spec.description,
                          dual=spec.dual, verification=spec.verification, position=position)
    session.add(form)
    session.flush()
    for index, section_spec in enumerate(spec.sections):
        section = FormSection(form_id=form.id, label=section_spec.label.strip(), position=index)
        session.add(section)
        session.flush()
        for field_index, item in enumerate(section_spec.fields):
            _add_field_rows(session, form.id, section.id, None, item, field_index, version=1)
    session.flush()
    session.add(FormVersion(form_id=form.id, number=1, change="Created", changed_by_id=access.user_id,
                            definition=definition_json(load_definition(session, form, cached=False))))
    record_event(session, actor_id=access.user_id, action="form.create", object_type="extraction_form",
                 object_id=form.id, review_id=access.review.id, name=form.name)
    session.commit()
    return form


def _check_spec(item: FieldSpec, depth: int, in_group: bool = False) -> None:
    where = f"“{item.label}”"
    if item.field_type is FieldType.group:
        if depth + 1 > MAX_GROUP_DEPTH:
            raise InvalidInput(f"{where}: a repeatable group can hold one more level of groups (outcome > "
                               "time point), not more.", field="field_type")
        if item.options:
            raise InvalidInput(f"{where}: a repeatable group has fields, not options.", field="options")
    elif item.fields:
        raise InvalidInput(f"{where}: only a repeatable group holds fields of its own.", field="fields")
    if item.options and not item.field_type.has_options:
        raise InvalidInput(f"{where}: a {item.field_type.value.replace('_', ' ')} field takes no options.",
                           field="options")
    if item.field_type is not FieldType.hierarchical and any(option.children for option in item.options):
        raise InvalidInput(f"{where}: only a hierarchical choice has options under options.", field="options")
    if item.is_key and not in_group:
        raise InvalidInput(f"{where}: a key field identifies a row of a repeatable group; put it inside one.",
                           field="is_key")
    if item.unit and item.field_type not in (FieldType.integer, FieldType.decimal):
        raise InvalidInput(f"{where}: only number fields have a unit.", field="unit")
    for child in item.fields:
        _check_spec(child, depth + 1, in_group=True)


def _add_field_rows(session: Session, form_id: int, section_id: int, group_id: int | None,
                    spec: FieldSpec, position: int, version: int) -> FormField:
    """The field (and a group's own fields), as part of the form's ``version``."""
    item = FormField(form_id=form_id, section_id=section_id, group_id=group_id, label=spec.label.strip(),
                     help=spec.help.strip(), field_type=spec.field_type, required=spec.required,
                     unit=spec.unit.strip(), is_key=spec.is_key, position=position, added_in_version=version)
    session.add(item)
    session.flush()
    _add_option_rows(session, item.id, None, spec.options)
    for index, child in enumerate(spec.fields):
        _add_field_rows(session, form_id, section_id, item.id, child, index, version)
    return item


def _add_option_rows(session: Session, field_id: int, parent_id: int | None, specs: list[OptionSpec],
                     start: int = 0) -> None:
    for index, spec in enumerate(specs, start=start):
        option = FieldOption(field_id=field_id, parent_id=parent_id, label=spec.label.strip(), position=index)
        session.add(option)
        session.flush()
        _add_option_rows(session, field_id, option.id, spec.children)


def _has_codings(session: Session, form_id: int) -> bool:
    return session.exec(select(Coding.id).where(Coding.form_id == form_id).limit(1)).first() is not None


def update_settings(session: Session, access: ReviewAccess, form_id: int, *, name: str, description: str,
                    dual: bool, verification: bool, reconciler_id: int | None) -> ExtractionForm:
    access.require(Role.lead)
    form = _locked(session, form_in_review(session, access.review.id, form_id))
    if not name.strip():
        raise InvalidInput("Give the form a name, e.g. “Data extraction” or “Risk of bias (RoB 2)”.", field="name")
    if verification and dual:
        raise InvalidInput("Verification is for single extraction: with dual extraction a reconciler compares "
                           "two codings instead. Untick one of them.", field="verification")
    if dual != form.dual and _has_codings(session, form.id):
        raise InvalidInput(f"Studies are already coded on “{form.name}” with {'dual' if form.dual else 'single'} "
                           "extraction; switching now would leave them half done. Start a new form instead.",
                           field="dual")
    if reconciler_id is not None and session.exec(select(Membership).where(
            Membership.review_id == access.review.id, Membership.user_id == reconciler_id,
            Membership.role.in_([Role.reviewer, Role.lead]))).first() is None:
        raise InvalidInput("The reconciler must be a reviewer or lead of this review.", field="reconciler_id")
    changes = {name_: value for name_, value in (("name", name.strip()), ("description", description.strip()),
                                                   ("dual", dual), ("verification", verification),
                                                   ("reconciler_id", reconciler_id))
               if getattr(form, name_) != value}
    if not changes:
        return form
    for name_, value in changes.items():
        setattr(form, name_, value)
    _new_version(session, access, form, "Settings: " + ", ".join(sorted(changes)), changes=changes)
    return form


def add_section(session: Session, access: ReviewAccess, form_id: int, label: str) -> FormSection:
    access.require(Role.lead)
    form = _locked(session, form_in_review(session, access.review.id, form_id))
    label = _label(label, "section")
    position = len(list(session.exec(select(FormSection.id).where(FormSection.form_id == form.id))))
    section = FormSection(form_id=form.id, label=label, position=position)
    session.add(section)
    _new_version(session, access, form, f"Added the section “{label}”")
    return section


def rename_section(session: Session, access: ReviewAccess, section_id: int, label: str) -> FormSection:
    access.require(Role.lead)
    section = session.get(FormSection, section_id)
    if section is None:
        raise NotFound(f"No section {section_id} in this review.")
    form = _locked(session, form_in_review(session, access.review.id, section.form_id))
    label, old = _label(label, "section"), section.label
    if label == old:
        return section
    section.label = label
    session.add(section)
    _new_version(session, access, form, f"Renamed the section “{old}” to “{label}”")
    return section


def _section_in_review(session: Session, access: ReviewAccess, section_id: int) -> tuple[FormSection, ExtractionForm]:
    section = session.get(FormSection, section_id)
    form = session.get(ExtractionForm, section.form_id) if section else None
    if form is None or form.review_id != access.review.id:
        raise NotFound(f"No section {section_id} in this review.")
    return section, form


def move_section(session: Session, access: ReviewAccess, section_id: int, step: int) -> FormSection:
    """Move a section up (-1) or down (+1) among the form's sections; its fields go with it."""
    access.require(Role.lead)
    section, form = _section_in_review(session, access, section_id)
    form = _locked(session, form)
    siblings = list(session.exec(select(FormSection).where(FormSection.form_id == form.id)
                                 .order_by(FormSection.position, FormSection.id)))
    if not _swap(siblings, section, step):
        return section
    session.add_all(siblings)
    _new_version(session, access, form, f"Moved the section “{section.label}” {'up' if step < 0 else 'down'}")
    return section


def remove_section(session: Session, access: ReviewAccess, section_id: int) -> FormSection | None:
    """Take a section off the form without losing a value. A section none of whose fields was
    ever answered goes, fields and all (the earlier versions keep it); one whose fields hold
    values stays where the values can be seen, its fields retired: reviewers are no longer
    asked them, and the values stay visible and exported. Returns the section if it stays."""
    access.require(Role.lead)
    section, form = _section_in_review(session, access, section_id)
    form = _locked(session, form)
    fields = list(session.exec(select(FormField).where(FormField.section_id == section.id)))
    ids = [item.id for item in fields]
    kept = _values_count(session, ids) if ids else 0
    rows = session.exec(select(sa.func.count()).select_from(CodedRow).where(CodedRow.group_id.in_(ids))).one() \
        if ids else 0
    if not kept and not rows:
        if ids:  # one statement each: options point at options, a group's fields at their group
            for item in fields:
                session.expunge(item)
            connection = session.connection()
            connection.execute(sa.delete(FieldOption.__table__).where(FieldOption.__table__.c.field_id.in_(ids)))
            connection.execute(sa.delete(FormField.__table__).where(FormField.__table__.c.id.in_(ids)))
        session.delete(section)
        _new_version(session, access, form, f"Removed the section “{section.label}”"
                     + (f" and its {len(fields)} unanswered field{'s' if len(fields) != 1 else ''}" if fields else ""),
                     section_id=section_id)
        return None
    retiring = [item for item in fields if not item.retired]
    for item in retiring:
        item.retired = True
        session.add(item)
    _new_version(session, access, form, f"Removed the section “{section.label}”: its {len(retiring)} field"
                 f"{'s' if len(retiring) != 1 else ''} retired, {kept} value{'s' if kept != 1 else ''} kept",
                 section_id=section_id, fields=[item.id for item in retiring])
    return section


def _label(label: str, what: str) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise InvalidInput(f"Give the {what} a label.", field="label")
    if len(label) > 300:
        raise InvalidInput(f"The {what}'s label is {len(label)} characters; keep it to 300.", field="label")
    return label


def add_field(session: Session, access: ReviewAccess, form_id: int, section_id: int, spec: FieldSpec,
              group_id: int | None = None) -> FormField:
    """A new field, at the end of its section or group. Studies coded before it are flagged as
    lacking it; nobody's earlier work changes."""
    access.require(Role.lead)
    form = _locked(session, form_in_review(session, access.review.id, form_id))
    section = session.get(FormSection, section_id)
    if section is None or section.form_id != form.id:
        raise InvalidInput(f"No section {section_id} in the form “{form.name}”.", field="section_id")
    depth = 0
    if group_id is not None:
        group = session.get(FormField, group_id)
        if group is None or group.form_id != form.id or group.field_type is not FieldType.group:
            raise InvalidInput(f"Field {group_id} is not a repeatable group of “{form.name}”.", field="group_id")
        section_id = group.section_id
        depth = 2 if group.group_id is not None else 1
    _check_spec(spec, depth=depth, in_group=group_id is not None)
    siblings = session.exec(select(FormField.id).where(FormField.form_id == form.id, FormField.section_id == section_id,
                                                       FormField.group_id == group_id if group_id else FormField.group_id.is_(None)))
    item = _add_field_rows(session, form.id, section_id, group_id, spec, len(list(siblings)), form.version + 1)
    _new_version(session, access, form, f"Added the field “{item.label}”", field_id=item.id)
    return item


def update_field(session: Session, access: ReviewAccess, field_id: int, *, label: str, help: str, required: bool,
                 unit: str, is_key: bool) -> FormField:
    access.require(Role.lead)
    item, form = _field_in_review(session, access, field_id)
    form = _locked(session, form)
    label = _label(label, "field")
    spec = FieldSpec(label=label, field_type=item.field_type, help=help, required=required, unit=unit, is_key=is_key)
    _check_spec(spec, depth=0, in_group=item.group_id is not None)
    changes = {name: value for name, value in (("label", label), ("help", help.strip()), ("required", required),
                                               ("unit", unit.strip()), ("is_key", is_key))
               if getattr(item, name) != value}
    if not changes:
        return item
    old = item.label
    for name, value in changes.items():
        setattr(item, name, value)
    session.add(item)
    what = f"Renamed the field “{old}” to “{label}”" if "label" in changes else f"Changed the field “{label}”"
    _new_version(session, access, form, what, field_id=item.id, changes=sorted(changes))
    return item


def set_field_retired(session: Session, access: ReviewAccess, field_id: int, retired: bool) -> FormField:
    """Retire a field (offered no more; values kept, shown and exported) or bring it back."""
    access.require(Role.lead)
    item, form = _field_in_review(session, access, field_id)
    form = _locked(session, form)
    if item.retired == retired:
        return item
    item.retired = retired
    session.add(item)
    kept = _values_count(session, [item.id])
    verb = "Retired" if retired else "Restored"
    _new_version(session, access, form, f"{verb} the field “{item.label}” ({kept} values kept)", field_id=item.id,
                 values_kept=kept)
    return item


def move_field(session: Session, access: ReviewAccess, field_id: int, step: int) -> FormField:
    """Move a field up (-1) or down (+1) among its section's or group's fields."""
    access.require(Role.lead)
    item, form = _field_in_review(session, access, field_id)
    form = _locked(session, form)
    siblings = list(session.exec(select(FormField).where(
        FormField.form_id == form.id, FormField.section_id == item.section_id,
        FormField.group_id == item.group_id if item.group_id else FormField.group_id.is_(None))
        .order_by(FormField.position, FormField.id)))
    if not _swap(siblings, item, step):
        return item
    session.add_all(siblings)
    _new_version(session, access, form, f"Moved the field “{item.label}” {'up' if step < 0 else 'down'}")
    return item


def _swap(siblings: list, item, step: int) -> bool:
    index = next(i for i, sibling in enumerate(siblings) if sibling.id == item.id)
    other = index + step
    if not 0 <= other < len(siblings):
        return False
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    return True


def add_option(session: Session, access: ReviewAccess, field_id: int, label: str,
               parent_id: int | None = None) -> FieldOption:
    access.require(Role.lead)
    item, form = _field_in_review(session, access, field_id)
    form = _locked(session, form)
    if not item.field_type.has_options:
        raise InvalidInput(f"“{item.label}” is a {item.field_type.value.replace('_', ' ')} field; it takes no options.",
                           field="label")
    label = _label(label, "option")
    if parent_id is not None:
        parent = session.get(FieldOption, parent_id)
        if parent is None or parent.field_id != item.id or item.field_type is not FieldType.hierarchical:
            raise InvalidInput("Options go under options only in a hierarchical choice, under one of its own.",
                               field="parent_id")
    siblings = list(session.exec(select(FieldOption).where(
        FieldOption.field_id == item.id,
        FieldOption.parent_id == parent_id if parent_id else FieldOption.parent_id.is_(None))))
    if any(sibling.label.casefold() == label.casefold() and not sibling.retired for sibling in siblings):
        raise InvalidInput(f"“{item.label}” already has the option “{label}”.", field="label")
    option = FieldOption(field_id=item.id, parent_id=parent_id, label=label, position=len(siblings))
    session.add(option)
    _new_version(session, access, form, f"Added the option “{label}” to “{item.label}”", field_id=item.id)
    return option


def rename_option(session: Session, access: ReviewAccess, option_id: int, label: str) -> FieldOption:
    """Values hold the option's id, so every value coded with it now reads the new label."""
    access.require(Role.lead)
    option, item, form = _option_in_review(session, access, option_id)
    form = _locked(session, form)
    label, old = _label(label, "option"), option.label
    if label == old:
        return option
    option.label = label
    session.add(option)
    carried = _values_with_options(session, item.id, {option.id})
    _new_version(session, access, form, f"Renamed the option “{old}” of “{item.label}” to “{label}” "
                                        f"({len(carried)} values carried)", option_id=option.id,
                 values_carried=len(carried))
    return option


def move_option(session: Session, access: ReviewAccess, option_id: int, step: int) -> FieldOption:
    access.require(Role.lead)
    option, item, form = _option_in_review(session, access, option_id)
    form = _locked(session, form)
    siblings = list(session.exec(select(FieldOption).where(
        FieldOption.field_id == item.id,
        FieldOption.parent_id == option.parent_id if option.parent_id else FieldOption.parent_id.is_(None))
        .order_by(FieldOption.position, FieldOption.id)))
    if not _swap(siblings, option, step):
        return option
    session.add_all(siblings)
    _new_version(session, access, form, f"Moved the option “{option.label}” {'up' if step < 0 else 'down'}")
    return option


def _descendants(session: Session, option: FieldOption) -> list[FieldOption]:
    found, frontier = [], [option.id]
    while frontier:
        children = list(session.exec(select(FieldOption).where(FieldOption.parent_id.in_(frontier))))
        found.extend(children)
        frontier = [child.id for child in children]
    return found


def set_option_retired(session: Session, access: ReviewAccess, option_id: int, retired: bool) -> FieldOption:
    """Retire an option (and the options under it): offered no more, its values kept."""
    access.require(Role.lead)
    option, item, form = _option_in_review(session, access, option_id)
    form = _locked(session, form)
    if option.retired == retired or option.merged_into_id is not None:
        return option
    affected = [option, *_descendants(session, option)] if retired else [option]
    for each in affected:
        each.retired = retired
    session.add_all(affected)
    kept = len(_values_with_options(session, item.id, {each.id for each in affected}))
    verb = "Retired" if retired else "Restored"
    _new_version(session, access, form, f"{verb} the option “{option.label}” of “{item.label}” ({kept} values kept)",
                 option_id=option.id, values_kept=kept)
    return option


def merge_option(session: Session, access: ReviewAccess, option_id: int, into_id: int) -> FieldOption:
    """Merge one option into another of the same field: every value coded with it (drafts,
    submitted codings and consensus alike) now holds the other, and the merged option is
    retired, pointing at where its values went."""
    access.require(Role.lead)
    option, item, form = _option_in_review(session, access, option_id)
    into = session.get(FieldOption, into_id)
    if into is None or into.field_id != item.id or into.id == option.id:
        raise InvalidInput(f"Merge “{option.label}” into another option of “{item.label}”.", field="into_id")
    if into.retired:
        raise InvalidInput(f"“{into.label}” is retired; restore it first, or merge into an option still offered.",
                           field="into_id")
    if into.id in {each.id for each in _descendants(session, option)}:
        raise InvalidInput(f"“{into.label}” sits under “{option.label}”; merge the other way round.", field="into_id")
    form = _locked(session, form)
    migrated = 0
    for value in _values_with_options(session, item.id, {option.id}):
        value.value = _replace_option(value.value, option.id, into.id)
        session.add(value)
        migrated += 1
    for child in session.exec(select(FieldOption).where(FieldOption.parent_id == option.id)):
        child.parent_id = into.id  # a merged category's types live on under the category kept
        session.add(child)
    option.merged_into_id, option.retired = into.id, True
    session.add(option)
    _new_version(session, access, form, f"Merged the option “{option.label}” of “{item.label}” into “{into.label}” "
                                        f"({migrated} values moved)", option_id=option.id, into_id=into.id,
                 values_moved=migrated)
    return into


def _replace_option(value: Any, old: int, new: int) -> Any:
    if isinstance(value, list):
        replaced = []
        for item in value:
            item = new if item == old else item
            if item not in replaced:
                replaced.append(item)
        return replaced
    return new if value == old else value


def _values_with_options(session: Session, field_id: int, option_ids: set[int]) -> list[CodedValue]:
    found = []
    for value in session.exec(select(CodedValue).where(CodedValue.field_id == field_id)):
        held = set(value.value) if isinstance(value.value, list) else {value.value}
        if held & option_ids:
            found.append(value)
    return found


def _values_count(session: Session, field_ids: list[int]) -> int:
    return len(list(session.exec(select(CodedValue.id).where(CodedValue.field_id.in_(field_ids)))))



# --- a change as data: what the builder page and the API send -------------------------------

class FormChange(BaseModel):
    """One change to a form. ``change`` names it; the other fields are what it needs:
    settings (name, description, dual, verification, reconciler_id); add_section (label);
    rename_section (section_id, label); move_section (section_id, step); remove_section
    (section_id: gone if none of its fields was answered, else its fields retired); add_field (section_id, field, group_id); update_field
    (field_id, field); retire_field / restore_field (field_id); move_field (field_id, step);
    add_option (field_id, label, parent_id); rename_option (option_id, label); move_option
    (option_id, step); merge_option (option_id, into_id); retire_option / restore_option (option_id)."""

    change: Literal["settings", "add_section", "rename_section", "move_section", "remove_section", "add_field",
                    "update_field", "retire_field", "restore_field", "move_field", "add_option", "rename_option",
                    "move_option", "merge_option", "retire_option", "restore_option"]
    section_id: int | None = None
    field_id: int | None = None
    group_id: int | None = None
    option_id: int | None = None
    into_id: int | None = None
    parent_id: int | None = None
    step: Literal[-1, 1] = 1
    label: str = Field(default="", max_length=300)
    field: FieldSpec | None = None
    name: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=5000)
    dual: bool = True
    verification: bool = False
    reconciler_id: int | None = None


def _needs(value: int | None, what: str) -> int:
    if value is None:
        raise InvalidInput(f"This change needs {what}.", field=what)
    return value


def apply_change(session: Session, access: ReviewAccess, form_id: int, change: FormChange) -> ExtractionForm:
    """Make one change to a form (each its own version, each logged); the form afterwards."""
    form = form_in_review(session, access.review.id, form_id)
    kind = change.change
    if kind == "settings":
        update_settings(session, access, form.id, name=change.name, description=change.description, dual=change.dual,
                        verification=change.verification, reconciler_id=change.reconciler_id)
    elif kind == "add_section":
        add_section(session, access, form.id, change.label)
    elif kind == "rename_section":
        rename_section(session, access, _needs(change.section_id, "section_id"), change.label)
    elif kind == "move_section":
        move_section(session, access, _needs(change.section_id, "section_id"), change.step)
    elif kind == "remove_section":
        remove_section(session, access, _needs(change.section_id, "section_id"))
    elif kind == "add_field":
        if change.field is None:
            raise InvalidInput("Describe the field to add: its label and type.", field="field")
        add_field(session, access, form.id, _needs(change.section_id, "section_id"), change.field, change.group_id)
    elif kind == "update_field":
        if change.field is None:
            raise InvalidInput("Send the field's new label, help, required, unit and key.", field="field")
        spec = change.field
        update_field(session, access, _needs(change.field_id, "field_id"), label=spec.label, help=spec.help,
                     required=spec.required, unit=spec.unit, is_key=spec.is_key)
    elif kind in ("retire_field", "restore_field"):
        set_field_retired(session, access, _needs(change.field_id, "field_id"), kind == "retire_field")
    elif kind == "move_field":
        move_field(session, access, _needs(change.field_id, "field_id"), change.step)
    elif kind == "add_option":
        add_option(session, access, _needs(change.field_id, "field_id"), change.label, change.parent_id)
    elif kind == "rename_option":
        rename_option(session, access, _needs(change.option_id, "option_id"), change.label)
    elif kind == "move_option":
        move_option(session, access, _needs(change.option_id, "option_id"), change.step)
    elif kind == "merge_option":
        merge_option(session, access, _needs(change.option_id, "option_id"), _needs(change.into_id, "into_id"))
    else:
        set_option_retired(session, access, _needs(change.option_id, "option_id"), kind == "retire_option")
    session.refresh(form)
    return form


def options_from_lines(text: str) -> list[OptionSpec]:
    """Options typed one a line; in a hierarchical choice "Category > Type" puts a type under
    its category (the category made once, first time it appears)."""
    top: list[OptionSpec] = []
    for line in text.splitlines():
        parts = [part.strip() for part in line.split(">") if part.strip()]
        level = top
        for part in parts:
            found = next((option for option in level if option.label.casefold() == part.casefold()), None)
            if found is None:
                found = OptionSpec(label=part)
                level.append(found)
            level = found.children
    return top
