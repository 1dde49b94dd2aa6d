"""Typed configuration, loaded once from TOML and validated before any network call."""

from __future__ import annotations

import logging
import os
import re
import tomllib
from dataclasses import MISSING, dataclass, field, fields
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from commands.framework.context import CalendarConfig
from commands.framework.converters import (
    MAX_MEETING_LENGTH,
    MIN_MEETING_LENGTH,
    is_matrix_id,
    read_duration,
)

log = logging.getLogger(__name__)

LANGUAGES = ("de", "en")


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key and what is expected."""


def parse_duration(text: str, key: str) -> timedelta:
    """Read durations such as ``"10m"``, ``"2h"``, ``"30s"`` or ``"1d"``.

    The same reading as a duration typed in the chat (:func:`read_duration`), so ``"90"``,
    ``"1,5h"`` and ``"1:30"`` work here too; whole seconds only, as the settings are timers.
    """
    length = read_duration(text)
    if length is None or length % timedelta(seconds=1):
        raise ConfigError(f'{key}: expected a duration such as "10m", "2h" or "1d", got {text!r}')
    return length


@dataclass(frozen=True)
class MatrixConfig:
    homeserver: str
    user_id: str
    password: str = ""
    access_token: str = ""
    device_name: str = "Kümmerer"
    store_path: Path = Path("./data/store")
    sync_timeout_ms: int = 30_000

    @property
    def server_name(self) -> str:
        return self.user_id.split(":", 1)[1]


@dataclass(frozen=True)
class BotConfig:
    team_room: str
    prefix: str = "!"
    language: str = "de"
    timezone: str = "Europe/Berlin"
    admins: tuple[str, ...] = ()
    allowed_servers: tuple[str, ...] = ()
    invites_only_from_team: bool = False
    stale_command_after: timedelta = timedelta(minutes=10)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class StorageConfig:
    url: str = "sqlite+aiosqlite:///./data/kuemmerer.db"


@dataclass(frozen=True)
class SchedulerConfig:
    grace_period: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class HttpConfig:
    """The optional calendar subscription feed (off by default)."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = ""  # how Outlook/Thunderbird reach it, e.g. https://kuemmerer.example.org


# Weekdays as the configuration may name them, German or English (0 = Monday).
WEEKDAYS = {
    **dict.fromkeys(("monday", "montag"), 0),
    **dict.fromkeys(("tuesday", "dienstag"), 1),
    **dict.fromkeys(("wednesday", "mittwoch"), 2),
    **dict.fromkeys(("thursday", "donnerstag"), 3),
    **dict.fromkeys(("friday", "freitag"), 4),
    **dict.fromkeys(("saturday", "samstag"), 5),
    **dict.fromkeys(("sunday", "sonntag"), 6),
}


@dataclass(frozen=True)
class TasksConfig:
    """The weekly digest of overdue tasks in the team room."""

    digest_weekday: str = "monday"  # "" turns the digest off
    digest_time: str = "08:00"

    @property
    def digest_day(self) -> int | None:
        """The digest's weekday (0 = Monday), None when it is off."""
        return WEEKDAYS[self.digest_weekday.lower()] if self.digest_weekday else None

    @property
    def digest_at(self) -> time:
        """The digest's time of day."""
        hours, minutes = self.digest_time.split(":")
        return time(int(hours), int(minutes))


@dataclass(frozen=True)
class LoggingConfig:
    """What the bot logs: a level and plain text or JSON lines (``kuemmerer run --log-level``
    overrides the level)."""

    level: str = "INFO"
    format: str = "text"


@dataclass(frozen=True)
class Config:
    matrix: MatrixConfig
    bot: BotConfig
    storage: StorageConfig = field(default_factory=StorageConfig)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    calendar: CalendarConfig = field(default_factory=CalendarConfig)
    http: HttpConfig = field(default_factory=HttpConfig)
    tasks: TasksConfig = field(default_factory=TasksConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)


_SECTIONS: dict[str, type] = {
    "matrix": MatrixConfig,
    "bot": BotConfig,
    "storage": StorageConfig,
    "scheduler": SchedulerConfig,
    "calendar": CalendarConfig,
    "http": HttpConfig,
    "tasks": TasksConfig,
    "logging": LoggingConfig,
}
_ENVIRONMENT = {
    ("matrix", "password"): "KUEMMERER_MATRIX_PASSWORD",
    ("matrix", "access_token"): "KUEMMERER_MATRIX_ACCESS_TOKEN",
    ("storage", "url"): "KUEMMERER_STORAGE_URL",
}


