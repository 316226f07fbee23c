"""Extraction through the API alone: a form as JSON, two blind codings, reconciliation, the data."""

from extraction.studies import included_studies
from tests.web import csrf_token, log_in


def _headers(client, email):
    log_in(client, email)
    return {"X-CSRF-Token": csrf_token(client, "/")}


def test_a_whole_extraction_through_the_api(client, other_client, session, team):
    api = f"/api/reviews/{team.review.id}/extraction"
    lead = _headers(client, "lead@example.org")
    created = client.post(f"{api}/forms", headers=lead, json={"form": {"name": "Data", "sections": [{"label": "Study", "fields": [
        {"label": "Sample size", "field_type": "integer", "required": True},
        {"label": "Arms", "field_type": "group", "fields": [
            {"label": "Arm", "field_type": "short_text", "is_key": True},
            {"label": "Participants", "field_type": "integer"}]}]}]}})
    assert created.status_code == 201, created.text
    form = created.json()
    size, arms = form["sections"][0]["fields"]
    arm, participants = arms["fields"]
    changed = client.post(f"{api}/forms/{form['id']}/changes", headers=lead, json={
        "change": "add_field", "section_id": form["sections"][0]["id"],
        "field": {"label": "Design", "field_type": "single_choice", "options": [{"label": "RCT"}, {"label": "Cohort"}]}})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    design = changed.json()["sections"][0]["fields"][2]
    rct = design["options"][0]["id"]
    assert [v["number"] for v in client.get(f"{api}/forms/{form['id']}/versions").json()] == [2, 1]
    assert len(client.get(f"{api}/forms/{form['id']}/versions/1").json()["sections"][0]["fields"]) == 2

    study = included_studies(session, team.review)[0].study.id
    coding_url = f"{api}/forms/{form['id']}/studies/{study}/coding"
    ann = _headers(client, "ann@example.org")
    draft = client.put(coding_url, headers=ann, json={"values": {str(size["id"]): {"value": "twelve"}}})
    assert draft.status_code == 200
    assert draft.json()["problems"] == {f"f{size['id']}": "Sample size: “twelve” is not a whole number: write it in digits, e.g. 12."}
    refused = client.post(f"{coding_url}/submit", headers=ann)
    assert refused.status_code == 422
    assert refused.json()["detail"] == [{"loc": ["body", f"f{size['id']}"], "type": "invalid",
                                         "msg": "Sample size: “twelve” is not a whole number: write it in digits, e.g. 12."}]

    def coding(n, arm_size):
        return {"values": {str(size["id"]): {"value": n, "page": "3", "quote": f"{n} people took part"},
                           str(design["id"]): {"value": rct}},
                "groups": {str(arms["id"]): [{"uid": "a1", "values": {str(arm["id"]): {"value": "DBT"},
                                                                      str(participants["id"]): {"value": arm_size}}}]}}

    assert client.post(f"{coding_url}/submit", headers=ann, json=coding(40, 20)).json()["coding"]["status"] == "submitted"
    ben = _headers(other_client, "ben@example.org")
    other_client.put(coding_url, headers=ben, json=coding(42, 20))
    seen = other_client.get(f"{api}/forms/{form['id']}/studies/{study}/codings").json()
    assert [c["coder_id"] for c in seen] == [team.ben.id]  # blind: Ann's submitted values stay hidden
    assert "40 people" not in other_client.get(f"{api}/forms/{form['id']}/data").text
    assert other_client.get(f"{api}/forms/{form['id']}/studies/{study}/reconciliation").status_code == 422
    other_client.post(f"{coding_url}/submit", headers=ben)
    assert len(other_client.get(f"{api}/forms/{form['id']}/studies/{study}/codings").json()) == 2

    lead = _headers(client, "lead@example.org")
    diff = client.get(f"{api}/forms/{form['id']}/studies/{study}/reconciliation").json()
    differing = [item for item in diff["items"] if not item["agrees"]]
    assert [(item["where"], item["first"]["value"], item["second"]["value"]) for item in differing] == [("Sample size", 40, 42)]
    done = client.post(f"{api}/forms/{form['id']}/studies/{study}/reconciliation", headers=lead,
                       json={"choices": {differing[0]["path"]: {"choice": "second"}}, "finish": True})
    assert done.status_code == 200 and done.json()["consensus"] == "submitted"
    data = client.get(f"{api}/forms/{form['id']}/data").json()
    consensus = next(s for s in data["studies"] if s["study_id"] == study)["consensus"]
    value = next(v for v in consensus["values"] if v["field_id"] == size["id"])
    assert (value["value"], value["page"], value["quote"]) == (42, "3", "42 people took part")
    figures = client.get(f"{api}/forms/{form['id']}/agreement").json()
    by_question = {f["question"]: f for f in figures["fields"]}
    assert figures["studies"] == 1 and by_question["Sample size"]["percent_agreement"] == 0.0
    assert by_question["Arms: Participants"]["n"] == 1 and by_question["Design"]["kappa"] is None  # one category: undefined
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/reviews/{review_id}/extraction/forms/{form_id}/studies/{study_id}/coding" in paths
