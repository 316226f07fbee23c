"""Blind extraction: who may see a coding's values, as pure rules.

The same rule as blind screening: nothing of a colleague's values before both have
submitted. A coder always sees their own coding. In dual extraction the two codings of a
study open to every member (the lead included) only once both are submitted; in single
extraction the extraction opens once submitted (its verifier starts from it). The consensus
is the study's data, open to every member once it exists."""

from __future__ import annotations

from collections.abc import Sequence

from extraction.models import Coding, CodingKind, CodingStatus, ExtractionForm


def extractions_submitted(form: ExtractionForm, codings: Sequence[Coding]) -> bool:
    """Every extraction the study needs on this form is submitted."""
    needed = 2 if form.dual else 1
    submitted = [c for c in codings if c.kind is CodingKind.extraction and c.status is CodingStatus.submitted]
    return len(submitted) >= needed


def may_see(form: ExtractionForm, coding: Coding, member_id: int | None, study_codings: Sequence[Coding]) -> bool:
    """Whether a member may see ``coding``'s values (``member_id`` None: a member who coded
    nothing); ``study_codings`` are all the study's codings on this form."""
    if coding.coder_id == member_id and coding.kind is not CodingKind.consensus:
        return True
    if coding.kind is CodingKind.consensus:
        return True
    if coding.kind is CodingKind.verification:
        return coding.status is CodingStatus.submitted
    return extractions_submitted(form, study_codings)


def open_to_everyone(form: ExtractionForm, coding: Coding, study_codings: Sequence[Coding]) -> bool:
    """What any member may see, whoever they are: what downloads and the data API include."""
    return may_see(form, coding, member_id=None, study_codings=study_codings)
