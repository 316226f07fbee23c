"""Extraction's tables: studies and their reports, forms (sections, fields, options and the
versions they went through), and codings: one reviewer's values for one study on one form.

A value is a row of ``coded_value``, not a cell of a JSON document, so that reports can count
studies per option with a query, and so that each value carries its own provenance (report,
page, quote) and the form version it was entered under. Choice values hold option ids, never
labels: renaming an option needs no migration, and merging one rewrites the ids (logged).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from screening.review.models import enum_column, utcnow


class Study(SQLModel, table=True):
    """What extraction codes and PRISMA counts as "studies included": one or more reports."""

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    label: str = Field(max_length=200)  # "Linehan 2006", from its first report; the lead may rename it
    created_at: datetime = Field(default_factory=utcnow)


class StudyReport(SQLModel, table=True):
    """A record included at full text, as one report of a study (PRISMA's "reports of included
    studies"). A record is a report of exactly one study."""

    __tablename__ = "study_report"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    record_id: int = Field(foreign_key="record.id", sa_column_kwargs={"unique": True})
    linked_at: datetime = Field(default_factory=utcnow)


class FieldType(str, enum.Enum):
    short_text = "short_text"
    long_text = "long_text"
    integer = "integer"
    decimal = "decimal"
    yes_no = "yes_no"
    date = "date"  # a year, a year and month, or a full date
    single_choice = "single_choice"
    multiple_choice = "multiple_choice"
    hierarchical = "hierarchical"  # options under options, any depth; several may be chosen
    country = "country"  # ISO 3166-1 alpha-2 codes; several may be chosen
    group = "group"  # a repeatable group: one row per arm, outcome, time point or theme

    @property
    def has_options(self) -> bool:
        return self in (FieldType.single_choice, FieldType.multiple_choice, FieldType.hierarchical)

    @property
    def is_choice(self) -> bool:
        """Fields whose agreement is also reported as Cohen's kappa."""
        return self.has_options or self in (FieldType.yes_no, FieldType.country)


class ExtractionForm(SQLModel, table=True):
    """A form the lead builds: a data form, an appraisal form. ``version`` counts its changes."""

    __tablename__ = "extraction_form"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_type=sa.Text)
    dual: bool = True  # two extractors, blind, then a reconciler; else one extractor
    verification: bool = False  # single extraction only: a second reviewer confirms or corrects
    reconciler_id: int | None = Field(default=None, foreign_key="user.id")  # None: any lead
    version: int = 1
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class FormSection(SQLModel, table=True):
    __tablename__ = "form_section"

    id: int | None = Field(default=None, primary_key=True)
    form_id: int = Field(foreign_key="extraction_form.id", index=True)
    label: str = Field(max_length=200)
    position: int = 0


class FormField(SQLModel, table=True):
    """A question of a form. Inside a repeatable group, ``group_id`` is the group's field; a
    group may hold one more level of groups (outcome > time point)."""

    __tablename__ = "form_field"

    id: int | None = Field(default=None, primary_key=True)
    form_id: int = Field(foreign_key="extraction_form.id", index=True)
    section_id: int = Field(foreign_key="form_section.id")
    group_id: int | None = Field(default=None, foreign_key="form_field.id")
    label: str = Field(max_length=300)
    help: str = Field(default="", sa_type=sa.Text)
    field_type: FieldType = Field(sa_type=enum_column(FieldType))
    required: bool = False
    unit: str = Field(default="", max_length=60)  # decimal and integer fields: "GBP", "participants"
    is_key: bool = False  # in a group: identifies a row when two codings are compared
    position: int = 0
    retired: bool = False  # offered no more; its values stay visible and exported
    added_in_version: int = 1


