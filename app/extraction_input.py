"""Reading the extraction pages' HTML forms into what ``extraction`` takes: a coding's tree of
values (inputs named by their path, "f12", "g20.<uid>.f21", with ".page", ".quote" and
".source" beside each), the reconciler's choices, and a form change from the builder."""

from __future__ import annotations

import re
from typing import Any

from starlette.datastructures import FormData

from extraction.forms import FieldSpec, FormChange, options_from_lines
from extraction.models import FieldType
from extraction.values import Entry, Node, Row
from screening.review.errors import InvalidInput

_VALUE = re.compile(r"^((?:g\d+\.\w+\.)*)f(\d+)(?:\.(page|quote|source))?$")
_ROW = re.compile(r"g(\d+)\.(\w+)")


def coding_from_form(form: FormData) -> Node:
    """The coding as posted: rows in the order of the ``rows`` inputs, values as typed."""
    root = Node()
    rows: dict[str, Row] = {}

    def row_at(path: str) -> Node:
        if not path:
            return root
        if path in rows:
            return rows[path]
        steps = _ROW.findall(path)
        owner = root
        walked = ""
        for group_id, uid in steps:
            walked += f"g{group_id}.{uid}."
            if walked not in rows:
                rows[walked] = Row(uid=uid)
                owner.groups.setdefault(int(group_id), []).append(rows[walked])
            owner = rows[walked]
        return owner

    for path in form.getlist("rows"):
        row_at(str(path).rstrip(".") + ".")
    for name in form.keys():
        match = _VALUE.match(name)
        if not match:
            continue
        prefix, field_id, part = match.group(1), int(match.group(2)), match.group(3)
        owner = row_at(prefix)
        entry = owner.values.setdefault(field_id, Entry(None))
        if part is None:
            values = [str(value) for value in form.getlist(name)]
            entry.value = values if len(values) != 1 else values[0]
        elif part == "source":
            source = str(form.get(name) or "")
            entry.source_record_id = int(source) if source.isdigit() else None
        else:
            setattr(entry, part, str(form.get(name) or ""))
    return root


def choices_from_form(form: FormData) -> dict[str, Any]:
    """The reconciler's choices: ``choice:<path>`` = first, second, edit, keep or drop; an edit's
    value in ``value:<path>``."""
    choices = {}
    for name in form.keys():
        if name.startswith("choice:") and form.get(name):
            path = name.removeprefix("choice:")
            choice = {"choice": str(form.get(name))}
            if choice["choice"] == "edit":
                values = [str(value) for value in form.getlist(f"value:{path}")]
                choice["value"] = values if len(values) != 1 else values[0]
                row_prefix = f"value:{path}.f"  # a row's own questions: value:<path>.f<id>
                row_values = {key.removeprefix(row_prefix): [str(value) for value in form.getlist(key)]
                              for key in form.keys() if key.startswith(row_prefix)}
                if row_values:
                    choice["values"] = {key: value if len(value) != 1 else value[0] for key, value in row_values.items()}
            choices[path] = choice
    return choices


def _int(form: FormData, name: str) -> int | None:
    value = str(form.get(name) or "").strip()
    return int(value) if value.isdigit() else None


def change_from_form(form: FormData) -> FormChange:
    """The builder's forms: each posts ``change`` and what that change needs."""
    kind = str(form.get("change", ""))
    try:
        field_type = FieldType(str(form.get("field_type") or FieldType.short_text.value))
    except ValueError:
        raise InvalidInput("Choose the field's type from the list.", field="field_type") from None
    spec = None
    if kind in ("add_field", "update_field"):
        options = options_from_lines(str(form.get("options") or "")) if field_type.has_options else []
        spec = FieldSpec.model_validate({
            "label": str(form.get("label") or "").strip() or "?", "field_type": field_type,
            "help": str(form.get("help") or ""), "required": bool(form.get("required")),
            "unit": str(form.get("unit") or ""), "is_key": bool(form.get("is_key")), "options": options})
        if not str(form.get("label") or "").strip():
            raise InvalidInput("Give the field a label: the question as reviewers should read it.", field="label")
    try:
        return FormChange.model_validate({
            "change": kind, "section_id": _int(form, "section_id"), "field_id": _int(form, "field_id"),
            "group_id": _int(form, "group_id"), "option_id": _int(form, "option_id"), "into_id": _int(form, "into_id"),
            "parent_id": _int(form, "parent_id"), "step": -1 if form.get("step") == "-1" else 1,
            "label": str(form.get("label") or ""), "field": spec, "name": str(form.get("name") or ""),
            "description": str(form.get("description") or ""), "dual": form.get("mode", "dual") == "dual",
            "verification": form.get("mode") == "verified", "reconciler_id": _int(form, "reconciler_id")})
    except ValueError as error:
        raise InvalidInput(f"That form change could not be read: {error}") from None
