"""What every benchmark shares: the machine it ran on, percentiles, plain-text tables and the
results file.

A figure means little without the machine behind it, so every ``bench/results/<name>.json``
starts with :func:`machine_description`.
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import platform
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT / "bench" / "results"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gb() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _commit() -> str | None:
    """The checked-out commit, marked ``-dirty`` when tracked files differ from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PROJECT, capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("-dirty" if changed else "")


def machine_description() -> dict[str, Any]:
    """CPU, cores, RAM, Python, OS, the Synapse and matrix-nio versions, and the commit."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gb": _memory_gb(),
        "python": platform.python_version(),
        "os": platform.platform(),
        # The benchmarks start the venv's own Synapse, so its installed version is the one run.
        "synapse": _package_version("matrix-synapse"),
        "matrix_nio": _package_version("matrix-nio"),
        "commit": _commit(),
        # Other work on the machine slows both bots; the figures read differently under load.
        "load_average": list(os.getloadavg()),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def describe_machine(machine: dict[str, Any]) -> str:
    """One line for a report's header."""
    return (
        f"{machine['cpu']}, {machine['cores']} cores, {machine['ram_gb']} GB RAM; "
        f"Python {machine['python']}; Synapse {machine['synapse']}; "
        f"commit {str(machine['commit'])[:12]}"
    )


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0–100) with linear interpolation between the closest ranks.

    The same definition as NumPy's default, so figures compare with other tools'.
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} is outside 0..100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    below, above = math.floor(rank), math.ceil(rank)
    return ordered[below] + (ordered[above] - ordered[below]) * (rank - below)


def summary(values: Sequence[float]) -> dict[str, float | int]:
    """Count, p50, p95, p99 and max of ``values`` (empty values give only the count)."""
    if not values:
        return {"count": 0}
    return {
        "count": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values),
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator``, or None when either is missing or the floor is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def cell(value: Any) -> str:
    """How a table shows a value: floats with sensible digits, None as a dash."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table: the first column left-aligned, the others right-aligned."""
    texts = [[cell(value) for value in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in texts:
        for index, text in enumerate(row):
            widths[index] = max(widths[index], len(text))

    def line(values: Sequence[str]) -> str:
        first, *rest = values
        return "  ".join(
            [first.ljust(widths[0]), *(v.rjust(w) for v, w in zip(rest, widths[1:], strict=True))]
        )

    header = line(list(headers))
    return "\n".join([title, header, "-" * len(header), *(line(row) for row in texts)])


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print :func:`table` followed by an empty line."""
    print(table(title, headers, rows))
    print()


def write_results(name: str, results: dict[str, Any], directory: Path | None = None) -> Path:
    """Write ``<directory>/<name>.json`` (``bench/results`` by default) with the machine's
    description first; returns the path."""
    directory = directory or RESULTS
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    document = {"benchmark": name, "machine": machine_description(), **results}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
