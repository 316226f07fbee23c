"""HTML forms validated by the same pydantic models as the JSON API, with
messages per field for re-showing the form."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

Model = TypeVar("Model", bound=BaseModel)


def parse_form(model: type[Model], form: FormData | dict) -> tuple[Model | None, dict[str, str]]:
    values = {name: value for name, value in form.items() if not hasattr(value, "filename")}
    try:
        return model.model_validate(values), {}
    except ValidationError as error:
        return None, field_messages(error)


def field_messages(error: ValidationError) -> dict[str, str]:
    messages: dict[str, str] = {}
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else "form"
        messages.setdefault(name, _plain(problem["msg"]))
    return messages


def _plain(message: str) -> str:
    # pydantic says "Value error, must be ..." for custom validators; people need only the rule.
    return message.removeprefix("Value error, ")
