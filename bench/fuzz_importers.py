"""How many random and mutated files the importers were given, and what came of them.

usage: nice .venv/bin/python bench/fuzz_importers.py [EXAMPLES]   (default 20000)

Draws EXAMPLES inputs from the same strategies as tests/test_importer_fuzz.py (mutated RIS,
MEDLINE, BibTeX, EndNote XML, CSV and XLSX files, random bytes, random strings of each format's
syntax), unseeded so each run tries new ones, and prints how many were read as records, refused
with the clear ImportFormatError, or crashed (any other exception: must be 0; each kind is
printed with its smallest input)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, given, settings  # noqa: E402

from screening.importers import ImportFormatError, parse_file  # noqa: E402
from tests.test_importer_fuzz import inputs  # noqa: E402


def main() -> None:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    counts = {"read": 0, "refused": 0, "crashed": 0}
    crashes: dict[tuple[str, str], bytes] = {}

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(inputs)
    def run(example):
        name, data = example
        try:
            parse_file(data, name)
        except ImportFormatError:
            counts["refused"] += 1
        except Exception as error:  # what the fuzz test forbids
            counts["crashed"] += 1
            key = (name, f"{type(error).__name__}: {str(error)[:80]}")
            if key not in crashes or len(data) < len(crashes[key]):
                crashes[key] = data
        else:
            counts["read"] += 1

    run()
    print(f"inputs tried: {sum(counts.values())}  read as records: {counts['read']}  "
          f"refused with ImportFormatError: {counts['refused']}  crashed: {counts['crashed']}")
    for (name, error), data in crashes.items():
        print(f"  {name}: {error}  smallest input: {data[:200]!r}")


if __name__ == "__main__":
    main()
