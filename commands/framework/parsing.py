"""From message text to a command and bound, converted arguments."""

from __future__ import annotations

import inspect
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from commands.framework.errors import BadArgument
from commands.framework.i18n import N_
from commands.framework.reply import Text, code, join

if TYPE_CHECKING:
    from commands.framework.context import Context
    from commands.framework.registry import Command, Converter, Option

# Clients and keyboards produce typographic quotes; the syntax knows only the straight one.
_QUOTES = str.maketrans({"„": '"', "“": '"', "”": '"', "«": '"', "»": '"'})
# Invisible characters that come with copied text and would make a name unfindable.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_WORD = re.compile(r'"([^"]*)"|(\S+)')
# ``key=`` at the start of a word: an option begins there and runs until the next one.
_OPTION_START = re.compile(r"(?:(?<=\s)|^)([^\W\d][\w\-]*)=")
# More than this in one value is a paste gone wrong, not a record (per-field limits are lower).
MAX_VALUE_LENGTH = 2000


@dataclass(frozen=True)
class Token:
    """One word of the argument line, or one option (``key`` set) with its whole value."""

    value: str
    key: str | None = None


class UnclosedQuote(ValueError):
    """A quotation mark was opened and never closed."""


def normalise_text(text: str) -> str:
    """NFC, typographic quotes made straight, invisible characters removed."""
    return unicodedata.normalize("NFC", text).translate(_INVISIBLE)


def tokenize(line: str) -> list[Token]:
    """The words before the first option, then each ``key=value`` as one token.

    A value runs until the next ``key=`` that starts a word, so ``gemeinde=Neustadt am See``
    needs no quotes; a value in quotes may contain ``key=`` itself. Words are split on white
    space, "quoted text" staying one word.
    """
    line = normalise_text(line).translate(_QUOTES)
    if line.count('"') % 2:
        raise UnclosedQuote(line)
    starts = [
        match for match in _OPTION_START.finditer(line) if not _quoted_at(line, match.start())
    ]
    head = line[: starts[0].start()] if starts else line
    tokens = [Token(word[1] if word[1] is not None else word[2]) for word in _WORD.finditer(head)]
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(line)
        tokens.append(Token(_unquoted(line[match.end() : end].strip()), match.group(1)))
    return tokens


def _quoted_at(line: str, position: int) -> bool:
    """Whether ``position`` lies inside a pair of quotation marks."""
    return line.count('"', 0, position) % 2 == 1


def _unquoted(value: str) -> str:
    """A value written wholly in quotes without them; any other value as it is."""
    if len(value) >= 2 and value[0] == value[-1] == '"' and value.count('"') == 2:
        return value[1:-1]
    return value


def split_command(body: str, prefix: str) -> tuple[list[str], str] | None:
    """``"!hilfe termine"`` → ``(["hilfe", "termine"], "termine")``; None if no prefix."""
    stripped = body.strip()
    if not stripped.startswith(prefix) or len(stripped) == len(prefix):
        return None
    rest = stripped[len(prefix) :]
    if rest[0].isspace():
        return None
    return rest.split(), rest


async def converted(ctx: Context, converter: Converter, raw: str) -> Any:
    """``raw`` as ``converter`` reads it; a converter that looks a record up is a coroutine
    and is awaited here, so the handler gets the record itself."""
    value = converter(ctx, raw)
    return await value if inspect.isawaitable(value) else value


async def bind(ctx: Context, declaration: Command, line: str) -> dict[str, Any]:
    """Match the argument ``line`` against the declaration and convert every value, in the
    order written in the declaration: options first, then the positional parameters."""
    if len(declaration.params) == 1 and declaration.params[0].verbatim:
        param = declaration.params[0]
        raw = normalise_text(line).strip()
        if not raw:
            if param.optional:
                return {param.name: None}
            raise BadArgument(ctx.say("Missing: {what}.", what=code(ctx._(param.label))))
        return {param.name: await converted(ctx, param.converter, raw)}
    try:
        tokens = tokenize(line)
    except UnclosedQuote:
        raise BadArgument(
            ctx._(
                N_('A quotation mark is not closed. Write quoted text like "Kita Sonnenschein".')
            )
        ) from None
    # Every option is checked before any is converted: a doubtful line stores nothing and
    # gets the sentence about its first doubtful key, not about a later value.
    positional: list[Token] = []
    given: dict[str, tuple[Option, Token]] = {}
    for token in tokens:
        if len(token.value) > MAX_VALUE_LENGTH:
            raise BadArgument(_too_long(ctx, token))
        if token.key is None:
            positional.append(token)
            continue
        option = declaration.option_for(token.key)
        if option is None:
            raise BadArgument(_unknown_option(ctx, declaration, token.key))
        if option.name in given:
            raise BadArgument(
                ctx.say("{key} is given twice. Write each key once.", key=code(f"{token.key}="))
            )
        if not token.value:
            raise BadArgument(
                ctx.say(
                    "{key} has no value. Write the value right after the = sign; "
                    "to remove an entry, write {clear}.",
                    key=code(f"{token.key}="),
                    clear=code(f"{token.key}=-"),
                )
            )
        given[option.name] = (option, token)
    absent = [
        option for option in declaration.options if option.required and option.name not in given
    ]
    if absent:
        raise BadArgument(
            ctx.say(
                "Missing: {what}.", what=join(", ", [code(f"{option.key}=…") for option in absent])
            )
        )
    values: dict[str, Any] = {
        name: await converted(ctx, option.converter, token.value)
        for name, (option, token) in given.items()
    }
    for option in declaration.options:
        values.setdefault(option.name, None)

    params = list(declaration.params)
    for param in params:
        if not positional:
            if not param.optional:
                raise BadArgument(ctx.say("Missing: {what}.", what=code(ctx._(param.label))))
            values[param.name] = None
            continue
        if param.greedy:
            raw = " ".join(token.value for token in positional)
            positional = []
        else:
            raw = positional.pop(0).value
        values[param.name] = await converted(ctx, param.converter, raw)
    if positional:
        extra = join(" ", [token.value for token in positional])
        raise BadArgument(
            ctx.say(
                "Too many arguments: {extra}. If it belongs to a value, write it after "
                "that value's key=, e.g. tel=05555 2296.",
                extra=code(extra),
            )
        )
    return values


def _unknown_option(ctx: Context, declaration: Command, key: str) -> Text:
    """The sentence for a ``key=`` the command does not have."""
    if not declaration.options:
        return ctx.say(
            "{name} takes no options such as {key}.",
            name=code(declaration.ref(ctx.t.language, ctx.prefix)),
            key=code(f"{key}="),
        )
    return ctx.say(
        "Unknown option {key}. Possible options: {known}. "
        'A value that contains "=" goes in quotes, e.g. notiz="a=b".',
        key=code(f"{key}="),
        known=join(", ", [code(f"{o.key}=") for o in declaration.options]),
    )


def _too_long(ctx: Context, token: Token) -> Text:
    """The sentence for a value longer than any field holds."""
    what = code(f"{token.key}=") if token.key else ctx._(N_("The text"))
    return ctx.say(
        "{what} is too long: {count} characters, at most {limit} are possible.",
        what=what,
        count=len(token.value),
        limit=MAX_VALUE_LENGTH,
    )
