"""The theme-by-study matrix of a qualitative synthesis: a theme written in any case is one,
with its studies, participants and countries."""

from extraction import extracting, form_templates, forms
from extraction.reports import themes, typology
from extraction.studies import included_studies
from extraction.values import Entry, Node, Row


def test_themes_by_study_with_participants_and_countries(session, team):
    spec = form_templates.template("qualitative")
    spec.dual = False
    form = forms.create_form(session, team.access(session, team.lead), spec)
    fields = {item.field.label: item for item in forms.load_definition(session, form).walk()}
    group, number = fields["Group"], fields["Number"]
    users = next(option.id for option in group.options if option.label == "Service users")
    plan = [(["GB"], 12, ["Feeling heard", "Continuity of care"]), (["GB", "NL"], 20, ["feeling  HEARD"]),
            (["NO"], 8, ["Stigma", "Continuity of care", "Feeling heard"])]
    views = included_studies(session, team.review)
    for view, (countries, n, found) in zip(views, plan):
        node = Node(values={fields["Country"].id: Entry(countries)}, groups={
            fields["Participants"].id: [Row(uid="p", values={group.id: Entry(users), number.id: Entry(n)})],
            fields["Themes"].id: [Row(uid=f"t{i}", values={fields["Theme"].id: Entry(theme)})
                                  for i, theme in enumerate(found)]})
        extracting.submit(session, team.access(session, team.ann), form.id, view.study.id, node)
    ids = [view.study.id for view in views]
    matrix = themes.theme_matrix(typology.form_summary(session, team.review, form))
    assert [(row.label, row.study_ids, row.participants, row.countries) for row in matrix.rows] == [
        ("Feeling heard", tuple(ids), 40, ("United Kingdom", "Netherlands", "Norway")),
        ("Continuity of care", (ids[0], ids[2]), 20, ("United Kingdom", "Norway")),
        ("Stigma", (ids[2],), 8, ("Norway",))]
    assert matrix.has(matrix.rows[2], ids[2]) and not matrix.has(matrix.rows[2], ids[0])
