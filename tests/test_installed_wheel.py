"""The wheel as IT installs it: built from the sources, installed into a venv of its own, run."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import stat
import subprocess
import sys
import venv
import zipfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.matrix import People
from tests.support.names import PROJECT

pytestmark = [pytest.mark.synapse, pytest.mark.long_running]

# What a clean checkout does not have: builds, caches, venvs, compiled catalogs, local data.
NOT_IN_A_CHECKOUT = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".demo", "data",
    "*.mo", "*.pyc",
)  # fmt: skip
STOP_SECONDS = 20
COMMAND_SECONDS = 60


@dataclass(frozen=True)
class Installation:
    """A built wheel and the venv it was installed into."""

    wheel: Path
    venv: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def kuemmerer(self) -> Path:
        return self.venv / "bin" / "kuemmerer"


def clean_environment() -> dict[str, str]:
    """The environment without anything that could point the venv back at the source tree."""
    return {
        name: value
        for name, value in os.environ.items()
        if name not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
        and not name.startswith("KUEMMERER_")
    }


def build_step(*command: str | Path) -> None:
    """Run one step of building or installing; its output is the failure message."""
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, env=clean_environment()
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    """The wheel built from a copy of the checkout and installed with its dependencies by pip
    into a venv of its own."""
    base = tmp_path_factory.mktemp("wheel")
    # Built from a copy: the build sees only what a checkout has (no .mo files, no stale build/)
    # and writes nothing into the working tree.
    source = base / "source"
    shutil.copytree(PROJECT, source, ignore=NOT_IN_A_CHECKOUT)
    wheels = base / "dist"
    build_step(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", wheels, source)
    (wheel,) = wheels.glob("kuemmerer-*.whl")
    target = base / "venv"
    # pip resolves and installs the wheel and every dependency into the new venv as IT's pip
    # would; it runs from this venv (--python) rather than being bootstrapped into the new one,
    # and leaves byte-compiling to the first import: together two thirds of the install's time.
    venv.create(target, with_pip=False)
    build_step(
        sys.executable, "-m", "pip", "--python", target / "bin" / "python",
        "install", "--quiet", "--no-compile", wheel,
    )  # fmt: skip
    yield Installation(wheel, target)


def test_the_wheel_carries_catalogs_migrations_and_the_demo_script(
    installation: Installation,
) -> None:
    """The German catalog is compiled into the wheel; migrations, the demo script and the
    document templates ship too."""
    with zipfile.ZipFile(installation.wheel) as wheel:
        names = set(wheel.namelist())
    assert "commands/locale/de/LC_MESSAGES/kuemmerer.mo" in names
    assert {"storage/migrations/env.py", "storage/migrations/script.py.mako"} <= names
    assert "storage/migrations/versions/0001_foundation.py" in names
    assert "bot/devtools/demo_script.txt" in names
    assert {
        "commands/framework/templates/report.html",
        "commands/framework/templates/minutes.html",
    } <= names
    assert "storage/migrations/versions/0009_minutes.py" in names
    assert not any(name.startswith(("tests/", "locale/")) for name in names)


def test_the_installed_wheel_renders_a_report_as_pdf(installation: Installation) -> None:
    """The installed package finds its report template and draws a PDF from it, with no
    source tree and no system font."""
    script = (
        "from datetime import UTC, datetime; "
        "from commands.framework.documents import html_to_pdf, render_html; "
        "import sys; "
        "labels = dict.fromkeys(('summary', 'what', 'count', 'decisions', 'tasks', 'none', "
        "'number', 'task', 'owner', 'state'), '–'); "
        "html = render_html('report.html', title='Sachstandsbericht', period='', counts=[], "
        "chart='', decisions=[], tasks=[], labels=labels, created=''); "
        "sys.stdout.buffer.write(html_to_pdf(html, title='t', created=datetime.now(UTC), "
        "language='de')[:5])"
    )
    result = subprocess.run(
        [str(installation.python), "-c", script],
        capture_output=True,
        env=clean_environment(),
        cwd=installation.venv,
        timeout=COMMAND_SECONDS,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b"%PDF-"


async def run_installed(installation: Installation, *arguments: str, cwd: Path) -> tuple[int, str]:
    """Run the installed ``kuemmerer`` command; its exit status and its output."""
    process = await asyncio.create_subprocess_exec(
        installation.kuemmerer,
        *arguments,
        cwd=cwd,
        env=clean_environment(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), COMMAND_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return process.returncode or 0, output.decode()


@contextlib.asynccontextmanager
async def installed_bot_running(
    installation: Installation, config: Path, log: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``kuemmerer run`` as a process; always stopped (SIGTERM, then kill), its log shown on
    failure."""
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            str(installation.kuemmerer),
            "run",
            "--config",
            str(config),
            cwd=config.parent,
            env=clean_environment(),
            stdout=output,
            stderr=output,
        )
    try:
        yield process
    except BaseException:
        await stop(process)
        print(f"--- log of kuemmerer run (exit {process.returncode}) ---", file=sys.stderr)
        print(log.read_text(errors="replace"), file=sys.stderr)
        raise
    finally:
        await stop(process)


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), STOP_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()


