"""Logging set-up for the ``kuemmerer`` command: a level, plain text or JSON lines, and no
message contents or secrets at any level.

Our own log lines name rooms, events and counts, never what people wrote. Some libraries log
more: nio logs whole events (message bodies) and request URLs with tokens at INFO and DEBUG,
peewee (nio's key store) logs its SQL with key material at DEBUG, aiosqlite logs our SQL
parameters (search texts, feed tokens) at DEBUG. Those loggers are held above those levels
whatever level the admin asks for.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The lowest level each talkative library may log at; see the module docstring for why.
QUIET_LOGGERS = {
    "nio": logging.WARNING,
    "peewee": logging.INFO,
    "aiosqlite": logging.INFO,
    "aiohttp.access": logging.WARNING,  # the feed's URLs carry secret tokens
    "sqlalchemy.engine": logging.WARNING,
}


class JsonLines(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class _Handler(logging.StreamHandler[TextIO]):
    """Ours, so the next call can replace it. Without a fixed stream it writes to whatever
    ``sys.stderr`` is at each line (a test harness may swap it after set-up)."""

    def __init__(self, stream: TextIO | None) -> None:
        self._fixed = stream
        super().__init__(stream or sys.stderr)

    def emit(self, record: logging.LogRecord) -> None:
        if self._fixed is None:
            self.stream = sys.stderr
        super().emit(record)


def configure_logging(level: str, format: str = "text", stream: TextIO | None = None) -> None:
    """Send every log line at ``level`` or above to ``stream`` (standard error) as text or
    JSON lines; replaces what an earlier call set up."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
    handler = _Handler(stream)
    handler.setFormatter(JsonLines() if format == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    wanted = getattr(logging, level.upper(), logging.INFO)
    root.setLevel(wanted)
    for name, lowest in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(lowest, wanted))
