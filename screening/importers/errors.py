"""The one error every importer raises for a file it cannot read."""

from __future__ import annotations

from screening.review.errors import InvalidInput


class ImportFormatError(InvalidInput):
    """A file Winnow cannot import. The message names the file, the line when
    one is to blame, what was wrong and how to fix it."""

    def __init__(self, filename: str, line: int | None, problem: str):
        where = f"{filename}, line {line}" if line is not None else filename
        super().__init__(f"{where}: {problem}", field="file")
        self.filename = filename
        self.line = line
        self.problem = problem
