"""The calendar subscription feed: a small web server for Outlook and Thunderbird.

Two routes: ``GET /health`` for monitoring (see :mod:`bot.health`) and
``GET /kalender/<token>.ics``: the committee whose secret feed token it is gets
its calendar (what goes in is :mod:`commands.meetings.feed`'s to decide);
everything else is the same plain 404, so
neither the body nor the status tells whether a token ever existed. The token is a secret, so
it never appears in a log line — aiohttp's access log is off and our own lines leave it out.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.config import HttpConfig
from bot.health import HealthReport
from commands.framework.clock import Clock
from commands.framework.i18n import Translator
from commands.meetings.feed import feed_calendar, feed_since
from storage.calendar_export import CalendarExportRepository
from storage.database import Database

log = logging.getLogger(__name__)

FEED_ROUTE = "/kalender/{name}"
HEALTH_ROUTE = "/health"  # see bot.health
CACHE_CONTROL = "private, max-age=300"
# token_urlsafe(24) gives 32 characters; anything else cannot be a token and is not looked up.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,86}")
_NOT_FOUND_BODY = "Not found\n"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def not_found() -> web.Response:
    """The one answer for everything that is not a valid feed address."""
    return web.Response(
        status=404,
        text=_NOT_FOUND_BODY,
        content_type="text/plain",
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


@web.middleware
async def _uniform_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Unknown paths, wrong methods and malformed requests all look the same from outside."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status in (404, 405):
            return not_found()
        raise


class FeedServer:
    """Serves each committee's calendar at ``/kalender/<token>.ics``; a BackgroundService."""

    def __init__(
        self,
        database: Database,
        http: HttpConfig,
        clock: Clock,
        translator: Translator,
        health: Callable[[], Awaitable[HealthReport]] | None = None,
    ) -> None:
        self.health = health
        self.database = database
        self.http = http
        self.clock = clock
        self.t = translator
        self._runner: web.AppRunner | None = None

    def application(self) -> web.Application:
        """The aiohttp application with its single route (also handy for tests)."""
        app = web.Application(middlewares=[_uniform_errors])
        app.router.add_get(FEED_ROUTE, self.serve_feed)
        app.router.add_get(HEALTH_ROUTE, self.serve_health)
        return app

    async def start(self) -> None:
        """Bind to ``http.host``/``http.port`` and serve until :meth:`stop`."""
        # access_log=None: aiohttp's access log would write every token into the log.
        runner = web.AppRunner(self.application(), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.http.host, self.http.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        log.info("calendar feed listening on %s:%d", self.http.host, self.port)

    async def stop(self) -> None:
        """Stop listening; requests in flight are answered first."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            log.info("calendar feed stopped")

    @property
    def port(self) -> int:
        """The bound port (useful when configured as 0: the system picked a free one)."""
        if self._runner is None:
            raise RuntimeError("the feed server is not running")
        for address in self._runner.addresses:
            if isinstance(address, tuple):
                return int(address[1])
        raise RuntimeError("the feed server has no TCP address")

    async def serve_health(self, _request: web.Request) -> web.StreamResponse:
        """``GET /health``: 200 when sync, database and scheduler are fine, else 503."""
        if self.health is None:
            return not_found()
        report = await self.health()
        return web.Response(
            status=200 if report.healthy else 503,
            text=report.to_json(),
            content_type="application/json",
            headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
        )

    async def serve_feed(self, request: web.Request) -> web.StreamResponse:
        """``GET /kalender/<token>.ics``: the calendar, or the uniform 404."""
        name = request.match_info["name"]
        token = name.removesuffix(".ics")
        if token == name or not _TOKEN_SHAPE.fullmatch(token):
            return not_found()
        now = self.clock.now()
        async with self.database.session() as session:
            repository = CalendarExportRepository(session)
            committee = await repository.committee_by_feed_token(token)
            # The database lookup found the row; the constant-time comparison is what we trust.
            if committee is None or not hmac.compare_digest(
                committee.feed_token.encode(), token.encode()
            ):
                log.info("calendar feed: unknown address requested")
                return not_found()
            rows = await repository.rows([committee], since=feed_since(now))
        # A long series takes a moment to expand; the event loop serves others meanwhile.
        data = await asyncio.to_thread(feed_calendar, self.t, committee, rows, now)
        log.info("calendar feed of committee %d served (%d bytes)", committee.id, len(data))
        return web.Response(
            body=data,
            content_type="text/calendar",
            charset="utf-8",
            headers={
                "Cache-Control": CACHE_CONTROL,
                "Content-Disposition": f'inline; filename="kalender-{committee.id}.ics"',
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )
