"""From message text to a command and bound, converted arguments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from commands.errors import BadArgument
from commands.i18n import N_
from commands.reply import code, fmt, join

if TYPE_CHECKING:
    from commands.context import Context
    from commands.registry import Command

# Clients and keyboards produce typographic quotes; the syntax knows only the straight one.
_QUOTES = str.maketrans({"„": '"', "“": '"', "”": '"', "«": '"', "»": '"'})
_TOKEN = re.compile(r'(?:([^\s="]+)=)?(?:"([^"]*)"|(\S+))')
_OPTION_KEY = re.compile(r"^[^\W\d][\w\-]*$")


@dataclass(frozen=True)
class Token:
    """One word of the argument line; ``key`` is set for ``key=value``."""

    value: str
    key: str | None = None


class UnclosedQuote(ValueError):
    """A quotation mark was opened and never closed."""


def tokenize(line: str) -> list[Token]:
    """Split on white space, keeping "quoted text" and key="quoted text" together."""
    line = line.translate(_QUOTES)
    if line.count('"') % 2:
        raise UnclosedQuote(line)
    tokens: list[Token] = []
    for match in _TOKEN.finditer(line):
        key, quoted, bare = match.groups()
        value = quoted if quoted is not None else (bare or "")
        if key is not None and not _OPTION_KEY.match(key):
            key, value = None, f"{key}={value}"
        tokens.append(Token(value, key))
    return tokens


def split_command(body: str, prefix: str) -> tuple[list[str], str] | None:
    """``"!hilfe termine"`` → ``(["hilfe", "termine"], "termine")``; None if no prefix."""
    stripped = body.strip()
    if not stripped.startswith(prefix) or len(stripped) == len(prefix):
        return None
    rest = stripped[len(prefix) :]
    if rest[0].isspace():
        return None
    return rest.split(), rest


def bind(ctx: Context, declaration: Command, line: str) -> dict[str, Any]:
    """Match the argument ``line`` against the declaration and convert every value."""
    if len(declaration.params) == 1 and declaration.params[0].verbatim:
        param = declaration.params[0]
        raw = line.strip()
        if not raw:
            if param.optional:
                return {param.name: None}
            raise BadArgument(fmt(ctx._(N_("Missing: {what}.")), what=code(ctx._(param.label))))
        return {param.name: param.converter(ctx, raw)}
    try:
        tokens = tokenize(line)
    except UnclosedQuote:
        raise BadArgument(
            ctx._(
                N_('A quotation mark is not closed. Write quoted text like "Kita Sonnenschein".')
            )
        ) from None
    values: dict[str, Any] = {}
    positional: list[Token] = []
    for token in tokens:
        if token.key is None:
            positional.append(token)
            continue
        option = declaration.option_for(token.key)
        if option is None:
            known = join(", ", [code(f"{o.key}=") for o in declaration.options])
            if declaration.options:
                message = fmt(
                    ctx._(N_("Unknown option {key}. Possible options: {known}.")),
                    key=code(f"{token.key}="),
                    known=known,
                )
            else:
                message = fmt(
                    ctx._(N_("{name} takes no options such as {key}.")),
                    name=code(declaration.ref(ctx.t.language, ctx.prefix)),
                    key=code(f"{token.key}="),
                )
            raise BadArgument(message)
        values[option.name] = option.converter(ctx, token.value)
    for option in declaration.options:
        values.setdefault(option.name, None)

    params = list(declaration.params)
    for param in params:
        if not positional:
            if not param.optional:
                raise BadArgument(
                    fmt(ctx._(N_("Missing: {what}.")), what=code(ctx._(param.label)))
                )
            values[param.name] = None
            continue
        if param.greedy:
            raw = " ".join(token.value for token in positional)
            positional = []
        else:
            raw = positional.pop(0).value
        values[param.name] = param.converter(ctx, raw)
    if positional:
        extra = join(" ", [token.value for token in positional])
        raise BadArgument(fmt(ctx._(N_("Too many arguments: {extra}.")), extra=code(extra)))
    return values
