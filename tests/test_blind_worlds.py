"""Blind mode, tested as its rule states it: nothing a screener can fetch depends on a
colleague's verdict on a record still open to them.

Two reviews are built in two databases by the same steps, except that Ann's verdicts on 18
records Ben has not decided differ between them (she includes the first five in one world, the
last five in the other). Every page, htmx partial and API answer Ben can fetch, and every
"decide and get next" he makes after that, must then be the same in both worlds, with the
ranking trained in each. The GET routes are taken from the app itself, so a new one is covered
the day it is added (or the test asks for the ids it needs)."""

import io
import re
import string
import zipfile

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.main import ROUTERS, create_app
from app.services import decide_and_next
from extraction import forms
from extraction.models import FieldType
from screening.models import Stage, Verdict
from screening.ranking.in_review import train_ranking
from screening.records import kept_records
from screening.review.access import review_access
from screening.review.models import Role
from tests.factories import import_fixture, join, make_review, make_user
from tests.web import csrf_token, log_in

TA = Stage.title_abstract
AGREED = 12  # records both screeners decided: complete, the same in both worlds
BEN_ALONE = 2  # records only Ben decided
ANNS_HIDDEN = range(AGREED + BEN_ALONE, AGREED + BEN_ALONE + 18)  # only Ann decided: open to Ben


def _build(session: Session, uploads, hidden_includes: range, own_models: bool) -> dict:
    lead = make_user(session, email="lead@example.org", name="Lead")
    ann = make_user(session, email="ann@example.org", name="Ann")
    ben = make_user(session, email="ben@example.org", name="Ben")
    review = make_review(session, lead, title="Two worlds")
    for person in (ann, ben):
        join(session, review, lead, person, Role.reviewer)
    import_fixture(session, review, lead, "labelled/cohen_2006_adhd_subset.csv", uploads_dir=uploads)
    records = kept_records(session, review.id)
    truth = {r.id: Verdict.include if r.raw["label_included"] == "1" else Verdict.exclude for r in records}

    def decide(person, index, verdict=None):
        record_id = records[index].id
        decide_and_next(session, review_access(session, review.id, person.id), record_id, TA, verdict or truth[record_id])

    for index in range(AGREED):
        decide(ann, index)
        decide(ben, index)
    for index in range(AGREED, AGREED + BEN_ALONE):
        decide(ben, index)
    for index in ANNS_HIDDEN:
        decide(ann, index, Verdict.include if index in hidden_includes else Verdict.exclude)
    train_ranking(session, lambda *_: None, review_id=review.id, own_models=own_models)
    form = forms.create_form(session, review_access(session, review.id, lead.id), forms.FormSpec(
        name="Data", sections=[forms.SectionSpec(label="Study", fields=[
            forms.FieldSpec(label="Sample size", field_type=FieldType.integer)])]))
    return {"review_id": review.id, "ben": ben.id, "records": [r.id for r in records], "form_id": form.id}


@pytest.fixture(params=[False, True], ids=["team model", "own models"])
def own_models(request) -> bool:
    """Winnow's design (one team model on complete records) and the measured alternative."""
    return request.param


@pytest.fixture
def worlds(databases, backend, tmp_path, own_models):
    """The same review twice, differing only in Ann's verdicts on records still open to Ben."""
    first, last = ANNS_HIDDEN[:5], ANNS_HIDDEN[-5:]
    made = []
    for number, hidden_includes in enumerate((first, last)):
        settings = Settings(environment="test", database_url=databases.migrated(backend),
                            data_dir=tmp_path / f"world{number}", run_worker=False,
                            secret_key="test-secret-key-that-is-long-enough-0123456789")
        app = create_app(settings)
        with Session(app.state.engine) as session:
            ids = _build(session, tmp_path / f"uploads{number}", hidden_includes, own_models)
        client = TestClient(app)
        client.__enter__()
        log_in(client, "ben@example.org")
        made.append((app, client, ids))
    assert made[0][2] == made[1][2], "the two worlds must number their records alike"
    yield made
    for app, client, _ in made:
        client.__exit__(None, None, None)
        app.state.engine.dispose()


_VOLATILE = [
    (re.compile(r'name="csrf_token" value="[^"]+"'), 'name="csrf_token" value=""'),
    (re.compile(r'"X-CSRF-Token": "[^"]+"'), '"X-CSRF-Token": ""'),  # the header htmx sends
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?"), "<time>"),
    (re.compile(r"\d\d [A-Z][a-z]{2}( \d{4})? \d\d:\d\d"), "<time>"),
]