async def test_the_installed_wheel_answers_hilfe_in_german(
    installation: Installation, people: People, tmp_path: Path
) -> None:
    """The installed command checks its config, migrates, runs and answers !hilfe in German;
    it stops cleanly on SIGTERM and has kept its data private."""
    anna = await people.person("anna")
    bot_user = await people.register("kuemmerer")
    team_room = await anna.create_room("Bildungsbüro", invite=[bot_user.user_id])
    home = tmp_path / "kuemmerer"
    home.mkdir()
    config = home / "config.toml"
    # No language and no storage url: the defaults (German, SQLite beside the config) apply.
    config.write_text(
        f"""
[matrix]
homeserver = "{people.synapse.url}"
user_id = "{bot_user.user_id}"
password = "{bot_user.password}"
sync_timeout_ms = 1000

[bot]
team_room = "{team_room}"
allowed_servers = ["{people.synapse.server_name}"]
""",
        encoding="utf-8",
    )

    status, output = await run_installed(
        installation, "check-config", "--config", str(config), cwd=home
    )
    assert status == 0 and "language:    de" in output, output
    status, output = await run_installed(
        installation, "migrate", "--config", str(config), cwd=home
    )
    assert status == 0 and "Database is up to date." in output, output
    # The process that answers is the venv's: its Python imports bot from there, not from here.
    process = await asyncio.create_subprocess_exec(
        str(installation.python), "-c", "import bot; print(bot.__file__)",
        cwd=home, env=clean_environment(), stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    imported_from = Path((await process.communicate())[0].decode().strip())
    assert imported_from.is_relative_to(installation.venv), imported_from

    async with installed_bot_running(installation, config, tmp_path / "run.log") as bot:
        await anna.wait_until(lambda: anna.is_joined(team_room, bot_user.user_id), timeout=60)
        reply = await anna.ask(team_room, "!hilfe", timeout=30)
        assert reply.sender == bot_user.user_id
        assert "Was Sie hier tun können" in reply.body
        await stop(bot)
        assert bot.returncode == 0
    data = home / "data"
    assert stat.S_IMODE((data / "kuemmerer.db").stat().st_mode) == 0o600
    assert stat.S_IMODE((data / "store").stat().st_mode) == 0o700
    assert stat.S_IMODE(data.stat().st_mode) == 0o700


def test_the_plain_install_runs_without_the_demo_extra(
    installation: Installation, tmp_path: Path
) -> None:
    """Installed without extras, the venv has neither rich nor tomli-w nor Synapse, and
    ``kuemmerer demo`` says in one sentence how to install the extra instead of failing."""
    probe = (
        "import importlib.util; "
        "print([m for m in ('rich', 'tomli_w', 'synapse') if importlib.util.find_spec(m)])"
    )

    def run(*command: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(part) for part in command],
            capture_output=True,
            text=True,
            env=clean_environment(),
            cwd=tmp_path,
            timeout=COMMAND_SECONDS,
        )

    found = run(installation.python, "-c", probe)
    assert found.returncode == 0 and found.stdout.strip() == "[]", found
    demo = run(installation.kuemmerer, "demo", "--dir", tmp_path / "demo")
    assert demo.returncode == 2, demo
    assert demo.stderr.strip() == (
        'The demo needs the optional extra "demo": install it with '
        "pip install 'kuemmerer[demo]' (in a checkout, make demo does that)."
    )
