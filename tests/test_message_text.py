"""What counts as a command: the prefix, or the bot addressed by name or mention."""

from __future__ import annotations

from bot.message_text import addressed_part, command_text, strip_bot_mention

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


def test_the_name_at_the_end_of_a_question_addresses_the_bot() -> None:
    """ "Wer ist für Ganztag zuständig, Kümmerer?" is put to the bot; the name is cut off."""
    said = addressed_part("Wer ist für Ganztag zuständig, Kümmerer?", BOT, NAMES)
    assert said == "Wer ist für Ganztag zuständig?"
    assert addressed_part(f"wann tagt der Bildungsbeirat, {BOT}", BOT, NAMES) == (
        "wann tagt der Bildungsbeirat"
    )
    assert addressed_part("Danke an den Kümmerer", BOT, NAMES) is None
    assert addressed_part("Kümmerer, wer ist für Ganztag zuständig?", BOT, NAMES) == (
        "wer ist für Ganztag zuständig?"
    )


def test_the_name_with_umlauts_addresses_the_account_written_without() -> None:
    """An account named "kuemmerer" is addressed as "Kümmerer, …" and "…, Kümmerer?" too."""
    assert addressed_part("Kümmerer, was kannst du?", BOT, ("kuemmerer",)) == "was kannst du?"
    assert addressed_part("was kannst du, Kümmerer?", BOT, ("kuemmerer",)) == "was kannst du?"
