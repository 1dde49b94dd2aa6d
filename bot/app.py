"""Wiring: build every part of the bot once, from the configuration, and run it."""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.config import Config
from bot.core import Kuemmerer
from bot.feed import FeedServer
from bot.health import check_health
from bot.matrix import MatrixGateway, login
from bot.posting import job_handlers
from bot.scheduler import (
    SchedulerService,
    ensure_digest,
    ensure_housekeeping,
    housekeeping_handlers,
)
from commands.catalog.modules import build_jobs, build_registry
from commands.framework.clock import Clock, SystemClock
from storage.database import Database
from storage.repositories import Store

log = logging.getLogger(__name__)


async def create_bot(config: Config, clock: Clock | None = None) -> Kuemmerer:
    """A ready-to-run bot: database migrated, logged in, scheduler attached."""
    clock = clock or SystemClock()
    database = Database(config.storage.url)
    await database.migrate()
    await rebuild_search_index_if_stale(database)
    try:
        client = await login(config)
    except BaseException:
        await database.dispose()
        raise
    bot = Kuemmerer(config, MatrixGateway(client), database, build_registry(), clock)
    # The features declare what to post when; the bot runs their jobs and delivers the posts.
    handlers = {**housekeeping_handlers(database), **job_handlers(bot, build_jobs())}
    bot.job_kinds = frozenset(handlers)
    bot.scheduler = SchedulerService(database, clock, config.scheduler.grace_period, handlers)
    await ensure_housekeeping(bot.scheduler, config.bot.timezone)
    await ensure_digest(
        bot.scheduler, config.tasks.digest_day, config.tasks.digest_at, config.bot.timezone
    )
    if config.http.enabled:
        bot.services.append(
            FeedServer(database, config.http, clock, bot.t, health=lambda: check_health(bot))
        )
    return bot


async def rebuild_search_index_if_stale(database: Database) -> None:
    """A database from before the search index existed (or restored without it) is indexed."""
    async with database.session() as session:
        index = Store(session).search
        if await index.is_stale():
            count = await index.rebuild()
            log.info("search index rebuilt: %d records", count)


async def serve(config: Config) -> int:
    """``kuemmerer run``: until SIGTERM or SIGINT, then a clean exit with status 0."""
    # Signals during start-up (migration, login) must end cleanly too, so listen from the start.
    stop_requested = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop_requested.set)
    bot = await create_bot(config)
    log.info("Kümmerer runs as %s", config.matrix.user_id)
    running = asyncio.create_task(bot.run())
    await stop_requested.wait()
    bot.stop()
    await running
    return 0
