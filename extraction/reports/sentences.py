"""Summary sentences written from the counts, in the style reviews publish them:

    18 studies of 19 interventions: DBT (n = 3); CBT (n = 3); Stepped Care (n = 3); ...
    Studies from UK, Netherlands, Australia, and Norway.
    47 papers identified including 1,531 service users. 28 papers from UK.

A sentence is a list of parts; a part that states a number (or names a value) keeps the ids of
the studies behind it, so a page can link it to them. The lead chooses the words (the unit,
the opening, the labels); the order is the counts' own (most first, ties as the lead set).
"""

from __future__ import annotations

from dataclasses import dataclass

from extraction.reports.typology import Counts, NumberSummary, ValueCount

WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
SINGULAR = {"studies": "study", "papers": "paper", "interventions": "intervention", "people": "person",
            "service users": "service user", "participants": "participant", "countries": "country"}


@dataclass(frozen=True)
class Part:
    text: str
    study_ids: tuple[int, ...] | None = None  # set on a number or value: the studies it counts


@dataclass(frozen=True)
class Sentence:
    parts: tuple[Part, ...]

    @property
    def text(self) -> str:
        return "".join(part.text for part in self.parts)

    def __str__(self) -> str:
        return self.text

    def json(self) -> dict:
        return {"text": self.text, "parts": [{"text": part.text, "study_ids": list(part.study_ids)}
                                              if part.study_ids is not None else {"text": part.text}
                                              for part in self.parts]}


def number_text(value: float) -> str:
    """1531 as "1,531"; a fraction to one decimal place at most."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}".rstrip("0").rstrip(".")


def unit_for(n: float, plural: str) -> str:
    """The unit word for a number: "1 study", "2 studies"."""
    if n != 1:
        return plural
    if plural in SINGULAR:
        return SINGULAR[plural]
    return plural[:-1] if plural.endswith("s") and not plural.endswith("ss") else plural


def _joined(parts: list[list[Part]], separator: str = "; ") -> list[Part]:
    out: list[Part] = []
    for index, each in enumerate(parts):
        if index:
            out.append(Part(separator))
        out.extend(each)
    return out


def _serial(items: list[list[Part]], conjunction: str = "and") -> list[Part]:
    """"A", "A and B", "A, B, and C": the serial comma before the last."""
    if len(items) <= 2:
        return _joined(items, f" {conjunction} ")
    return _joined(items[:-1], ", ") + [Part(f", {conjunction} ")] + items[-1]


def _value_n(value: ValueCount, by: str) -> int:
    return value.occurrences if by == "occurrences" else value.n


def values_sentence(counts: Counts, *, unit: str = "studies", of_unit: str = "", limit: int | None = None) -> Sentence:
    """"18 studies of 19 interventions: DBT (n = 3); CBT (n = 3); ...", each value's n counted as
    the counts were ranked (studies, or occurrences such as interventions); ``of_unit`` empty
    leaves out "of 19 ...". ``limit`` keeps the first values and ends with "; ..."."""
    parts = [Part(number_text(counts.n), counts.study_ids), Part(f" {unit_for(counts.n, unit)}")]
    if of_unit:
        parts += [Part(" of "), Part(number_text(counts.occurrences), counts.study_ids),
                  Part(f" {unit_for(counts.occurrences, of_unit)}")]
    shown = counts.values if limit is None else counts.values[:limit]
    items = [[Part(f"{value.label} (n = "), Part(number_text(_value_n(value, counts.by)), value.study_ids), Part(")")]
             for value in shown if _value_n(value, counts.by)]
    if not items:
        return Sentence(tuple(parts + [Part(".")]))
    ending = "; ..." if limit is not None and len(counts.values) > limit else "."
    return Sentence(tuple(parts + [Part(": ")] + _joined(items) + [Part(ending)]))


def list_sentence(counts: Counts, *, opening: str = "Studies from", conjunction: str = "and") -> Sentence:
    """"Studies from UK, Netherlands, Australia, and Norway.": the values most first, each
    linked to its studies."""
    items = [[Part(value.label, value.study_ids)] for value in counts.values if value.n]
    if not items:
        return Sentence((Part(f"{opening} none."),))
    return Sentence(tuple([Part(f"{opening} ")] + _serial(items, conjunction) + [Part(".")]))


def base_sentence(counts: Counts, *, unit: str = "studies", of_unit: str = "interventions",
                  verb: str = "tested") -> Sentence:
    """"18 studies; 19 interventions, as one study tested two." The clause after the comma
    says where the difference comes from, and is left out when there is none."""
    parts = [Part(number_text(counts.n), counts.study_ids), Part(f" {unit_for(counts.n, unit)}; "),
             Part(number_text(counts.occurrences), counts.study_ids),
             Part(f" {unit_for(counts.occurrences, of_unit)}")]
    several = counts.several
    if several:
        by_number: dict[int, list[int]] = {}
        for study_id, number in sorted(several.items()):
            by_number.setdefault(number, []).append(study_id)
        clauses = []
        for index, (number, studies) in enumerate(sorted(by_number.items())):
            who = _word(len(studies)) + (f" {unit_for(len(studies), unit)}" if index == 0 else "")
            clauses.append([Part(who, tuple(studies)), Part(f" {verb} {_word(number)}" if index == 0 else f" {_word(number)}")])
        parts += [Part(", as ")] + _serial(clauses)
    return Sentence(tuple(parts + [Part(".")]))


def _word(number: int) -> str:
    return WORDS[number] if 0 <= number < len(WORDS) else number_text(number)


def total_sentence(counts: Counts | None, total: NumberSummary | None, *, unit: str = "papers",
                   verb: str = "identified", number_unit: str = "participants", study_ids: tuple[int, ...] = ()) -> Sentence:
    """"47 papers identified including 1,531 service users.": the studies of the form (or of
    ``counts``), and the sum of a number field over them."""
    ids = counts.study_ids if counts is not None else study_ids
    parts = [Part(number_text(len(ids)), ids), Part(f" {unit_for(len(ids), unit)} {verb}" if verb else
                                                    f" {unit_for(len(ids), unit)}")]
    if total is not None:
        parts += [Part(" including "), Part(number_text(total.total), total.study_ids),
                  Part(f" {unit_for(total.total, number_unit)}")]
    return Sentence(tuple(parts + [Part(".")]))


def value_count_sentence(value: ValueCount, *, unit: str = "papers", preposition: str = "from") -> Sentence:
    """"28 papers from UK."."""
    return Sentence((Part(number_text(value.n), value.study_ids), Part(f" {unit_for(value.n, unit)} {preposition} "),
                     Part(value.label, value.study_ids), Part(".")))


def paragraph(*sentences: Sentence) -> Sentence:
    """Sentences one after the other, a space between."""
    parts: list[Part] = []
    for index, sentence in enumerate(sentences):
        if index:
            parts.append(Part(" "))
        parts.extend(sentence.parts)
    return Sentence(tuple(parts))
