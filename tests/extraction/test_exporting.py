"""Extraction tables: the consensus is what exports, and the XLSX reads back with openpyxl."""

import csv
import io

from openpyxl import load_workbook

from extraction import exporting, extracting, forms, reconciling
from extraction.models import FieldType
from extraction.studies import included_studies
from extraction.values import Entry, Node, Row


def _form(session, team):
    spec = forms.FormSpec(name="Data", sections=[forms.SectionSpec(label="Study", fields=[
        forms.FieldSpec(label="Intervention type", field_type=FieldType.hierarchical, options=[
            forms.OptionSpec(label="Psychotherapy", children=[forms.OptionSpec(label="DBT"), forms.OptionSpec(label="CBT")]),
            forms.OptionSpec(label="Peer support")]),
        forms.FieldSpec(label="Country", field_type=FieldType.country),
        forms.FieldSpec(label="Sample size", field_type=FieldType.integer, unit="participants"),
        forms.FieldSpec(label="Arms", field_type=FieldType.group, fields=[
            forms.FieldSpec(label="Arm", field_type=FieldType.short_text, is_key=True),
            forms.FieldSpec(label="Participants", field_type=FieldType.integer)]),
    ])])
    form = forms.create_form(session, team.access(session, team.lead), spec)
    definition = forms.load_definition(session, form)
    intervention, country, size, arms = definition.sections[0].fields
    options = {option.label: option.id for option in intervention.options}
    return form, intervention.id, options, country.id, size.id, arms.id, arms.children[0].id, arms.children[1].id


def test_the_xlsx_holds_the_consensus_wide_long_and_per_group(session, team):
    form, intervention, options, country, size, arms, arm, participants = _form(session, team)
    study = included_studies(session, team.review)[0]
    ann, ben, lead = (team.access(session, person) for person in (team.ann, team.ben, team.lead))

    def coding(n, arm_size):
        return Node(values={intervention: Entry([options["DBT"], options["Peer support"]]),
                            country: Entry(["GB", "NL"]), size: Entry(n, page="4", quote=f"{n} were randomised")},
                    groups={arms: [Row(uid="r1", values={arm: Entry("DBT"), participants: Entry(arm_size)}),
                                   Row(uid="r2", values={arm: Entry("Usual care"), participants: Entry(50)})]})

    extracting.submit(session, ann, form.id, study.study.id, coding(101, 51))
    extracting.submit(session, ben, form.id, study.study.id, coding(100, 50))
    differing = reconciling.reconciliation(session, lead, form.id, study.study.id).differing
    assert [item.where for item in differing] == ["Sample size", "Arms “DBT”: Participants"]
    reconciling.resolve(session, lead, form.id, study.study.id,
                        {differing[0].path: {"choice": "second"}, differing[1].path: {"choice": "second"}}, finish=True)

    book = load_workbook(io.BytesIO(exporting.review_workbook(session, team.review)))
    assert book.sheetnames == ["Studies", "wide", "long", "Arms"]
    wide = [list(row) for row in book["wide"].iter_rows(values_only=True)]
    assert wide[0] == ["Study", "Study id", "Intervention type", "Country", "Sample size (participants)",
                       "Sample size (participants): source"]
    assert wide[1] == ["Reimer", study.study.id, "Psychotherapy > DBT; Peer support", "United Kingdom; Netherlands",
                       100, "p. 4: “100 were randomised”"]
    assert len(wide) == 2  # only studies whose consensus is final
    arms_sheet = [list(row) for row in book["Arms"].iter_rows(values_only=True)]
    assert arms_sheet == [["Study", "Study id", "Row", "Arm", "Participants"],
                          ["Reimer", study.study.id, 1, "DBT", 50], ["Reimer", study.study.id, 2, "Usual care", 50]]
    long = [list(row) for row in book["long"].iter_rows(values_only=True)]
    assert long[0] == ["Study", "Study id", "Question", "Row", "Value", "Page", "Quote", "Source record"]
    assert long[3] == ["Reimer", study.study.id, "Sample size (participants)", None, 100, "4", "100 were randomised", None]
    assert long[5][:5] == ["Reimer", study.study.id, "Participants", "Arms “DBT”", 50]
    raw_book = load_workbook(io.BytesIO(exporting.review_workbook(session, team.review, raw=True)))
    assert raw_book.sheetnames == ["raw"]
    raw = [list(row) for row in raw_book["raw"].iter_rows(values_only=True)]
    sizes = {row[2]: row[8] for row in raw[1:] if row[6] == "Sample size"}
    assert sizes == {"extraction 1": 101, "extraction 2": 100, "consensus": 100}
    studies = [list(row) for row in book["Studies"].iter_rows(values_only=True)]
    assert studies[0][:3] == ["Study", "Study id", "Record id"] and len(studies) == 4  # three included studies


