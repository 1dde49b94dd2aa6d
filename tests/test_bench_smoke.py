"""`make bench` cannot rot: the Matrix benchmark at its smallest setting on the session's
Synapse. No timing is asserted — only that it runs, counts correctly and writes its file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.common import write_results
from bench.load_settings import SMOKE
from bench.matrix_load import NAME, run
from bot.devtools.homeserver import LocalSynapse

pytestmark = pytest.mark.synapse


async def test_the_matrix_benchmark_sees_every_command_answered_once_and_writes_its_results(
    synapse: LocalSynapse, tmp_path: Path
) -> None:
    """At its smallest setting both bots answer every command once, every reminder is posted
    once, and the results file carries the machine's description and the raw percentiles."""
    results = await run(SMOKE, synapse, tmp_path / "run")
    path = write_results(NAME, results, tmp_path / "results")
    document = json.loads(path.read_text(encoding="utf-8"))

    assert {"cpu", "cores", "ram_gb", "python", "os", "synapse", "commit"} <= set(
        document["machine"]
    )
    for kind in ("plain", "encrypted"):
        for bot in ("echo", "kuemmerer"):
            figures = document["idle"][kind][bot]
            assert figures["answered_once"] == figures["commands"] == SMOKE.idle_rounds
            assert {"p50", "p95"} <= set(figures["server_ms"])
        assert {"ratio_p50", "ratio_p95"} <= set(document["idle"][kind])
    for bot in ("echo", "kuemmerer"):
        burst = document["burst"][bot]
        assert burst["answered_once"] == burst["commands"] == SMOKE.burst_commands
        assert burst["order_kept"]
        assert burst["cpu_ms_per_command"] > 0
    reminders = document["reminders"]
    assert (reminders["posted"], reminders["missing"], reminders["doubled"]) == (
        SMOKE.reminders,
        0,
        0,
    )
    assert {"p50", "p99"} <= set(reminders["lateness_s"]["all"])
    assert set(document["goals"]) >= {"idle_plain_p50_ratio", "reminder_p99_s"}
