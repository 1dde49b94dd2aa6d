"""``make bench``: every benchmark that writes ``bench/results/*.json``, one after the other.

Run: ``.venv/bin/python -m bench`` (``--quick`` for a short smoke run of each).

1. ``bench.matrix_load``: reply time, a burst and reminders against a minimal echo bot on a
   throwaway Synapse.
2. ``bench.scale``, where present: how search, lists, the scheduler, start-up and memory grow
   with the amount of data. It gets the same arguments and writes its own results file.

``bench.search`` is left out on purpose: its SQLite-against-PostgreSQL comparison takes several
minutes, writes no results file, and what it would add here — search latency against the
amount of data — is what ``bench.scale`` measures. Run it on its own when the search index
changes.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Callable
from typing import cast

from bench import matrix_load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run every benchmark in turn.")
    parser.add_argument("--quick", action="store_true", help="a short smoke run of each")
    arguments = parser.parse_args(argv)
    passed = ["--quick"] if arguments.quick else []
    benchmarks: list[tuple[str, Callable[[list[str] | None], int]]] = [
        ("matrix_load", matrix_load.main)
    ]
    try:
        # Imported late: another module that may not exist in every checkout yet.
        scale = importlib.import_module("bench.scale")
    except ModuleNotFoundError as missing:
        if missing.name != "bench.scale":
            raise
        print("bench.scale is not there; skipped", flush=True)
    else:
        benchmarks.append(("scale", cast(Callable[[list[str] | None], int], scale.main)))
    status = 0
    for name, run in benchmarks:
        print(f"=== bench.{name} {' '.join(passed)}".rstrip(), flush=True)
        started = time.monotonic()
        outcome = run(list(passed))
        print(f"=== bench.{name}: exit {outcome} after {time.monotonic() - started:.0f} s\n")
        status = status or outcome
    return status


if __name__ == "__main__":
    sys.exit(main())
