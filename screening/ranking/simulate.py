"""Simulation mode: replay a labelled review through the ranker and score the order.

The loop is the web app's loop with a reviewer who answers instantly: label the
priors, then repeatedly ask for the top-ranked unlabelled record, reveal its
label and retrain (after every label), until every relevant record is found.
Metrics use the arithmetic of the shared scoring script (`srmetrics.py`)."""

import csv
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from screening.review.errors import InvalidInput
from screening.ranking.features import record_text
from screening.ranking.model import DEFAULT_MODEL, ModelSpec, Ranker


@dataclass(frozen=True)
class LabelledRecord:
    record_id: str
    text: str
    label: int  # 1 relevant, 0 irrelevant


@dataclass(frozen=True)
class Metrics:
    n: int
    relevant: int
    screened_for_95: int
    screened_for_100: int
    wss95: float
    wss100: float
    recall_at_10pct: float


@dataclass(frozen=True)
class SimulationResult:
    order: list[tuple[str, int]]  # (record_id, label) in the order asked for, priors first
    metrics: Metrics
    wall_seconds: float
    seed: int
    prior_ids: list[str]
    model: dict = field(default_factory=dict)


def screening_metrics(labels_in_order: Sequence[int], n_total: int, n_relevant: int) -> Metrics:
    """WSS@95, WSS@100 and recall after 10% screened, as `srmetrics.metrics` computes them.

    Records never asked for count as screened last (worst case)."""
    if n_relevant < 1:
        raise InvalidInput("Metrics need at least one relevant record.")
    found = 0
    need95 = math.ceil(0.95 * n_relevant)
    n95 = n100 = at10 = None
    cut10 = math.ceil(0.10 * n_total)
    for i, label in enumerate(labels_in_order, start=1):
        found += int(label)
        if n95 is None and found >= need95:
            n95 = i
        if n100 is None and found >= n_relevant:
            n100 = i
        if i == cut10:
            at10 = found
    if at10 is None:
        at10 = found
    n95 = n95 or n_total
    n100 = n100 or n_total
    return Metrics(
        n=n_total,
        relevant=n_relevant,
        screened_for_95=n95,
        screened_for_100=n100,
        wss95=round((n_total - n95) / n_total - 0.05, 4),
        wss100=round((n_total - n100) / n_total, 4),
        recall_at_10pct=round(at10 / n_relevant, 4),
    )


def simulate(
    records: Sequence[tuple[str, str, int]] | Sequence[LabelledRecord],
    prior_ids: Sequence[str],
    seed: int = 0,
    spec: ModelSpec = DEFAULT_MODEL,
) -> SimulationResult:
    """Screen `records` (record_id, text, label) in ranked order, priors first.

    `seed` is the ranker's random state: it picks the records presumed irrelevant
    at each retrain and breaks solver ties, so a seed always gives the same order."""
    started = time.perf_counter()
    ids = [str(r[0]) if isinstance(r, tuple) else r.record_id for r in records]
    texts = [r[1] if isinstance(r, tuple) else r.text for r in records]
    truth = [int(r[2]) if isinstance(r, tuple) else r.label for r in records]
    position = {record_id: i for i, record_id in enumerate(ids)}
    if len(position) != len(ids):
        raise InvalidInput("Each record_id must appear once.", field="record_id")
    unknown = [p for p in prior_ids if p not in position]
    if unknown:
        raise InvalidInput(f"Prior record(s) not in the data: {', '.join(unknown)}.", field="prior")
    n_relevant = sum(truth)
    if n_relevant == 0:
        raise InvalidInput("The data has no relevant record (label_included = 1) to find.")

    ranker = Ranker(texts, spec, random_state=seed)
    labels: dict[int, int] = {}
    asked: list[int] = []
    found = 0

    def reveal(index: int) -> None:
        nonlocal found
        labels[index] = truth[index]
        asked.append(index)
        found += truth[index]

    for prior in dict.fromkeys(prior_ids):  # keeps order, drops repeats
        reveal(position[prior])
    unlabelled = [i for i in range(len(ids)) if i not in labels]
    while found < n_relevant and unlabelled:
        ranker.fit(labels)
        chosen = int(ranker.queue(unlabelled)[0])
        reveal(chosen)
        unlabelled.remove(chosen)

    order = [(ids[i], truth[i]) for i in asked]
    metrics = screening_metrics([label for _, label in order], len(ids), n_relevant)
    return SimulationResult(
        order=order,
        metrics=metrics,
        wall_seconds=time.perf_counter() - started,
        seed=seed,
        prior_ids=list(dict.fromkeys(prior_ids)),
        model=spec.to_dict(),
    )


LABEL_VALUES = {"": 0, "0": 0, "1": 1, "0.0": 0, "1.0": 1}  # an empty label counts as irrelevant


def read_labelled_csv(path: str | Path) -> list[LabelledRecord]:
    """Read an ASReview-style CSV: record_id, title, abstract, optional keywords, label_included.

    Column names are matched ignoring case and surrounding spaces ("Title" is
    title), since exports differ. Anything that would silently change what is
    ranked or counted is refused with its line: no title or abstract column, a
    column named twice, a row with too few or too many fields, a label other
    than 0 or 1. Blank lines are skipped."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = _labelled_header(path, next(reader, []))
        records = []
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            where = f"{path} line {reader.line_num}"
            if len(values) != len(header):
                raise InvalidInput(
                    f"{where}: {len(values)} fields where the header has {len(header)}; "
                    "check for an unquoted comma or a missing field.",
                    field="csv",
                )
            row = dict(zip(header, values))
            label = LABEL_VALUES.get(row["label_included"].strip())
            if label is None:
                raise InvalidInput(
                    f"{where}: label_included must be 0 or 1, not {row['label_included']!r}.", field="csv"
                )
            text = record_text(row.get("title"), row.get("abstract"), row.get("keywords"))
            records.append(LabelledRecord(row["record_id"], text, label))
    return records


def _labelled_header(path: str | Path, names: list[str]) -> list[str]:
    header = [name.strip().lower() for name in names]
    columns = f"the columns are {', '.join(header)}"
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise InvalidInput(f"{path}: column(s) {', '.join(repeated)} named twice; {columns}.", field="csv")
    missing = {"record_id", "label_included"} - set(header)
    if missing:
        raise InvalidInput(f"{path}: missing column(s) {', '.join(sorted(missing))}; {columns}.", field="csv")
    if not set(header) & {"title", "abstract"}:
        raise InvalidInput(f"{path}: no title or abstract column to rank on; {columns}.", field="csv")
    return header


def write_order_csv(order: Sequence[tuple[str, int]], path: str | Path) -> None:
    """Write the screening order as `record_id,label`, one row per record asked for."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_id", "label"])
        writer.writerows(order)


def run_simulation_file(
    csv_path: str | Path,
    prior_ids: Sequence[str],
    seed: int = 0,
    output_path: str | Path | None = None,
    spec: ModelSpec = DEFAULT_MODEL,
) -> SimulationResult:
    """What `winnow simulate` runs: read the CSV, simulate, write the order if asked.

    Wall time covers reading, vectorising and the whole screening loop."""
    started = time.perf_counter()
    result = simulate(read_labelled_csv(csv_path), prior_ids, seed=seed, spec=spec)
    if output_path is not None:
        write_order_csv(result.order, output_path)
    return SimulationResult(
        order=result.order,
        metrics=result.metrics,
        wall_seconds=time.perf_counter() - started,
        seed=seed,
        prior_ids=result.prior_ids,
        model=result.model,
    )
