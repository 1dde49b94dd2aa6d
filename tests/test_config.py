"""Loading config.toml: what an admin may write, what is refused, and how the refusal reads."""

from __future__ import annotations

import logging
import tomllib
from dataclasses import MISSING, fields
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import (
    BotConfig,
    CalendarConfig,
    Config,
    ConfigError,
    HttpConfig,
    LoggingConfig,
    MatrixConfig,
    SchedulerConfig,
    StorageConfig,
    TasksConfig,
    load_config,
    parse_duration,
)
from commands.framework import converters

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"
SECTIONS: dict[str, type] = {
    "matrix": MatrixConfig,
    "bot": BotConfig,
    "storage": StorageConfig,
    "scheduler": SchedulerConfig,
    "calendar": CalendarConfig,
    "http": HttpConfig,
    "tasks": TasksConfig,
    "logging": LoggingConfig,
}
OVERRIDES = (
    "KUEMMERER_MATRIX_PASSWORD",
    "KUEMMERER_MATRIX_ACCESS_TOKEN",
    "KUEMMERER_STORAGE_URL",
)

MATRIX = """\
[matrix]
homeserver = "https://matrix.stadt.example"
user_id = "@kuemmerer:stadt.example"
password = "Rathaus-2026"
"""
BOT = """\
[bot]
team_room = "#bildungsbuero:stadt.example"
language = "en"
"""


@pytest.fixture(autouse=True)
def no_overrides_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The admin's shell may export the overrides; these tests set them explicitly."""
    for variable in OVERRIDES:
        monkeypatch.delenv(variable, raising=False)


def write(directory: Path, text: str, name: str = "kuemmerer.toml") -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def refusal(directory: Path, text: str) -> str:
    """The message of the ConfigError that loading ``text`` raises."""
    with pytest.raises(ConfigError) as caught:
        load_config(write(directory, text), environ={})
    return str(caught.value)


def setting(block: str, line: str) -> str:
    """``block`` with ``line`` (``key = value``) replacing that key's line, or appended."""
    name = line.split("=")[0].strip()
    kept = [entry for entry in block.splitlines() if entry.split("=")[0].strip() != name]
    return "\n".join([*kept, line]) + "\n"


def config_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "bot.config" and record.levelno >= logging.WARNING
    ]


# -- the example file ----------------------------------------------------------------------


