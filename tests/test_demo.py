"""``kuemmerer demo``: the scripted demo end to end, and the pieces it is built from."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load_config
from bot.devtools.demo.bootstrap import start_afresh
from bot.devtools.demo.cast import PEOPLE, ROOMS, choose, person_names, room_names
from bot.devtools.demo.configuration import config_toml, demo_config
from bot.devtools.demo.conversation import indent_message
from bot.devtools.demo.terminal import StdinLines
from bot.devtools.homeserver import LocalSynapse
from bot.devtools.sample_data import seed_committees, seed_contact_network, seed_tasks
from commands.framework.registry import Role, RoomKind
from storage.database import Database
from tests.support.desk import Desk

pytestmark = pytest.mark.long_running

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_TIMEOUT_SECONDS = 180

SCRIPT = """\
# Anna (team, admin) in the team room, then Bernd (committee member) in the committee room.
!hilfe
!wer Übergang Schule-Beruf
Kümmerer, wer ist für Ganztag zuständig?
!netzwerk
!einladung 1
/raum beirat
/als bernd
!hilfe
!tagesordnung
"""


def _run_demo(script: Path, directory: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "demo",
            "--script",
            str(script),
            "--dir",
            str(directory),
            *options,
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        encoding="utf-8",
        timeout=DEMO_TIMEOUT_SECONDS,
        # German text and typographic quotes: UTF-8 whatever the test machine's locale says.
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"},
    )


def _answer_to(transcript: str, command_line: str) -> str:
    """The bot's answer printed under ``command_line``: ``  Kümmerer: …`` and its continuation."""
    lines = transcript.splitlines()
    assert command_line in lines, transcript
    start = lines.index(command_line) + 1
    assert lines[start].startswith("  Kümmerer: "), transcript
    end = start + 1
    while end < len(lines) and lines[end].startswith("    "):
        end += 1
    return "\n".join(lines[start:end])


def _port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.synapse
def test_scripted_demo_answers_by_role_and_keeps_its_data_only_when_asked(tmp_path: Path) -> None:
    """The scripted demo answers Anna (admin) and Bernd (member) with their own help, answers a
    question by name, saves the chart it is sent, shows the invitation posted into the
    committee room and the seeded agenda with its paper; it stops its homeserver, and a run
    with --keep reuses users and rooms."""
    script = tmp_path / "script.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    directory = tmp_path / "demo"
    try:
        runs = []
        for options in ((), ("--keep",)):
            result = _run_demo(script, directory, *options)
            output = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            assert result.returncode == 0, output
            anna = _answer_to(result.stdout, "[Bildungsbüro (Team)] Anna Schulz: !hilfe")
            bernd = _answer_to(result.stdout, "[Bildungsbeirat] Bernd Keller: !hilfe")
            # Language-independent: command names, whether or not the catalog is translated.
            assert "`!hilfe`" in anna and "`!hilfe`" in bernd, output
            assert "!audit" in anna, output
            assert "!audit" not in bernd, output
            agenda = _answer_to(result.stdout, "[Bildungsbeirat] Bernd Keller: !tagesordnung")
            assert "Bildungsbericht 2027" in agenda and "Bildungsbericht-2027-Entwurf.md" in agenda
            who = _answer_to(
                result.stdout, "[Bildungsbüro (Team)] Anna Schulz: !wer Übergang Schule-Beruf"
            )
            assert "Selin Aydın" in who and "Birgit Lorenz" in who, output
            question = (
                "[Bildungsbüro (Team)] Anna Schulz: Kümmerer, wer ist für Ganztag zuständig?"
            )
            assert "Julia Neumann" in _answer_to(result.stdout, question), output
            saved = re.search(r"↳ gespeichert \(saved\): (\S+netzwerk-\S+\.png)", result.stdout)
            assert saved is not None, output
            chart = Path(saved.group(1))
            chart = chart if chart.is_absolute() else PROJECT_ROOT / chart
            assert chart.parent == directory / "downloads"
            assert chart.read_bytes().startswith(b"\x89PNG"), output
            assert "  [Bildungsbeirat] Kümmerer: " in result.stdout, output
            url = re.search(r"Homeserver:\s+http://127\.0\.0\.1:(\d+)", result.stdout)
            assert url is not None, output
            assert not _port_is_open(int(url.group(1))), "Synapse still runs after the demo"
            runs.append(json.loads((directory / "demo.json").read_text(encoding="utf-8")))
        first, kept = runs
        assert kept["rooms"] == first["rooms"]
        assert kept["people"] == first["people"]  # same logins, no new devices
        config = load_config(directory / "config.toml", environ={})
        assert config.bot.team_room == first["rooms"]["team"]
        assert config.bot.admins == ("@anna.schulz:localhost",)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def test_each_run_starts_afresh_but_never_deletes_a_foreign_directory(tmp_path: Path) -> None:
    """Without --keep the demo deletes what its last run left; a directory it did not make
    (a mistyped --dir) is refused and left alone."""
    demo = tmp_path / "demo"
    (demo / "homeserver").mkdir(parents=True)
    (demo / "demo.json").write_text("{}", encoding="utf-8")
    assert start_afresh(demo)
    assert not demo.exists()
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "thesis.odt").write_text("years of work", encoding="utf-8")
    assert not start_afresh(foreign)
    assert (foreign / "thesis.odt").read_text(encoding="utf-8") == "years of work"


