"""``python -m bench.scale`` at its smallest: the benchmark runs end to end against the real
Synapse and measures real answers, so its figures cannot come from empty results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.scale import DUE_PER_WAKE_UP, ROWS, WAKE_UPS, main
from bot.devtools.homeserver import LocalSynapse

pytestmark = pytest.mark.synapse

QUERIES = 6


def test_smallest_size_writes_every_measurement_from_answers_that_list_something(
    synapse: LocalSynapse, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """At 200 persons the JSON holds every measurement of the growth table, each command was
    answered without an error and listed something, and every wake-up ran what was due."""
    output = tmp_path / "scale.json"
    arguments = ["--sizes", "200", "--queries", str(QUERIES), "--output", str(output)]
    assert main([*arguments, "--synapse", str(synapse.directory)]) == 0

    report = json.loads(output.read_text(encoding="utf-8"))
    assert report["sizes"] == [200]
    assert {"cpu", "cores", "python", "sqlite"} <= set(report["machine"])
    (result,) = report["results"]
    assert result["counts"]["person"] == 200
    assert result["counts"]["meeting"] >= 1 and result["counts"]["task"] >= 1
    assert [row["measurement"] for row in report["growth"]] == [
        label.strip() for label, *_ in ROWS
    ]
    assert all((row["by_persons"]["200"] or 0) > 0 for row in report["growth"]), report["growth"]

    queries = result["queries"]
    assert set(queries) == {"search", "wer", "termine_team", "termine_committee", "wake_up"}
    for name in ("search", "wer", "termine_team", "termine_committee"):
        assert queries[name]["count"] == QUERIES, name
        assert queries[name]["errors"] == 0, name
    # A typo'd name may find nobody in so small a network; most searches find someone.
    assert queries["search"]["with_results"] >= QUERIES // 2
    for name in ("wer", "termine_team", "termine_committee"):
        assert queries[name]["with_results"] == QUERIES, name
    assert queries["wake_up"]["count"] == WAKE_UPS
    assert queries["wake_up"]["with_results"] == WAKE_UPS, f"{DUE_PER_WAKE_UP} due each time"

    bot = result["bot_process"]
    assert bot["matrix_queries"] > 0
    assert bot["peak_rss_after_queries_mb"] >= bot["peak_rss_after_answer_mb"] > 0
    assert "Kümmerer scale benchmark" in capsys.readouterr().out
