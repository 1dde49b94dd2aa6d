"""What the bot logs: the level from ``--log-level`` or ``[logging]``, text or JSON lines, and
never what people wrote, a password or an access token — even at DEBUG, through Synapse."""

from __future__ import annotations

import io
import json
import logging
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import _parser
from bot.config import ConfigError, load_config
from bot.logs import QUIET_LOGGERS, configure_logging
from bot.matrix import CREDENTIALS_FILE
from tests.support.cli import write_config
from tests.support.matrix import Office


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Captures what :func:`configure_logging` writes; restores the process's logging after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    output = io.StringIO()
    yield output
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def lines_of(output: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in output.getvalue().splitlines() if line]


def test_json_lines_carry_time_level_logger_message_and_exception(
    log_output: io.StringIO,
) -> None:
    """format = "json" writes one object per line; an error's traceback is in "exception"."""
    configure_logging("INFO", "json", log_output)
    log = logging.getLogger("bot.core")
    log.info("stopped cleanly")
    try:
        raise ConnectionError("homeserver unreachable")
    except ConnectionError:
        log.exception("sync failed; retrying in %.0f s", 2)
    log.debug("not at INFO")
    first, second = lines_of(log_output)
    assert first["level"] == "INFO" and first["logger"] == "bot.core"
    assert first["message"] == "stopped cleanly" and first["time"].endswith("+00:00")
    assert second["message"] == "sync failed; retrying in 2 s"
    assert "ConnectionError: homeserver unreachable" in second["exception"]


def test_the_matrix_library_stays_quiet_at_debug(log_output: io.StringIO) -> None:
    """At DEBUG our own debug lines appear, nio's (which carry event contents) do not."""
    configure_logging("DEBUG", "text", log_output)
    logging.getLogger("bot.matrix").debug("room key request not sent")
    logging.getLogger("nio.rooms").info("Room event {'body': 'Gehaltsliste'}")
    logging.getLogger("peewee").debug("INSERT INTO olmsessions … pickle")
    text = log_output.getvalue()
    assert "DEBUG bot.matrix: room key request not sent" in text
    assert "Gehaltsliste" not in text and "pickle" not in text


def test_log_level_is_an_option_of_run_and_of_the_command(tmp_path: Path) -> None:
    """``kuemmerer run --log-level debug`` and ``kuemmerer --log-level debug run`` both work;
    without either, the config's level applies."""
    config = str(write_config(tmp_path))
    assert _parser().parse_args(["run", "--log-level", "debug", "--config", config]).log_level == (
        "DEBUG"
    )
    assert _parser().parse_args(["--log-level", "WARNING", "run"]).log_level == "WARNING"
    assert _parser().parse_args(["run", "--config", config]).log_level is None


def test_logging_section_is_validated(tmp_path: Path) -> None:
    """[logging] level and format accept the documented values and refuse others by name."""
    path = write_config(tmp_path)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('[logging]\nlevel = "debug"\nformat = "json"\n')
    config = load_config(path, environ={})
    assert (config.logging.level, config.logging.format) == ("debug", "json")
    path.write_text(path.read_text(encoding="utf-8").replace('"json"', '"xml"'), "utf-8")
    with pytest.raises(ConfigError, match=r"logging\.format"):
        load_config(path, environ={})
    path.write_text(path.read_text(encoding="utf-8").replace('"debug"', '"chatty"'), "utf-8")
    with pytest.raises(ConfigError, match=r"logging\.level"):
        load_config(path, environ={})


@pytest.mark.synapse
async def test_a_conversation_at_debug_leaves_no_text_or_secret_in_the_log(
    log_output: io.StringIO, office: Office
) -> None:
    """A bot logging at DEBUG as JSON reads a chat message and a command in an encrypted room
    and answers; the log holds neither what was written nor a password or access token."""
    configure_logging("DEBUG", "json", log_output)
    await office.bot.restart()  # log in (restore the session) and sync under DEBUG
    anna = office.anna
    room = await office.room_with_bot(anna, "Personalrat", encrypted=True)
    chat = f"Gehaltsliste {secrets.token_hex(4)}"
    argument = f"vertraulich{secrets.token_hex(4)}"
    await anna.say(room, chat)
    answer = await anna.ask(room, f"!help {argument}")
    assert answer.encrypted and argument in answer.body  # the bot read and echoed it in chat
    await office.bot.stop()

    store = office.bot.config.matrix.store_path
    bot_token = json.loads((store / CREDENTIALS_FILE).read_text("utf-8"))["access_token"]
    lines = lines_of(log_output)
    assert any(line["message"].startswith("restored session of device") for line in lines)
    assert any(line["level"] == "DEBUG" for line in lines)
    log_text = log_output.getvalue()
    for secret in (
        chat,
        argument,
        office.bot.config.matrix.password,
        bot_token,
        str(anna.client.access_token),
    ):
        assert secret not in log_text