def load_config(path: Path | str, environ: dict[str, str] | None = None) -> Config:
    """Read and validate ``path``; secrets may be overridden from the environment."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"configuration file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return config_from_mapping(raw, os.environ if environ is None else environ, base=path.parent)


def config_from_mapping(
    raw: dict[str, Any], environ: dict[str, str] | os._Environ[str], base: Path = Path(".")
) -> Config:
    """Build a :class:`Config` from parsed TOML, failing on the first wrong key."""
    for section in raw:
        if section not in _SECTIONS:
            log.warning("unknown configuration section [%s] is ignored", section)
    for (section, key), variable in _ENVIRONMENT.items():
        if environ.get(variable):
            values = raw.setdefault(section, {})
            if isinstance(values, dict):  # a section that is no table is refused below
                values[key] = environ[variable]
    built = {
        name: _build_section(name, cls, raw.get(name, {}), base) for name, cls in _SECTIONS.items()
    }
    built["storage"] = StorageConfig(url=_anchor_sqlite(built["storage"].url, base))
    config = Config(**built)
    _validate(config)
    return config


def _anchor_sqlite(url: str, base: Path) -> str:
    """A relative SQLite path is relative to the config file, like ``store_path``.

    Otherwise ``kuemmerer audit --config /etc/kuemmerer/config.toml`` run from another
    directory would open (and create) a different, empty database.
    """
    scheme, separator, path = url.partition(":///")
    if not scheme.startswith("sqlite") or not separator or not path or path.startswith(("/", ":")):
        return url
    return f"{scheme}:///{(base / path).resolve()}"


def _build_section(name: str, cls: type, values: Any, base: Path) -> Any:
    if not isinstance(values, dict):
        raise ConfigError(f"[{name}] must be a table")
    known = {f.name: f for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            log.warning("unknown configuration key %s.%s is ignored", name, key)
            continue
        kwargs[key] = _convert(f"{name}.{key}", known[key].type, value, base)
    missing = [
        f.name
        for f in known.values()
        if f.name not in kwargs and f.default is MISSING and f.default_factory is MISSING
    ]
    if missing:
        raise ConfigError(f"{name}.{missing[0]} is required but missing")
    return cls(**kwargs)


def _convert(key: str, annotation: Any, value: Any, base: Path) -> Any:
    expected = str(annotation)
    if expected == "str":
        if not isinstance(value, str):
            raise ConfigError(f"{key}: expected a string, got {type(value).__name__}")
        return value
    if expected == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{key}: expected true or false, got {value!r}")
        return value
    if expected == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(f"{key}: expected a whole number, got {value!r}")
        return value
    if expected == "Path":
        if not isinstance(value, str):
            raise ConfigError(f"{key}: expected a path as string, got {type(value).__name__}")
        path = Path(value)
        return path if path.is_absolute() else (base / path)
    if expected == "timedelta":
        if not isinstance(value, str):
            raise ConfigError(f'{key}: expected a duration such as "10m", got {value!r}')
        return parse_duration(value, key)
    if expected == "tuple[str, ...]":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{key}: expected a list of strings, got {value!r}")
        return tuple(value)
    if expected == "tuple[timedelta, ...]":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f'{key}: expected a list of durations such as ["7d", "1d"]')
        return tuple(parse_duration(item, key) for item in value)
    raise AssertionError(f"no converter for {key} of type {expected}")


def _validate(config: Config) -> None:
    matrix, bot = config.matrix, config.bot
    if not matrix.homeserver.startswith(("http://", "https://")):
        raise ConfigError("matrix.homeserver: expected a URL starting with https://")
    if not is_matrix_id(matrix.user_id):
        raise ConfigError("matrix.user_id: expected a Matrix id such as @kuemmerer:example.org")
    if not matrix.password and not matrix.access_token:
        raise ConfigError(
            "matrix.password or matrix.access_token is required "
            "(or KUEMMERER_MATRIX_PASSWORD / KUEMMERER_MATRIX_ACCESS_TOKEN)"
        )
    if bot.language not in LANGUAGES:
        raise ConfigError(
            f"bot.language: expected one of {', '.join(LANGUAGES)}, got {bot.language!r}"
        )
    try:
        ZoneInfo(bot.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"bot.timezone: unknown time zone {bot.timezone!r}") from None
    if not bot.prefix or any(ch.isspace() for ch in bot.prefix):
        raise ConfigError('bot.prefix: expected a non-empty prefix without spaces, such as "!"')
    # Room ids of room version 12 (Synapse's default) have no ":server" part.
    if not re.fullmatch(r"![^:\s]+(:\S+)?|#[^:\s]+:\S+", bot.team_room):
        raise ConfigError("bot.team_room: expected a room id (!…) or alias (#…:server)")
    for admin in bot.admins:
        if not is_matrix_id(admin):
            raise ConfigError(f"bot.admins: {admin!r} is not a Matrix id")
    if not config.storage.url:
        raise ConfigError("storage.url is required")
    calendar_days = (
        config.calendar.notice_days,
        config.calendar.item_deadline_days,
        config.calendar.item_call_days,
    )
    if min(calendar_days) < 0:
        raise ConfigError(
            "calendar.notice_days, calendar.item_deadline_days and calendar.item_call_days: "
            "expected >= 0"
        )
    if not MIN_MEETING_LENGTH <= config.calendar.meeting_duration <= MAX_MEETING_LENGTH:
        raise ConfigError("calendar.meeting_duration: expected 5 minutes to 24 hours")
    if not 0 < config.http.port < 65536:
        raise ConfigError(f"http.port: expected a port number, got {config.http.port}")
    if config.http.enabled and not config.http.public_url:
        raise ConfigError(
            "http.public_url is required when http.enabled is true "
            "(the address calendars use to reach the feed)"
        )
    if config.tasks.digest_weekday and config.tasks.digest_weekday.lower() not in WEEKDAYS:
        raise ConfigError(
            'tasks.digest_weekday: expected a weekday such as "monday" (or "" for no digest), '
            f"got {config.tasks.digest_weekday!r}"
        )
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", config.tasks.digest_time):
        raise ConfigError(
            f'tasks.digest_time: expected a time such as "08:00", got {config.tasks.digest_time!r}'
        )
    if config.logging.level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(
            f"logging.level: expected DEBUG, INFO, WARNING or ERROR, got {config.logging.level!r}"
        )
    if config.logging.format not in ("text", "json"):
        raise ConfigError(
            f'logging.format: expected "text" or "json", got {config.logging.format!r}'
        )
    if config.http.public_url and not config.http.public_url.startswith(("http://", "https://")):
        raise ConfigError("http.public_url: expected a URL starting with https://")
