"""Lines of an export that no record can take: left out of the import and named in its report."""

from __future__ import annotations

from dataclasses import dataclass

_LINES_SHOWN = 4


@dataclass(frozen=True)
class LeftOut:
    line: int
    text: str  # the line as the file has it, shortened
    why: str  # e.g. "a tag line before the first record"

    @classmethod
    def of(cls, line: int, text: str, why: str) -> LeftOut:
        text = text.strip()
        return cls(line, text if len(text) <= 60 else text[:57] + "...", why)


def left_out_summary(left_out: list[LeftOut]) -> str:
    """``3 lines left out: line 1 (a tag line before the first record); lines 6, 9 (...)``, or ``""``.
    Short enough for a progress message; the lines themselves go to the audit log."""
    if not left_out:
        return ""
    by_why: dict[str, list[int]] = {}
    for item in left_out:
        by_why.setdefault(item.why, []).append(item.line)
    parts = []
    for why, lines in by_why.items():
        numbers = ", ".join(map(str, lines[:_LINES_SHOWN])) + (", ..." if len(lines) > _LINES_SHOWN else "")
        parts.append(f"{'line' if len(lines) == 1 else 'lines'} {numbers} ({why})")
    count = "1 line" if len(left_out) == 1 else f"{len(left_out)} lines"
    return f"{count} left out: " + "; ".join(parts)