class FieldOption(SQLModel, table=True):
    """A choice of a choice field; under ``parent_id`` in a hierarchical one."""

    __tablename__ = "field_option"

    id: int | None = Field(default=None, primary_key=True)
    field_id: int = Field(foreign_key="form_field.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="field_option.id")
    label: str = Field(max_length=300)
    position: int = 0
    retired: bool = False
    merged_into_id: int | None = Field(default=None, foreign_key="field_option.id")


class FormVersion(SQLModel, table=True):
    """One change to a form, with the whole form as it stood after it (``definition``)."""

    __tablename__ = "form_version"
    __table_args__ = (sa.UniqueConstraint("form_id", "number", name="uq_form_version_number"),)

    id: int | None = Field(default=None, primary_key=True)
    form_id: int = Field(foreign_key="extraction_form.id", index=True)
    number: int
    change: str = Field(max_length=500)
    definition: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    changed_by_id: int | None = Field(default=None, foreign_key="user.id")
    changed_at: datetime = Field(default_factory=utcnow)


class CodingKind(str, enum.Enum):
    extraction = "extraction"
    verification = "verification"  # pre-filled with the extraction, confirmed or corrected
    consensus = "consensus"  # what the study's data are: reconciled, verified, or the single extraction


class CodingStatus(str, enum.Enum):
    draft = "draft"
    submitted = "submitted"


# Slots of a study on a form: at most one coding in each, so two reviewers starting the same
# study at the same moment cannot both become its second extractor.
CONSENSUS_SLOT = 0


class Coding(SQLModel, table=True):
    """One reviewer's coding of one study on one form, or the study's consensus (slot 0)."""

    __table_args__ = (
        sa.UniqueConstraint("form_id", "study_id", "slot", name="uq_coding_form_study_slot"),
        sa.Index("ix_coding_review_form", "review_id", "form_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id")
    form_id: int = Field(foreign_key="extraction_form.id")
    study_id: int = Field(foreign_key="study.id", index=True)
    slot: int
    kind: CodingKind = Field(sa_type=enum_column(CodingKind))
    coder_id: int = Field(foreign_key="user.id", index=True)  # for the consensus: who last changed it
    status: CodingStatus = Field(default=CodingStatus.draft, sa_type=enum_column(CodingStatus))
    form_version: int = 1  # the form's version when it was last saved: fields added since are flagged
    # The reconciler's choice for each difference, by its path (see ``extraction.reconciling``).
    resolutions: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None


class CodedRow(SQLModel, table=True):
    """A row of a repeatable group in a coding; ``parent_uid`` is its row in the enclosing group."""

    __tablename__ = "coded_row"
    __table_args__ = (sa.UniqueConstraint("coding_id", "uid", name="uq_coded_row_uid"),)

    id: int | None = Field(default=None, primary_key=True)
    coding_id: int = Field(foreign_key="coding.id", index=True)
    group_id: int = Field(foreign_key="form_field.id")
    uid: str = Field(max_length=32)
    parent_uid: str = Field(default="", max_length=32)
    position: int = 0


class CodedValue(SQLModel, table=True):
    """One value of a coding, with where in the reports it came from. ``row_uid`` is "" outside
    repeatable groups. A draft may hold text a number field refused ("twelve"), so that nothing
    typed is lost; submitted codings hold valid values only."""

    __tablename__ = "coded_value"
    __table_args__ = (sa.UniqueConstraint("coding_id", "field_id", "row_uid", name="uq_coded_value_place"),)

    id: int | None = Field(default=None, primary_key=True)
    coding_id: int = Field(foreign_key="coding.id", index=True)
    field_id: int = Field(foreign_key="form_field.id", index=True)
    row_uid: str = Field(default="", max_length=32)
    value: Any = Field(default=None, sa_type=sa.JSON)
    source_record_id: int | None = Field(default=None, foreign_key="record.id")
    page: str = Field(default="", max_length=20)
    quote: str = Field(default="", sa_type=sa.Text)
    form_version: int  # the version of the form this value was entered under
    updated_at: datetime = Field(default_factory=utcnow)


class PrismaLabel(SQLModel, table=True):
    """The lead's wording for a name the PRISMA diagram prints (a database, a reason), in place
    of the name the data hold; only the words change, never a number. ``kind`` says which list
    the name is from: ``source``, ``removal``, ``not_retrieved`` or ``exclusion``."""

    __tablename__ = "prisma_label"
    __table_args__ = (sa.UniqueConstraint("review_id", "kind", "original", name="uq_prisma_label_original"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    kind: str = Field(max_length=20)
    original: str = Field(max_length=500)
    label: str = Field(max_length=200)
