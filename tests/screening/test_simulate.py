"""Simulation: a valid screening order on real labelled data, and the benchmark's arithmetic."""

import csv
from pathlib import Path

import pytest

from screening.review.errors import InvalidInput
from screening.ranking.simulate import (
    LabelledRecord,
    read_labelled_csv,
    run_simulation_file,
    screening_metrics,
    simulate,
    write_order_csv,
)

FIXTURE = Path(__file__).parent.parent / "fixtures" / "labelled" / "cohen_2006_adhd_subset.csv"


@pytest.fixture(scope="module")
def records():
    return read_labelled_csv(FIXTURE)


@pytest.fixture(scope="module")
def result(records):
    relevant = sorted(r.record_id for r in records if r.label == 1)
    irrelevant = sorted(r.record_id for r in records if r.label == 0)
    return simulate(records, [relevant[3], irrelevant[7]], seed=1)


def test_fixture_reads_as_labelled_records(records):
    assert len(records) == 160
    assert sum(r.label for r in records) == 20
    first = records[0]
    assert first.record_id == "1" and first.label == 0
    assert first.text.startswith("The effectiveness of clonidine")
    assert "Adenoidectomy" in first.text  # keywords are part of the text


def test_order_starts_with_the_priors(result, records):
    assert [rid for rid, _ in result.order[:2]] == result.prior_ids
    by_id = {r.record_id: r.label for r in records}
    assert [label for _, label in result.order[:2]] == [by_id[p] for p in result.prior_ids]


def test_every_relevant_record_is_found_once(result, records):
    ids = [rid for rid, _ in result.order]
    assert len(ids) == len(set(ids))
    relevant = {r.record_id for r in records if r.label == 1}
    assert relevant <= set(ids)
    assert result.order[-1][1] == 1  # stops at the last relevant record
    by_id = {r.record_id: r.label for r in records}
    assert all(by_id[rid] == label for rid, label in result.order)


def test_ranking_beats_screening_in_import_order(result):
    # Import order would need 160 records; the learned order finds all 20 far sooner.
    assert result.metrics.screened_for_100 < 120
    assert result.metrics.wss95 > 0.3


def test_metrics_match_a_hand_computed_example():
    # N = 20 records, R = 4 relevant; order asked for (priors first): 1 0 1 0 0 1 0 0 0 0 1 ...
    order = [1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1]
    m = screening_metrics(order, 20, 4)
    # ceil(0.95 * 4) = 4 relevant: found at record 11, as are all 4.
    assert (m.screened_for_95, m.screened_for_100) == (11, 11)
    assert m.wss95 == round((20 - 11) / 20 - 0.05, 4) == 0.4
    assert m.wss100 == 0.45
    # ceil(0.10 * 20) = 2 first records hold 1 of the 4 relevant.
    assert m.recall_at_10pct == 0.25


def test_metrics_where_95_percent_comes_before_all():
    # N = 100, R = 40: ceil(0.95 * 40) = 38 relevant found at record 38, the last two at record 90.
    order = [1] * 38 + [0] * 50 + [1, 1]
    m = screening_metrics(order, 100, 40)
    assert m.screened_for_95 == 38
    assert m.screened_for_100 == 90
    assert m.wss95 == 0.57
    assert m.wss100 == 0.1
    assert m.recall_at_10pct == 0.25  # 10 of 40 within the first 10


def test_records_never_asked_for_count_as_screened_last():
    m = screening_metrics([0, 1], 10, 3)
    assert (m.screened_for_95, m.screened_for_100, m.wss100) == (10, 10, 0.0)


def test_unknown_prior_is_refused(records):
    with pytest.raises(InvalidInput, match="not-a-record"):
        simulate(records, ["not-a-record"], seed=1)


def test_simulate_accepts_plain_tuples():
    records = [("a", "statin cholesterol trial", 1), ("b", "soil bacteria", 0),
               ("c", "statin trial in adults", 1), ("d", "bacteria in soil samples", 0)]
    result = simulate(records, ["a", "b"], seed=0)
    assert [rid for rid, _ in result.order] == ["a", "b", "c"]


def test_run_simulation_file_writes_the_order(tmp_path, records):
    output = tmp_path / "order.csv"
    priors = [next(r.record_id for r in records if r.label == 1), next(r.record_id for r in records if r.label == 0)]
    result = run_simulation_file(FIXTURE, priors, seed=2, output_path=output)
    with open(output, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["record_id", "label"]
    assert [(rid, int(label)) for rid, label in rows[1:]] == result.order
    assert result.wall_seconds > 0


def test_write_order_csv(tmp_path):
    path = tmp_path / "o.csv"
    write_order_csv([("7", 1), ("x", 0)], path)
    assert path.read_text(encoding="utf-8").splitlines() == ["record_id,label", "7,1", "x,0"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("record_id,title\n1,A\n", "label_included"),
        ("record_id,name,label_included\n1,A,1\n", "no title or abstract column.*record_id, name, label_included"),
        ("record_id,Title,title,label_included\n1,A,B,1\n", "column\\(s\\) title named twice"),
        ("record_id,title,abstract,label_included\n1,A,x,1\n2,B,1\n", "line 3: 3 fields where the header has 4"),
    ],
    ids=["no label column", "no title or abstract", "column named twice", "row missing a field"],
)
def test_a_csv_that_would_be_misread_is_refused(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        read_labelled_csv(path)


def test_column_names_are_matched_ignoring_case_and_spaces(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Record_ID, Title ,ABSTRACT,Label_Included\n7,Trial of X,Adults with Y,1\n", encoding="utf-8")
    assert read_labelled_csv(path) == [LabelledRecord("7", "Trial of X Adults with Y", 1)]


@pytest.mark.parametrize("label", ["yes", "2", "-1", "0.7", "inf"])
def test_a_label_that_is_not_0_or_1_names_its_line(tmp_path, label):
    path = tmp_path / "bad.csv"
    path.write_text(f'record_id,title,label_included\n1,"A\nsecond line",1\n2,B,{label}\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match=f"line 4: label_included must be 0 or 1, not '{label}'"):
        read_labelled_csv(path)


def test_blank_lines_are_skipped_and_empty_labels_count_as_irrelevant(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("record_id,title,label_included\n1,A,1\n\n2,B,\n,,\n3,C,1.0\n", encoding="utf-8")
    assert [(r.record_id, r.label) for r in read_labelled_csv(path)] == [("1", 1), ("2", 0), ("3", 1)]


def test_labelled_record_dataclass_and_tuples_give_the_same_order(records):
    as_tuples = [(r.record_id, r.text, r.label) for r in records[:60]]
    as_records = [LabelledRecord(*t) for t in as_tuples]
    priors = [next(r[0] for r in as_tuples if r[2] == 1), next(r[0] for r in as_tuples if r[2] == 0)]
    assert simulate(as_tuples, priors, seed=3).order == simulate(as_records, priors, seed=3).order