def test_example_loads_as_shipped_with_the_password_from_the_environment(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """config.example.toml loads unchanged once the password comes from the environment."""
    with caplog.at_level(logging.WARNING, logger="bot.config"):
        config = load_config(EXAMPLE, environ={"KUEMMERER_MATRIX_PASSWORD": "Rathaus-2026"})
    assert config.matrix.password == "Rathaus-2026"
    assert config.matrix.user_id == "@kuemmerer:example.org"
    assert config.bot.team_room == "#bildungsbuero:example.org"
    assert config_warnings(caplog) == []


def test_example_without_any_secret_is_refused() -> None:
    """The example ships no secret: used blindly, it is refused rather than half-working."""
    with pytest.raises(ConfigError, match=r"matrix\.password or matrix\.access_token"):
        load_config(EXAMPLE, environ={})


def test_example_documents_every_key() -> None:
    """Every section and key the bot reads appears in config.example.toml, and nothing else."""
    example = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert set(example) == {f.name for f in fields(Config)} == set(SECTIONS)
    for section, cls in SECTIONS.items():
        assert set(example[section]) == {f.name for f in fields(cls)}, section


def test_example_explains_every_key() -> None:
    """Each key in config.example.toml has a comment right above it (or above its group)."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    unexplained = []
    for number, line in enumerate(lines):
        if not line or line.startswith(("#", "[")):
            continue
        above = number - 1
        while above >= 0 and lines[above] and not lines[above].startswith(("#", "[")):
            above -= 1  # keys of one group (host, port) share the comment above the group
        if above < 0 or not lines[above].startswith("#"):
            unexplained.append(line.split("=")[0].strip())
    assert unexplained == []


def test_example_shows_the_defaults() -> None:
    """Optional keys in the example carry their defaults (lists of ids are examples)."""
    example = load_config(EXAMPLE, environ={"KUEMMERER_MATRIX_PASSWORD": "x"})
    examples_only = {("bot", "admins"), ("bot", "allowed_servers"), ("matrix", "password")}
    for section, cls in SECTIONS.items():
        for field in fields(cls):
            if field.default is MISSING or (section, field.name) in examples_only:
                continue
            value = getattr(getattr(example, section), field.name)
            if field.name == "store_path":
                assert value == EXAMPLE.parent / field.default
            elif field.name == "url":
                assert value == f"sqlite+aiosqlite:///{(EXAMPLE.parent / 'data/kuemmerer.db')}"
            else:
                assert value == field.default, f"{section}.{field.name}"
    assert example.scheduler == SchedulerConfig()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite+aiosqlite:///./db/k.db", "sqlite+aiosqlite:///{base}/db/k.db"),
        ("sqlite+aiosqlite:////var/lib/k.db", "sqlite+aiosqlite:////var/lib/k.db"),
        ("sqlite+aiosqlite:///:memory:", "sqlite+aiosqlite:///:memory:"),
        ("postgresql+asyncpg://k:pw@db/k", "postgresql+asyncpg://k:pw@db/k"),
    ],
)
def test_relative_sqlite_path_is_relative_to_the_config_file(
    tmp_path: Path, url: str, expected: str
) -> None:
    """Like store_path, a relative SQLite path lives beside the config, not in the cwd."""
    path = tmp_path / "etc" / "config.toml"
    path.parent.mkdir()
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'url = "sqlite+aiosqlite:///./data/kuemmerer.db"', f'url = "{url}"'
    )
    path.write_text(text, encoding="utf-8")
    config = load_config(path, environ={"KUEMMERER_MATRIX_PASSWORD": "x"})
    assert config.storage.url == expected.format(base=path.parent.resolve())


# -- a small office's file -----------------------------------------------------------------


def test_minimal_file_loads_with_defaults(tmp_path: Path) -> None:
    """Homeserver, bot account, password and team room are all an office has to write."""
    config = load_config(write(tmp_path, MATRIX + BOT), environ={})
    assert config.matrix.server_name == "stadt.example"
    assert config.bot.prefix == "!"
    assert config.bot.zone.key == "Europe/Berlin"
    assert config.bot.stale_command_after == timedelta(minutes=10)
    assert config.scheduler.grace_period == timedelta(hours=1)
    assert (
        config.storage.url == f"sqlite+aiosqlite:///{(tmp_path / 'data/kuemmerer.db').resolve()}"
    )


def test_every_kind_of_value_is_read(tmp_path: Path) -> None:
    """Strings, numbers, booleans, lists, durations and paths are converted to their types."""
    text = (
        MATRIX
        + 'store_path = "/var/lib/kuemmerer/store"\nsync_timeout_ms = 15000\n'
        + BOT
        + 'prefix = "?"\ntimezone = "Europe/Vienna"\nadmins = ["@anna:stadt.example"]\n'
        + 'allowed_servers = ["stadt.example", "kreis.example"]\n'
        + 'invites_only_from_team = true\nstale_command_after = "30s"\n'
        + '[storage]\nurl = "postgresql+asyncpg://kuemmerer@db.stadt.example/kuemmerer"\n'
        + '[scheduler]\ngrace_period = "2h"\n'
    )
    config = load_config(write(tmp_path, text), environ={})
    assert config.matrix.store_path == Path("/var/lib/kuemmerer/store")
    assert config.matrix.sync_timeout_ms == 15000
    assert config.bot.prefix == "?"
    assert config.bot.zone.key == "Europe/Vienna"
    assert config.bot.admins == ("@anna:stadt.example",)
    assert config.bot.allowed_servers == ("stadt.example", "kreis.example")
    assert config.bot.invites_only_from_team is True
    assert config.bot.stale_command_after == timedelta(seconds=30)
    assert config.storage.url.startswith("postgresql+asyncpg://")
    assert config.scheduler.grace_period == timedelta(hours=2)


@pytest.mark.parametrize(
    "team_room",
    [
        "#bildungsbuero:stadt.example",
        "!OGEhHVWSdvArJzumhm:stadt.example",
        "!V_5ToVhasG4r7ZpqMC_Flvv4v8XC8gReO6Bj8Fh7ZRA",
    ],
)
def test_team_room_accepts_aliases_and_room_ids_of_every_room_version(
    tmp_path: Path, team_room: str
) -> None:
    """Aliases, classic room ids and room-version-12 ids (no :server, Synapse's default) load."""
    text = MATRIX + setting(BOT, f'team_room = "{team_room}"')
    assert load_config(write(tmp_path, text), environ={}).bot.team_room == team_room


def test_relative_store_path_is_relative_to_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """store_path = "./data/store" lands next to config.toml, wherever the bot is started."""
    path = write(tmp_path / "etc" / "kuemmerer", MATRIX + 'store_path = "./data/store"\n' + BOT)
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    config = load_config(path, environ={})
    assert config.matrix.store_path.resolve() == tmp_path / "etc" / "kuemmerer" / "data" / "store"


def test_relative_store_path_with_a_relative_config_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--config etc/kuemmerer.toml` from another directory still puts the store beside it."""
    write(tmp_path / "etc", MATRIX + 'store_path = "store"\n' + BOT)
    monkeypatch.chdir(tmp_path)
    config = load_config("etc/kuemmerer.toml", environ={})
    assert config.matrix.store_path.resolve() == tmp_path / "etc" / "store"


# -- secrets from the environment ----------------------------------------------------------


def test_environment_overrides_win_over_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """KUEMMERER_MATRIX_PASSWORD, _ACCESS_TOKEN and KUEMMERER_STORAGE_URL beat the file."""
    text = (
        MATRIX + 'access_token = "file-token"\n' + BOT + '[storage]\nurl = "sqlite:///file.db"\n'
    )
    monkeypatch.setenv("KUEMMERER_MATRIX_PASSWORD", "env-password")
    monkeypatch.setenv("KUEMMERER_MATRIX_ACCESS_TOKEN", "env-token")
    monkeypatch.setenv("KUEMMERER_STORAGE_URL", "postgresql+asyncpg://k:geheim@db/kuemmerer")
    config = load_config(write(tmp_path, text))
    assert config.matrix.password == "env-password"
    assert config.matrix.access_token == "env-token"
    assert config.storage.url == "postgresql+asyncpg://k:geheim@db/kuemmerer"


def test_password_only_in_the_environment_is_enough(tmp_path: Path) -> None:
    """A file without any secret works when the password is exported by the service unit."""
    text = MATRIX.replace('password = "Rathaus-2026"\n', "") + BOT
    config = load_config(write(tmp_path, text), environ={"KUEMMERER_MATRIX_PASSWORD": "geheim"})
    assert config.matrix.password == "geheim"
    assert config.matrix.access_token == ""


def test_empty_environment_variable_does_not_erase_the_file_value(tmp_path: Path) -> None:
    """An exported but empty KUEMMERER_MATRIX_PASSWORD leaves the file's password in place."""
    config = load_config(write(tmp_path, MATRIX + BOT), environ={"KUEMMERER_MATRIX_PASSWORD": ""})
    assert config.matrix.password == "Rathaus-2026"


def test_access_token_alone_is_enough(tmp_path: Path) -> None:
    """SSO installations log in with an access token and no password."""
    text = MATRIX.replace('password = "Rathaus-2026"', 'access_token = "syt_abc"') + BOT
    config = load_config(write(tmp_path, text), environ={})
    assert config.matrix.access_token == "syt_abc"
    assert config.matrix.password == ""


def test_neither_password_nor_token_names_both_and_the_variables(tmp_path: Path) -> None:
    """Without any credential the error names both keys and both environment variables."""
    message = refusal(tmp_path, MATRIX.replace('password = "Rathaus-2026"\n', "") + BOT)
    for name in (
        "matrix.password",
        "matrix.access_token",
        "KUEMMERER_MATRIX_PASSWORD",
        "KUEMMERER_MATRIX_ACCESS_TOKEN",
    ):
        assert name in message


def test_a_matrix_id_the_chat_accepts_is_accepted_in_the_config(tmp_path: Path) -> None:
    """A server with a port or an IPv6 address is as good in the config as in a chat command."""
    ids = ("@kuemmerer:[2001:db8::1]:8448", "@anna.schulz:matrix.stadt.example:8448")
    text = setting(MATRIX, f'user_id = "{ids[0]}"') + BOT + f'admins = ["{ids[1]}"]\n'
    config = load_config(write(tmp_path, text), environ={})
    assert (config.matrix.user_id, config.bot.admins) == (ids[0], (ids[1],))
    assert all(converters.is_matrix_id(matrix_id) for matrix_id in ids)


# -- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (MATRIX.replace('user_id = "@kuemmerer:stadt.example"\n', "") + BOT, "matrix.user_id"),
        (
            MATRIX.replace('homeserver = "https://matrix.stadt.example"\n', "") + BOT,
            "matrix.homeserver",
        ),
        (MATRIX + '[bot]\nlanguage = "en"\n', "bot.team_room"),
        (MATRIX, "bot.team_room"),
        (BOT, "matrix.homeserver"),
    ],
)
def test_missing_required_key_is_named(tmp_path: Path, text: str, key: str) -> None:
    """A missing required key is refused with its full name."""
    assert refusal(tmp_path, text) == f"{key} is required but missing"


@pytest.mark.parametrize(
    ("line", "key", "expected"),
    [
        ("prefix = 1", "bot.prefix", "expected a string"),
        ('admins = "@anna:stadt.example"', "bot.admins", "expected a list of strings"),
        ("admins = [1, 2]", "bot.admins", "expected a list of strings"),
        ('stale_command_after = "ten minutes"', "bot.stale_command_after", '"10m"'),
        ("stale_command_after = 10", "bot.stale_command_after", '"10m"'),
        ('invites_only_from_team = "yes"', "bot.invites_only_from_team", "true or false"),
        ('timezone = "Mars/Olympus_Mons"', "bot.timezone", "unknown time zone"),
        ('timezone = "../../etc/passwd"', "bot.timezone", "unknown time zone"),
        ('language = "fr"', "bot.language", "one of de, en"),
        ('prefix = ""', "bot.prefix", "non-empty prefix without spaces"),
        ('prefix = "! "', "bot.prefix", "non-empty prefix without spaces"),
        ('team_room = "Bildungsbüro"', "bot.team_room", "room id (!…) or alias (#…:server)"),
        ('team_room = "#bildungsbuero"', "bot.team_room", "room id (!…) or alias (#…:server)"),
        ('admins = ["anna"]', "bot.admins", "is not a Matrix id"),
        # The chat refuses these too: Synapse never gives out an upper-case user id.
        ('admins = ["@Anna:stadt.example"]', "bot.admins", "is not a Matrix id"),
        ('admins = ["@anna:stadt.example/x"]', "bot.admins", "is not a Matrix id"),
    ],
)
def test_wrong_bot_value_names_key_and_expected_form(
    tmp_path: Path, line: str, key: str, expected: str
) -> None:
    """A wrong value in [bot] is refused with the key and the form it should have."""
    message = refusal(tmp_path, MATRIX + setting(BOT, line))
    assert key in message
    assert expected in message


@pytest.mark.parametrize(
    ("line", "key", "expected"),
    [
        ('homeserver = "matrix.stadt.example"', "matrix.homeserver", "https://"),
        ('user_id = "kuemmerer"', "matrix.user_id", "@kuemmerer:example.org"),
        ('user_id = "@kuemmerer:stadt.example:port"', "matrix.user_id", "@kuemmerer:example.org"),
        ("password = 1234", "matrix.password", "expected a string"),
        ('sync_timeout_ms = "30s"', "matrix.sync_timeout_ms", "whole number"),
        ("sync_timeout_ms = true", "matrix.sync_timeout_ms", "whole number"),
        ("store_path = 5", "matrix.store_path", "path as string"),
    ],
)
def test_wrong_matrix_value_names_key_and_expected_form(
    tmp_path: Path, line: str, key: str, expected: str
) -> None:
    """A wrong value in [matrix] is refused with the key and the form it should have."""
    message = refusal(tmp_path, setting(MATRIX, line) + BOT)
    assert key in message
    assert expected in message


def test_wrong_scheduler_and_storage_values_are_named(tmp_path: Path) -> None:
    """grace_period must be a duration, storage.url a non-empty string."""
    message = refusal(tmp_path, MATRIX + BOT + '[scheduler]\ngrace_period = "one hour"\n')
    assert "scheduler.grace_period" in message and '"10m"' in message
    assert "storage.url" in refusal(tmp_path, MATRIX + BOT + '[storage]\nurl = ""\n')
    assert "storage.url" in refusal(tmp_path, MATRIX + BOT + "[storage]\nurl = 5\n")


def test_section_that_is_not_a_table_is_named(tmp_path: Path) -> None:
    """`bot = "x"` instead of a [bot] table is refused, naming the section."""
    assert "[bot] must be a table" in refusal(tmp_path, 'bot = "x"\n' + MATRIX)


def test_section_that_is_not_a_table_is_named_with_secrets_in_the_environment(
    tmp_path: Path,
) -> None:
    """A scalar [matrix] is a ConfigError even when the password comes from the environment."""
    path = write(tmp_path, 'matrix = "x"\n' + BOT)
    with pytest.raises(ConfigError, match=r"\[matrix\] must be a table"):
        load_config(path, environ={"KUEMMERER_MATRIX_PASSWORD": "geheim"})


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    """A syntax error is a ConfigError that names the file (not a traceback)."""
    path = write(tmp_path, MATRIX + "[bot\nteam_room = #bildungsbuero\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert str(path) in str(caught.value)
    assert "not valid TOML" in str(caught.value)


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    """A wrong --config path is a ConfigError that names the path."""
    path = tmp_path / "konfig.toml"
    with pytest.raises(ConfigError, match="does not exist") as caught:
        load_config(path, environ={})
    assert str(path) in str(caught.value)


# -- tolerated mistakes ----------------------------------------------------------------------


def test_unknown_key_is_a_warning_not_an_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A misspelt key (prefixx) is logged as ignored; the bot still starts."""
    with caplog.at_level(logging.WARNING, logger="bot.config"):
        config = load_config(write(tmp_path, MATRIX + BOT + 'prefixx = "?"\n'), environ={})
    assert config.bot.prefix == "!"
    assert config_warnings(caplog) == ["unknown configuration key bot.prefixx is ignored"]


def test_unknown_section_is_a_warning_not_an_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A misspelt section ([schedular]) is logged as ignored; the bot still starts."""
    text = MATRIX + BOT + '[schedular]\ngrace_period = "2h"\n'
    with caplog.at_level(logging.WARNING, logger="bot.config"):
        config = load_config(write(tmp_path, text), environ={})
    assert config.scheduler.grace_period == timedelta(hours=1)
    assert config_warnings(caplog) == ["unknown configuration section [schedular] is ignored"]


# -- durations -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10m", timedelta(minutes=10)),
        ("2h", timedelta(hours=2)),
        ("30s", timedelta(seconds=30)),
        ("1d", timedelta(days=1)),
        (" 90 m ", timedelta(minutes=90)),
        ("90", timedelta(minutes=90)),
        ("1,5h", timedelta(minutes=90)),
        ("1:30", timedelta(minutes=90)),
        ("10 min", timedelta(minutes=10)),
        ("1w", timedelta(days=7)),
        ("2H", timedelta(hours=2)),
    ],
)
def test_parse_duration_accepts_the_documented_forms(text: str, expected: timedelta) -> None:
    """Durations read as in the chat: s, m, h, d or w after a number, 1,5h, 1:30, bare minutes."""
    assert parse_duration(text, "bot.stale_command_after") == expected


@pytest.mark.parametrize("text", ["", "ten minutes", "-5m", "2 fortnights", "0.5s", "1h 2x"])
def test_parse_duration_refuses_other_forms_naming_the_key(text: str) -> None:
    """Anything else is a ConfigError naming the key and showing the expected form."""
    with pytest.raises(
        ConfigError, match=r'scheduler\.grace_period: expected a duration such as "10m"'
    ):
        parse_duration(text, "scheduler.grace_period")


@pytest.mark.parametrize("length", ['"2m"', '"25h"'])
def test_a_default_meeting_length_the_chat_would_refuse_is_refused(
    tmp_path: Path, length: str
) -> None:
    """calendar.meeting_duration keeps to the chat's bounds for dauer=, 5 minutes to 24 hours."""
    message = refusal(tmp_path, MATRIX + BOT + f"[calendar]\nmeeting_duration = {length}\n")
    assert message == "calendar.meeting_duration: expected 5 minutes to 24 hours"
