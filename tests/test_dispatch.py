"""Dispatch without Matrix: parsing, permissions, errors and help, on a migrated SQLite."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from commands.catalog.modules import build_registry
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.dispatch import usage
from commands.framework.errors import NotFound
from commands.framework.i18n import N_, Translator
from commands.framework.registry import (
    DeclarationMismatch,
    Handler,
    Option,
    Param,
    Registry,
    Role,
    RoomKind,
    check_declaration,
    command,
    declaration_of,
)
from commands.framework.reply import Reply, fmt
from storage.database import Database
from tests.support.desk import Desk
from tests.support.names import BERLIN


@command(
    "löschen",
    english="delete",
    help=N_("Shows the commands you can use here, or details of one command."),
    params=[Param("number", N_("command"), converters.number)],
    options=[Option("reason", "grund", converters.text, aliases=("reason",))],
    min_role=Role.TEAM,
    rooms=(RoomKind.TEAM, RoomKind.DIRECT),
)
async def record_delete(ctx: Context, number: int, reason: str | None) -> Reply:
    await ctx.store.audit.record(
        ctx.clock.now(), ctx.sender, "delete", "record", number, reason or ""
    )
    return Reply.of(fmt("deleted {number}", number=number))


@command(
    "kaputt",
    english="broken",
    help=N_("Shows the latest entries of the audit log (who changed what, and when)."),
)
async def broken_run(ctx: Context) -> Reply:
    raise RuntimeError("a bug")


async def numbered_record(ctx: Context, number: int) -> str:
    """A record looked up by its number, as a converter's lookup does: records 1 to 9 exist."""
    await ctx.store.audit.latest(1)
    if number > 9:
        raise NotFound(fmt("no record {number}", number=number))
    return f"record {number}"


@command(
    "nachschlagen",
    english="lookup",
    help=N_("Shows the latest entries of the audit log (who changed what, and when)."),
    params=[Param("record", N_("number"), converters.looked_up(numbered_record))],
)
async def record_look_up(ctx: Context, record: str) -> Reply:
    return Reply.of(fmt("found {record}", record=record))


def desk_with_test_commands(database: Database, language: str = "en") -> Desk:
    """The real commands plus a team-only !löschen, a !kaputt that always crashes and a
    !nachschlagen whose converter looks its record up."""
    registry = build_registry()
    for handler in (record_delete, broken_run, record_look_up):
        registry.add(declaration_of(handler))
    return Desk(database, language, registry)


# Finding a command by its spellings happens before any SQL.
@pytest.mark.backend_neutral
async def test_umlaut_free_and_english_spellings_find_the_same_command(database: Database) -> None:
    """!löschen, !loeschen, !LOESCHEN and !delete are one command."""
    harness = desk_with_test_commands(database)
    for spelling in ("!löschen 3", "!loeschen 3", "!LOESCHEN 3", "!delete 3"):
        assert await harness.ask(spelling) == "deleted 3"


# The converter refuses the argument before any SQL.
@pytest.mark.backend_neutral
async def test_bad_argument_explains_and_shows_usage(database: Database) -> None:
    """A wrong argument gets a sentence saying what was wrong plus the usage line."""
    answer = await desk_with_test_commands(database).ask("!delete drei")
    assert "drei" in answer and "is not a number" in answer
    assert "Usage: `!delete <command> [grund=…]`" in answer


async def test_numbers_that_are_no_record_numbers_are_explained(database: Database) -> None:
    """ "²" and a number beyond any record are bad arguments with a sentence, not crashes."""
    desk = desk_with_test_commands(database)
    for raw in ("²", "99999999999999999999"):
        answer = await desk.ask(f"!delete {raw}")
        assert "is not a number" in answer and "Internal error" not in answer


async def test_a_converter_that_looks_a_record_up_hands_over_the_record(
    database: Database,
) -> None:
    """An awaitable converter is awaited: the handler gets the record, and "not found" is the
    lookup's sentence, said before the handler runs."""
    desk = desk_with_test_commands(database)
    assert await desk.ask("!lookup 3") == "found record 3"
    assert (await desk.ask("!lookup 12")).startswith("no record 12\nUsage: `!lookup <number>`")
    assert "is not a number" in await desk.ask("!lookup drei")


# Option keys are read before any SQL; the audit row is the same plain insert everywhere.
@pytest.mark.backend_neutral
async def test_options_accept_german_and_english_keys(database: Database) -> None:
    """grund= and reason= are the same option; unknown keys are named with the known ones."""
    harness = desk_with_test_commands(database)
    assert await harness.ask('!delete 4 grund="doppelt erfasst"') == "deleted 4"
    assert await harness.ask("!delete 5 reason=duplicate") == "deleted 5"
    answer = await harness.ask("!delete 6 ort=Rathaus")
    assert "Unknown option `ort=`" in answer and "`grund=`" in answer


# The tokenizer refuses the text before any SQL.
@pytest.mark.backend_neutral
async def test_unclosed_quote_is_explained(database: Database) -> None:
    """An unclosed quotation mark is a user error with an example, not a crash."""
    answer = await desk_with_test_commands(database).ask('!delete 4 grund="doppelt')
    assert "quotation mark is not closed" in answer


