"""What the benchmarks share: the ``winnow`` command run as it ships, a ``winnow serve`` on a
free loopback port, the server's CPU time, percentiles, SQL statements named by kind for the
in-process profiles, and a review with included studies and a form, built in-process."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx  # the test extra's HTTP client, as Starlette's TestClient uses

BIN = Path(sys.executable).parent
WINNOW = str(BIN / "winnow") if (BIN / "winnow").exists() else "winnow"


def run(args: list[str], env: dict, *, stdin: str | None = None) -> str:
    """A command in the run's data folder; its output, or an error with the end of both streams."""
    done = subprocess.run(args, env=env, input=stdin, capture_output=True, text=True, cwd=env["WINNOW_DATA_DIR"])
    if done.returncode:
        raise RuntimeError(f"{' '.join(args[:3])} failed:\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}")
    return done.stdout


def parse_runs(parser, text: str) -> list[tuple[str, int]]:
    """``--runs sqlite:1,postgresql:2`` as (database, web workers) pairs; a wrong one is the parser's error."""
    runs = []
    for item in text.split(","):
        kind, _, workers = item.strip().partition(":")
        if kind not in ("sqlite", "postgresql"):
            parser.error(f"unknown database {kind!r}")
        if kind == "sqlite" and int(workers or 1) > 1:
            parser.error("winnow serve refuses several workers on SQLite")
        runs.append((kind, int(workers or 1)))
    return runs


def server_env(url: str, data_dir: str) -> dict:
    """The environment ``winnow`` runs in for a benchmark: its database, data folder and a secret."""
    return {**os.environ, "DATABASE_URL": url, "WINNOW_DATA_DIR": data_dir, "WINNOW_SECRET_KEY": secrets.token_urlsafe(32)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict, workers: int, log_path: Path) -> tuple[subprocess.Popen, str]:
    """``winnow serve`` in a session of its own (so its CPU time can be read), once it answers."""
    port = free_port()
    log = open(log_path, "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen([WINNOW, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
                               env=env, cwd=env["WINNOW_DATA_DIR"], stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"winnow serve exited {process.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            httpx.get(f"{base}/", timeout=2)
            return process, base
        except httpx.TransportError:
            time.sleep(0.2)
    stop_server(process)
    raise RuntimeError(f"winnow serve did not answer within 60 s:\n{log_path.read_text()[-3000:]}")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGINT)  # uvicorn's master stops its own workers
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def server_cpu_seconds(session_id: int) -> float:
    """CPU time used so far by every process of the server's session (web workers and job worker):
    what the requests cost, whatever else the machine is doing."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session_id:  # fields after the command: state, ppid, pgrp, session, ...
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


def statement_kind(statement: str) -> str:
    """"SELECT FROM coding [join]", "UPDATE coded_value": a statement as a profile counts it."""
    text = re.sub(r"\s+", " ", statement).strip()
    upper = text.upper()
    verb = upper.split(" ", 1)[0]
    if verb == "SELECT":
        table = re.search(r"\bFROM (\w+)", text)
        flags = [name for name, needle in (("join", " JOIN "), ("exists", "EXISTS"), ("count", "COUNT("),
                                           ("limit", " LIMIT ")) if needle in upper]
        if re.search(r"WHERE \w+\.id = \S+( LIMIT|$)", text) and not flags[:3]:
            flags.append("by id")
        return f"SELECT FROM {table.group(1) if table else '(no table)'}" + (f" [{', '.join(flags)}]" if flags else "")
    if verb in ("INSERT", "UPDATE", "DELETE"):
        table = re.search(r"(?:INTO|UPDATE|FROM) (\w+)", text)
        return f"{verb} {table.group(1) if table else '?'}"
    return verb


@dataclass
class IncludedReview:
    review: Any  # screening.review.models.Review
    form: Any  # extraction.models.ExtractionForm
    definition: Any  # the form's definition, as forms.load_definition gives it
    coder_access: Any  # a reviewer's ReviewAccess, to code with
    studies: list  # extraction.studies.included_studies


def included_review(session, *, title: str, records_file: Path, folder: Path, studies: int, form_spec
                    ) -> IncludedReview:
    """A lead and a coder, a review, the records file imported through the import job's own
    functions, its first ``studies`` records included by the lead at both stages, and a form."""
    from app.accounts import AccountCreate, create_user
    from extraction import forms
    from extraction.studies import included_studies
    from screening.decisions.resolving import resolve
    from screening.importing import BatchRequest, create_batch, import_batch
    from screening.models import Stage, Verdict
    from screening.records import kept_records
    from screening.review.access import review_access
    from screening.review.members import add_member
    from screening.review.models import ReviewCreate, Role
    from screening.review.reviews import create_review

    lead = create_user(session, AccountCreate(email="lead@example.org", name="Lead", password="x" * 16))
    coder = create_user(session, AccountCreate(email="coder@example.org", name="Coder", password="x" * 16))
    review = create_review(session, ReviewCreate(title=title), lead.id)
    lead_access = review_access(session, review.id, lead.id)
    add_member(session, lead_access, coder.email, Role.reviewer)
    batch = create_batch(session, lead_access, BatchRequest(source_name="Bench", filename=records_file.name),
                         records_file.read_bytes(), uploads_dir=folder, max_bytes=2**30)
    import_batch(session, lambda progress, message: None, batch_id=batch.id, review_id=review.id)
    for record in kept_records(session, review.id)[:studies]:
        for stage in (Stage.title_abstract, Stage.full_text):
            resolve(session, lead_access, record.id, stage, Verdict.include)
    form = forms.create_form(session, lead_access, form_spec)
    return IncludedReview(review, form, forms.load_definition(session, form), review_access(session, review.id, coder.id),
                          included_studies(session, review))
