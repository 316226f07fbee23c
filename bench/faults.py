"""Which faults Winnow survives: the fault tests run as they run in CI, their outcome printed.

usage: .venv/bin/python bench/faults.py

Each fault is a test in tests/test_faults.py, with real processes: a ``winnow worker``
SIGKILLed in the middle of a large import and in the middle of a training, PostgreSQL cutting
every connection while reviewers work (what a restart does), and a full disk while a PDF is
saved. Each test checks that nothing acknowledged was lost and nothing half-done shows; this
script runs them (through pytest, on SQLite and PostgreSQL where they apply) and prints one
line per fault and database, and how many were survived.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="winnow-faults-") as folder:
        report = Path(folder) / "faults.xml"
        subprocess.run([sys.executable, "-m", "pytest", "tests/test_faults.py", "-q", "-p", "no:cacheprovider",
                        f"--junitxml={report}"], cwd=REPO, capture_output=True, text=True)
        if not report.exists():
            print("pytest wrote no report: run `.venv/bin/pytest tests/test_faults.py` to see why")
            return 1
        cases = ET.parse(report).getroot().iter("testcase")
        rows = []
        for case in cases:
            name = case.get("name", "")
            words = name.removeprefix("test_").split("[")[0].replace("_", " ")
            database = name.split("[", 1)[1].rstrip("]") if "[" in name else ""
            failed = case.find("failure") is not None or case.find("error") is not None
            skipped = case.find("skipped") is not None
            outcome = "NOT SURVIVED" if failed else "not run" if skipped else "survived"
            rows.append((words, database, outcome, float(case.get("time", 0))))
    print("| fault, and what must hold | database | outcome | s |\n|---|---|---|---|")
    for words, database, outcome, seconds in rows:
        print(f"| {words} | {database} | {outcome} | {seconds:.1f} |")
    survived = sum(outcome == "survived" for _, _, outcome, _ in rows)
    print(f"\n{survived} of {len(rows)} fault runs survived.")
    return 0 if survived == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
