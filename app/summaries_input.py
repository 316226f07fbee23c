"""The summaries page's query, as the lead's choices: one reader for the page, its downloads
and the API, so the same address gives the same summary everywhere."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import quote

from starlette.datastructures import QueryParams

from extraction.reports.summaries import Choices, parse_labels, parse_order
from screening.review.errors import InvalidInput


def choices_from_query(query: QueryParams) -> Choices:
    def text(name: str, default: str = "") -> str:
        value = query.get(name)
        return default if value is None else " ".join(value.split())

    form = text("form")
    if form and not form.isdigit():
        raise InvalidInput(f"“{form}” is not a form: choose one from the list.")
    return Choices(
        form_id=int(form) if form else None, field=text("field"), by=text("by", "studies") or "studies",
        unit=text("unit", "studies") or "studies", of_unit=text("of_unit"),
        opening=text("opening", "Studies from") or "Studies from", order=parse_order(query.get("order") or ""),
        labels=parse_labels(query.get("labels") or ""), number=text("number"),
        number_unit=text("number_unit", "participants") or "participants", verb=text("verb", "identified"),
        value=text("value"), preposition=text("preposition", "from") or "from", rows=text("rows"),
        columns=text("columns"), colour=text("colour"), stack=text("stack"),
        levels=[level for level in query.getlist("level") if level])


def ids_from_query(raw: str) -> list[int]:
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not all(part.isdigit() for part in parts):
        raise InvalidInput("The studies to list are given by their ids, separated by commas (ids=3,7,12).")
    return [int(part) for part in parts]


def studies_link(review_id: int, choices: Choices) -> Callable[..., str]:
    """The address of the list of some studies, on the form the summary ends up showing, with
    what they are ("DBT × UK") for its heading."""
    def link(study_ids: Sequence[int], about: str = "") -> str:
        ids = ",".join(str(study) for study in study_ids)
        caption = f"&about={quote(about[:200])}" if about else ""
        return f"/reviews/{review_id}/summaries/studies?form={choices.form_id or ''}&ids={ids}{caption}"
    return link
