"""deploy/: the systemd unit and the Containerfile call commands the CLI has, keep their data in
the state directory, and carry the hardening an IT department expects."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path, PurePosixPath

import pytest

from bot.cli import _parser
from bot.config import HttpConfig
from bot.feed import HEALTH_ROUTE

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
UNIT = DEPLOY / "kuemmerer.service"
CONTAINERFILE = DEPLOY / "Containerfile"
HARDENING = {
    "NoNewPrivileges": "true",
    "ProtectSystem": "strict",
    "ProtectHome": "true",
    "PrivateTmp": "true",
    "UMask": "0077",
    "Restart": "on-failure",
    "User": "kuemmerer",
}


def unit_sections(text: str) -> dict[str, list[tuple[str, str]]]:
    """A systemd unit as sections of (key, value) pairs; keys may repeat, as systemd allows."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        key, equals, value = line.partition("=")
        assert current is not None and equals, f"line {number} is no key=value in a section"
        current.append((key.strip(), value.strip()))
    return sections


def single(section: list[tuple[str, str]], key: str) -> str:
    values = [value for name, value in section if name == key]
    assert len(values) == 1, f"{key} appears {len(values)} times"
    return values[0]


def commands_in_unit() -> list[list[str]]:
    service = unit_sections(UNIT.read_text(encoding="utf-8"))["Service"]
    return [shlex.split(value) for key, value in service if key.startswith("Exec")]


def assert_the_cli_accepts(argv: list[str]) -> None:
    """``argv`` (after the program name) parses as a kuemmerer command line."""
    try:
        arguments = _parser().parse_args(argv)
    except SystemExit:
        pytest.fail(f"kuemmerer does not accept {shlex.join(argv)}")
    assert arguments.command in argv


def test_unit_has_the_sections_and_hardening() -> None:
    """The unit parses into Unit, Service and Install, and the Service section has every
    hardening key with the expected value."""
    sections = unit_sections(UNIT.read_text(encoding="utf-8"))
    assert set(sections) == {"Unit", "Service", "Install"}
    service = sections["Service"]
    for key, value in HARDENING.items():
        assert single(service, key) == value, key
    assert single(sections["Install"], "WantedBy") == "multi-user.target"


def test_unit_runs_existing_subcommands_with_the_system_config() -> None:
    """ExecStartPre migrates and ExecStart runs, both subcommands the CLI knows, both with
    /etc/kuemmerer/config.toml."""
    commands = commands_in_unit()
    assert [(Path(c[0]).name, c[1]) for c in commands] == [
        ("kuemmerer", "migrate"),
        ("kuemmerer", "run"),
    ]
    for command in commands:
        assert_the_cli_accepts(command[1:])
        assert command[command.index("--config") + 1] == "/etc/kuemmerer/config.toml"


def test_unit_keeps_state_in_its_state_directory() -> None:
    """Every /var/lib path the unit names (working directory, paths in its comments) lies in
    the directory StateDirectory= creates."""
    text = UNIT.read_text(encoding="utf-8")
    service = unit_sections(text)["Service"]
    state = PurePosixPath("/var/lib") / single(service, "StateDirectory")
    assert PurePosixPath(single(service, "WorkingDirectory")) == state
    mentioned = [PurePosixPath(path) for path in re.findall(r"/var/lib/[\w./-]*", text)]
    assert mentioned, "the unit names no path in the state directory"
    for path in mentioned:
        assert path == state or state in path.parents, path


def containerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined."""
    joined = CONTAINERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    instructions = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def test_container_runs_an_existing_subcommand_as_a_user_with_a_volume() -> None:
    """ENTRYPOINT plus CMD is a kuemmerer command line the CLI accepts; the image is built on
    python:3.11-slim, runs as a non-root user and keeps /var/lib/kuemmerer in a volume."""
    instructions = containerfile_instructions()
    values = dict(instructions)
    assert values["FROM"] == "python:3.11-slim"
    entrypoint, cmd = json.loads(values["ENTRYPOINT"]), json.loads(values["CMD"])
    assert entrypoint == ["kuemmerer"]
    assert_the_cli_accepts(cmd)
    assert values["USER"] not in ("root", "0")
    assert json.loads(values["VOLUME"]) == ["/var/lib/kuemmerer"]
    assert values["WORKDIR"] == "/var/lib/kuemmerer"


def test_container_health_check_asks_the_health_route() -> None:
    """The HEALTHCHECK fetches the bot's health route on the web server's default port."""
    values = dict(containerfile_instructions())
    assert f"http://127.0.0.1:{HttpConfig().port}{HEALTH_ROUTE}" in values["HEALTHCHECK"]
    assert f"EXPOSE {HttpConfig().port}" in CONTAINERFILE.read_text(encoding="utf-8")