def _normalised(text: str) -> str:
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def _get_urls(ids: dict) -> list[str]:
    """Every GET route a review member can call, with the ids of this review filled in."""
    review_id, records = ids["review_id"], ids["records"]
    values = {"review_id": review_id, "stage": TA.value, "record_id": records[ANNS_HIDDEN[0]], "file_format": "csv",
              "batch_id": 1, "job_id": 1, "form_id": ids["form_id"], "number": 1, "table": "wide",
              "study_id": 1, "key": "records_screened"}  # no study is included yet: its pages answer alike (not found) in both worlds
    urls = []
    for router in ROUTERS:
        for route in router.routes:
            if not (isinstance(route, APIRoute) and "GET" in route.methods and "{review_id}" in route.path):
                continue
            names = [name for _, name, _, _ in string.Formatter().parse(route.path) if name]
            missing = set(names) - set(values)
            assert not missing, f"{route.path}: give the two worlds an id for {missing}"
            urls.append(route.path.format(**values))
    base, api = f"/reviews/{review_id}", f"/api/reviews/{review_id}"
    for show in ("all", "mine", "conflicts", "maybe", "reason"):
        urls += [f"{base}/records?show={show}&reason=1", f"{api}/records?show={show}&reason_id=1"]
    urls.append(f"{base}/records?q=methylphenidate")
    urls += [f"{base}/screen/{TA.value}?record={records[index]}" for index in (ANNS_HIDDEN[0], ANNS_HIDDEN[-1])]
    return sorted(set(urls))


def _body(answer) -> str:
    """The answer as text; a workbook as its sheets and styles, without the times its zip and
    its properties carry (two worlds answer a second apart)."""
    if not answer.content.startswith(b"PK"):
        return _normalised(answer.text)
    with zipfile.ZipFile(io.BytesIO(answer.content)) as book:
        return "\n".join(f"{name}: {book.read(name)!r}" for name in sorted(book.namelist()) if name != "docProps/core.xml")


def _assert_same(url: str, answers: list) -> None:
    statuses = [answer.status_code for answer in answers]
    bodies = [_body(answer) for answer in answers]
    assert statuses[0] == statuses[1] and bodies[0] == bodies[1], (
        f"{url} differs between the worlds (status {statuses}):\n"
        + "\n".join(f"- {a}\n+ {b}" for a, b in zip(bodies[0].splitlines(), bodies[1].splitlines()) if a != b)[:3000])


def test_nothing_a_screener_can_fetch_depends_on_a_colleagues_hidden_verdicts(worlds, own_models):
    ids = worlds[0][2]
    urls = _get_urls(ids)
    assert len(urls) > 25
    for url in urls:
        for partial in (False, True):
            headers = {"HX-Request": "true"} if partial else {}
            _assert_same(url, [client.get(url, headers=headers, follow_redirects=False) for _, client, _ in worlds])
    # Ben screens on through the API, the ranking retraining after each decision: every answer
    # (his next record, its score and terms) is the same in both worlds.
    api = f"/api/reviews/{ids['review_id']}/screen/{TA.value}"
    current = [client.get(f"{api}/next").json() for _, client, _ in worlds]
    assert current[0] == current[1] and current[0] is not None
    for _ in range(6):
        answers = []
        for app, client, _ in worlds:
            token = {"X-CSRF-Token": csrf_token(client, "/")}
            answers.append(client.post(f"{api}/{current[0]['id']}", json={"verdict": "exclude"}, headers=token))
            with Session(app.state.engine) as session:
                train_ranking(session, lambda *_: None, review_id=ids["review_id"], own_models=own_models)
        _assert_same("decide and get next", answers)
        current = [answer.json()["next"] for answer in answers]
    page = [client.get(f"/reviews/{ids['review_id']}/screen/{TA.value}") for _, client, _ in worlds]
    _assert_same("the screening page after Ben's decisions", page)
    assert "Relevance" in page[0].text  # the ranking is at work, so the sameness means something


def test_the_worlds_do_differ_for_the_colleague_herself(worlds):
    """The hidden verdicts are real: Ann's own queue is ranked by what she decided."""
    orders = []
    for app, client, ids in worlds:
        log_in(client, "ann@example.org")
        orders.append(client.get(f"/api/reviews/{ids['review_id']}/records?show=mine").json())
    assert [item["decisions"] for item in orders[0]] != [item["decisions"] for item in orders[1]]