def test_csv_and_json_carry_the_same_consensus(session, team):
    form, intervention, options, country, size, *_ = _form(session, team)
    study = included_studies(session, team.review)[1]
    for person in (team.ann, team.ben):
        extracting.submit(session, team.access(session, person), form.id, study.study.id,
                          Node(values={intervention: Entry([options["CBT"]]), size: Entry(30)}))
    reconciling.resolve(session, team.access(session, team.lead), form.id, study.study.id, {}, finish=True)
    text = exporting.to_csv(exporting.form_table(session, team.review, form, "wide")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["Study", "Study id", "Intervention type", "Country", "Sample size (participants)"],
                    ["Jorenby", str(study.study.id), "Psychotherapy > CBT", "", "30"]]
    data = exporting.form_json(session, team.review, form)
    consensus = next(s for s in data["studies"] if s["study_id"] == study.study.id)["consensus"]
    assert {v["label"]: v["text"] for v in consensus["values"]} == {"Intervention type": "Psychotherapy > CBT",
                                                                     "Sample size": "30"}


def test_a_formula_looking_answer_stays_text_and_drafts_stay_out_of_the_raw_sheet(session, team):
    spec = forms.FormSpec(name="Notes", dual=False, sections=[forms.SectionSpec(label="S", fields=[
        forms.FieldSpec(label="Notes", field_type=FieldType.short_text)])])
    form = forms.create_form(session, team.access(session, team.lead), spec)
    notes = forms.load_definition(session, form).sections[0].fields[0].id
    first, second = [view.study.id for view in included_studies(session, team.review)[:2]]
    extracting.submit(session, team.access(session, team.ann), form.id, first, Node(values={notes: Entry("=1+1")}))
    extracting.save_draft(session, team.access(session, team.ben), form.id, second, Node(values={notes: Entry("secret")}))
    book = load_workbook(io.BytesIO(exporting.review_workbook(session, team.review, form)))
    assert book["wide"]["C2"].value == "=1+1" and book["wide"]["C2"].data_type == "s"
    raw = load_workbook(io.BytesIO(exporting.review_workbook(session, team.review, form, raw=True)))["raw"]
    assert [row[8] for row in raw.iter_rows(values_only=True)] == ["Value", "=1+1", "=1+1"]  # Ann's and the consensus


FORMULA_LIKE = ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_no_text_runs_as_a_formula_in_csv_or_xlsx_and_numbers_stay_numbers():
    table = exporting.Table("wide", ["Study", "=Label"], [[text, -5] for text in FORMULA_LIKE] + [["#N/A", 2.5]])
    rows = list(csv.reader(io.StringIO(exporting.to_csv(table).decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Study", "'=Label"]
    assert [row[0] for row in rows[1:]] == ["'" + text for text in FORMULA_LIKE] + ["#N/A"]  # screening's apostrophe
    assert [row[1] for row in rows[1:]] == ["-5"] * len(FORMULA_LIKE) + ["2.5"]

    sheet = load_workbook(io.BytesIO(exporting.to_xlsx([("wide", table)])))["wide"]
    texts = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in texts] == FORMULA_LIKE + ["#N/A"]  # exactly as typed, no apostrophe
    assert {cell.data_type for cell in texts} == {"s"}
    assert (sheet["B1"].value, sheet["B1"].data_type) == ("=Label", "s")
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == [-5] * len(FORMULA_LIKE) + [2.5]


def test_a_coded_answer_that_looks_like_a_formula_is_text_in_the_csv(session, team):
    spec = forms.FormSpec(name="Notes", dual=False, sections=[forms.SectionSpec(label="S", fields=[
        forms.FieldSpec(label="Notes", field_type=FieldType.short_text),
        forms.FieldSpec(label="Change", field_type=FieldType.integer)])])
    form = forms.create_form(session, team.access(session, team.lead), spec)
    notes, change = (item.id for item in forms.load_definition(session, form).sections[0].fields)
    study = included_studies(session, team.review)[0]
    extracting.submit(session, team.access(session, team.ann), form.id, study.study.id,
                      Node(values={notes: Entry("@SUM(A1:A9)"), change: Entry(-4)}))
    text = exporting.to_csv(exporting.form_table(session, team.review, form, "wide")).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1][2:] == ["'@SUM(A1:A9)", "-4"]
