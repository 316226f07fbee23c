"""Look up a named model component, refusing unknown names with the valid ones listed.

The model choice is stored as plain data (names and parameters), so a typo in a
stored choice must fail loudly and say what would have worked."""

from collections.abc import Mapping
from typing import TypeVar

from screening.review.errors import InvalidInput

T = TypeVar("T")


class UnknownComponent(InvalidInput):
    """A model component name that Winnow does not know."""


def lookup(kind: str, name: str, options: Mapping[str, T]) -> T:
    try:
        return options[name]
    except KeyError:
        valid = ", ".join(sorted(options))
        raise UnknownComponent(
            f"Unknown {kind} {name!r}; valid {kind} names are: {valid}.", field=kind
        ) from None