def test_written_config_reads_back_unchanged(tmp_path: Path) -> None:
    """config.toml, as the demo writes it, loads into exactly the configuration the demo ran."""
    synapse = LocalSynapse(tmp_path / "homeserver")
    config = demo_config(synapse, 'pa"ss\\wört', "!team:localhost", tmp_path / "bot")
    path = tmp_path / "config.toml"
    path.write_text(config_toml(config), encoding="utf-8")
    assert load_config(path, environ={}) == config
    assert config.bot.language == "de" and config.bot.timezone == "Europe/Berlin"


def test_rooms_and_people_are_found_by_name_or_prefix() -> None:
    """/raum and /als accept keys, names, umlaut-free spellings and unambiguous prefixes."""
    team, beirat, steering, working_group = ROOMS
    anna, bernd = PEOPLE
    assert choose(ROOMS, "team", room_names) is team
    assert choose(ROOMS, "Bildungsbuero", room_names) is team
    assert choose(ROOMS, "bei", room_names) is beirat
    assert choose(ROOMS, "bildungsbeirat", room_names) is beirat
    assert choose(ROOMS, "bildungsb", room_names) is None  # both rooms start so
    assert choose(ROOMS, "", room_names) is None
    assert choose(ROOMS, "sg", room_names) is steering
    assert choose(ROOMS, "AG Uebergang", room_names) is working_group
    assert choose(PEOPLE, "Bernd", person_names) is bernd
    assert choose(PEOPLE, "a", person_names) is anna
    assert choose(PEOPLE, "carla", person_names) is None


def test_answers_are_indented_under_their_command() -> None:
    """A multi-line answer starts with the sender's name; further lines are indented deeper."""
    assert indent_message("Kümmerer", "Kopf\n• eins\n\n• zwei") == (
        "  Kümmerer: Kopf\n    • eins\n\n    • zwei"
    )


async def test_seed_builds_the_network_and_the_committees_by_command(database: Database) -> None:
    """The fictional network (25 organisations, 40 contacts, 60 offers) and three committees
    with members and meeting series, and a published first agenda with a non-public item and
    a late one, set up through the real commands in German; then a past meeting's decisions
    and open tasks, some overdue, that the lists and the report show."""
    desk = Desk(database, language="de")
    assert await seed_contact_network(database, desk.clock) == {
        "persons": 40,
        "organizations": 25,
        "offers": 60,
    }
    rooms = {
        "team": "!team:localhost",
        "beirat": "!beirat:localhost",
        "steuerung": "!sg:localhost",
        "ag": "!ag:localhost",
    }
    await seed_committees(
        desk.dispatcher, rooms, "@anna.schulz:localhost", "@bernd.keller:localhost"
    )
    meetings = await desk.ask("!termine", room_id="!team:localhost")
    assert "Bildungsbeirat" in meetings and "Steuerungsgruppe Bildung" in meetings
    assert "AG Übergang Schule–Beruf" in meetings
    who = await desk.ask("!wer Bildungsbeirat")
    assert "Bernd Keller" in who and "Vorsitz" in who and "Nadine Koch" in who
    agenda = await desk.ask("!tagesordnung 1")
    assert "(veröffentlicht am" in agenda, agenda
    assert "Ö 5 Bildungsbericht 2027: erste Ergebnisse" in agenda
    assert "NÖ 1 Personalangelegenheit Schulsozialarbeit" in agenda
    assert "Ferienbetreuung 2027" in agenda.split("Nachträge, die auf Annahme")[1]

    members = ("@anna.schulz:localhost", "@bernd.keller:localhost")
    assert await seed_tasks(database, desk.clock, rooms, *members) == {
        "decisions": 2,
        "tasks": 5,
        "minutes_entries": 14,
    }
    tasks = await desk.ask("!aufgaben")
    first, second = [line for line in tasks.splitlines() if line.startswith("• ")][:2]
    assert "in Arbeit, überfällig" in first and "Nadine Koch" in first
    assert "offen, überfällig" in second and "Newsletter" in second
    tracking = await desk.ask("!beschlüsse")
    assert "Stand der Umsetzung der Beschlüsse (alle Gremien):" in tracking
    assert "· überfällig · Ja 9 · Nein 1 · Enthaltung 2" in tracking
    assert "· erledigt · einstimmig" in tracking
    report = await desk.ask("!bericht")
    assert "• Beschlüsse: 2" in report and "• davon überfällig: 2" in report
    minutes = await desk.ask("!protokoll", Role.MEMBER, RoomKind.GROUP, room_id=rooms["beirat"])
    assert "Protokoll: Bildungsbeirat, Sitzung Nr. " in minutes, minutes
    assert "Anwesend: Anna Schulz, Bernd Keller, Nadine Koch, Petra Hoffmann" in minutes
    assert "Ö 5 Sprachförderung in Kitas" in minutes and "Wartelisten" in minutes


async def test_stdin_lines_are_split_and_end_with_none() -> None:
    """Typed input arrives line by line, a last line without newline included, then None."""
    read_end, write_end = os.pipe()
    lines = StdinLines(asyncio.get_running_loop(), read_end)
    os.write(write_end, "!hilfe\r\n/als bernd\nÜbergang".encode())
    os.close(write_end)
    received = [await lines.next() for _ in range(4)]
    os.close(read_end)
    assert received == ["!hilfe", "/als bernd", "Übergang", None]
