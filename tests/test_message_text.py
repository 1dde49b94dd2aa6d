"""What counts as a command: the prefix, or the bot addressed by name or mention."""

from __future__ import annotations

from bot.message_text import command_text, strip_bot_mention

BOT = "@kuemmerer:example.org"
NAMES = ("Kümmerer", "kuemmerer")


def addressed(text: str) -> str:
    return strip_bot_mention(text, BOT, NAMES, "!")


def test_the_bot_addressed_by_name_or_id_gets_a_command() -> None:
    """ "Kümmerer: hilfe", "Kümmerer, !termine" and "@kuemmerer:… hilfe" are commands."""
    assert addressed("Kümmerer: hilfe") == "!hilfe"
    assert addressed("kümmerer, !termine") == "!termine"
    assert addressed(f"{BOT} hilfe") == "!hilfe"


def test_sentences_that_start_with_the_name_stay_sentences() -> None:
    """The office says "Kümmerer" in ordinary sentences; those are not commands."""
    for sentence in ("Kümmerer ist super", "Kümmererin Anna kommt", "Kümmerer-Team trifft sich"):
        assert addressed(sentence) == sentence


def test_a_pill_becomes_the_users_id() -> None:
    """A mention link in formatted_body is read as the mentioned user's Matrix id."""
    html = f'<a href="https://matrix.to/#/{BOT}">Kümmerer</a>: hilfe'
    assert addressed(command_text("Kümmerer: hilfe", html)) == "!hilfe"
