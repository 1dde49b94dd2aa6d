"""``GET /health`` on the bot's web server: is the bot syncing, is its database reachable, is
its scheduler armed? For monitoring and container health checks.

The answer holds only booleans and a number of seconds: no user, room or committee, no
version, no configuration — anyone who can reach the port may ask.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.core import Kuemmerer

log = logging.getLogger(__name__)

# A sync long-polls for up to matrix.sync_timeout_ms; beyond that plus this margin the loop is
# stuck or failing (its backoff after errors grows to 60 s, so a short outage shows too).
SYNC_MARGIN = timedelta(seconds=60)
DATABASE_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class HealthReport:
    """The three checks; healthy only when all pass."""

    sync: bool
    seconds_since_sync: int | None
    database: bool
    scheduler: bool

    @property
    def healthy(self) -> bool:
        return self.sync and self.database and self.scheduler

    def to_json(self) -> str:
        body: dict[str, Any] = {
            "status": "ok" if self.healthy else "unhealthy",
            "checks": {
                "sync": {"ok": self.sync, "seconds_since_last": self.seconds_since_sync},
                "database": {"ok": self.database},
                "scheduler": {"ok": self.scheduler},
            },
        }
        return json.dumps(body)


async def check_health(bot: Kuemmerer) -> HealthReport:
    """The bot's health now, by its injected clock."""
    bound = timedelta(milliseconds=bot.config.matrix.sync_timeout_ms) + SYNC_MARGIN
    last = bot.state.last_sync
    age = None if last is None else bot.clock.now() - last
    try:
        await asyncio.wait_for(bot.database.ping(), DATABASE_TIMEOUT_SECONDS)
        database = True
    except Exception as error:  # any failure means "not reachable"; the reason goes to the log
        log.warning("health: database not reachable: %s", type(error).__name__)
        database = False
    return HealthReport(
        sync=age is not None and age <= bound,
        seconds_since_sync=None if age is None else max(0, int(age.total_seconds())),
        database=database,
        scheduler=bot.scheduler is not None and bot.scheduler.armed,
    )