# Roles and rooms are checked before any SQL.
@pytest.mark.backend_neutral
async def test_role_and_room_are_enforced(database: Database) -> None:
    """A member may not run a team command; a team command is refused in a committee room."""
    harness = desk_with_test_commands(database)
    assert "only for the team" in await harness.ask(
        "!delete 1", role=Role.MEMBER, room=RoomKind.DIRECT
    )
    refused = await harness.ask("!delete 1", role=Role.TEAM, room=RoomKind.GROUP)
    assert "not allowed here" in refused and "the team room" in refused


async def test_a_bug_is_logged_with_reference_and_rolled_back(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """A handler bug gives the user only a reference id, which is in the logged traceback."""
    with caplog.at_level(logging.ERROR):
        answer = await desk_with_test_commands(database).ask("!broken")
    assert answer.startswith("Internal error (ref. ")
    reference = answer.split("ref. ")[1][:4]
    assert any(reference in record.getMessage() and record.exc_info for record in caplog.records)


# Help comes from the registry, not from the database.
@pytest.mark.backend_neutral
async def test_help_lists_only_what_the_sender_may_use(database: Database) -> None:
    """A guest does not see team or admin commands in !help; an admin does."""
    harness = desk_with_test_commands(database)
    guest = await harness.ask("!help", role=Role.GUEST, room=RoomKind.DIRECT)
    admin = await harness.ask("!help", role=Role.ADMIN, room=RoomKind.DIRECT)
    assert "!delete" not in guest and "!audit" not in guest
    assert "!delete" in admin


# Help comes from the registry, not from the database.
@pytest.mark.backend_neutral
async def test_help_for_one_command_shows_usage_aliases_and_options(database: Database) -> None:
    """!help delete shows the usage line, the other spellings and the options."""
    answer = await desk_with_test_commands(database).ask("!help delete")
    assert "!delete <command> [grund=…]" in answer
    assert "!löschen" in answer and "grund" in answer and "reason" in answer


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_command_has_help_and_usage_in_both_languages(language: str) -> None:
    """Every registered command's help text and argument labels are translated."""
    translator = Translator(language, BERLIN)
    for declaration in build_registry().commands:
        assert declaration.help and translator.gettext(declaration.help)
        assert usage(declaration, translator, "!").startswith("!" + declaration.name_in(language))
        if language == "de":
            assert translator.gettext(declaration.help) != declaration.help, declaration.name
            for param in declaration.params:
                assert translator.gettext(param.label) != param.label, param.label


def test_a_name_declared_twice_is_refused() -> None:
    """Two commands may not share a spelling, even one that differs only by umlauts."""
    registry = Registry()
    registry.add(declaration_of(record_delete))
    clash = replace(declaration_of(broken_run), aliases=("Loeschen",))
    with pytest.raises(ValueError, match="loeschen"):
        registry.add(clash)


async def delete_without_reason(ctx: Context, number: int) -> Reply:
    return Reply.of("deleted")


async def delete_with_a_stray_argument(
    ctx: Context, number: int, reason: str | None, force: bool
) -> Reply:
    return Reply.of("deleted")


async def delete_with_a_reason_that_cannot_be_absent(
    ctx: Context, number: int, reason: str
) -> Reply:
    return Reply.of("deleted")


@pytest.mark.parametrize(
    ("handler", "complaint"),
    [
        (delete_without_reason, "does not take reason"),
        (delete_with_a_stray_argument, "takes force, which is not declared"),
        (delete_with_a_reason_that_cannot_be_absent, "reason may be left out"),
    ],
)
def test_a_handler_that_does_not_fit_its_declaration_is_refused(
    handler: Handler, complaint: str
) -> None:
    """A handler whose signature differs from its declaration is refused, naming the command."""
    mismatched = replace(declaration_of(record_delete), handler=handler)
    with pytest.raises(DeclarationMismatch, match=rf"command 'löschen' .*{complaint}"):
        Registry().add(mismatched)


def test_a_parameter_after_one_that_takes_the_rest_is_refused() -> None:
    """A declaration whose greedy parameter is not the last one could never be filled."""
    declared = declaration_of(record_delete)
    greedy_first = replace(
        declared,
        params=(replace(declared.params[0], greedy=True), Param("extra", "x", converters.text)),
    )
    with pytest.raises(DeclarationMismatch, match="only the last parameter"):
        check_declaration(greedy_first)


def test_every_real_command_fits_its_declaration() -> None:
    """All commands of the bot pass the start-up check of their signatures."""
    for declaration in build_registry().commands:
        check_declaration(declaration)


def test_a_command_named_in_a_reply_is_spelled_for_the_reader() -> None:
    """Texts name another command through the registry, in the reader's language."""
    meeting_new = build_registry().named("sitzung neu")
    assert meeting_new.ref("de", "!", "…") == "!sitzung neu …"
    assert meeting_new.ref("en", "!", "…") == "!meeting new …"
    with pytest.raises(LookupError, match="sitzung nie"):
        build_registry().named("sitzung nie")
