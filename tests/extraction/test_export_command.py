"""`winnow export-extraction` writes the same workbook as the page's download."""

from openpyxl import load_workbook
from sqlmodel import select
from typer.testing import CliRunner

from app.cli import cli
from extraction import extracting, forms
from extraction.models import FieldType
from extraction.studies import included_studies
from extraction.values import Entry, Node
from screening.review.models import AuditEvent

runner = CliRunner()


def test_export_extraction_writes_the_consensus_as_xlsx_and_refuses_a_csv_without_a_form(session, team,
                                                                                       database_url, tmp_path):
    spec = forms.FormSpec(name="Data", dual=False, sections=[forms.SectionSpec(label="S", fields=[
        forms.FieldSpec(label="Sample size", field_type=FieldType.integer)])])
    form = forms.create_form(session, team.access(session, team.lead), spec)
    size = forms.load_definition(session, form).sections[0].fields[0].id
    study = included_studies(session, team.review)[0].study.id
    extracting.submit(session, team.access(session, team.ann), form.id, study, Node(values={size: Entry("64")}))
    env = {"DATABASE_URL": database_url, "WINNOW_DATA_DIR": str(tmp_path)}
    output = tmp_path / "table.xlsx"
    result = runner.invoke(cli, ["export-extraction", str(team.review.id), "--output", str(output)], env=env)
    assert result.exit_code == 0, result.output
    wide = list(load_workbook(output)["wide"].iter_rows(values_only=True))
    assert wide == [("Study", "Study id", "Sample size"), ("Reimer", study, 64)]
    refused = runner.invoke(cli, ["export-extraction", str(team.review.id), "--output", str(tmp_path / "t.csv")], env=env)
    assert refused.exit_code == 1 and "give --form N" in refused.output
    csv_file = tmp_path / "wide.csv"
    done = runner.invoke(cli, ["export-extraction", str(team.review.id), "--output", str(csv_file), "--form", str(form.id)],
                         env=env)
    assert done.exit_code == 0 and csv_file.read_text(encoding="utf-8-sig").splitlines()[1] == f"Reimer,{study},64"
    logged = session.exec(select(AuditEvent.action, AuditEvent.detail).where(AuditEvent.action.startswith("export."))
                          .order_by(AuditEvent.id)).all()
    assert logged == [("export.extraction", {"format": "xlsx", "via": "command line"}),
                      ("export.extraction_table", {"format": "csv", "form_id": form.id, "table": "wide",
                                                   "via": "command line"})]  # the refused one left nothing to log
