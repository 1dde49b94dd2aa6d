"""What the decision commands accept: a decision's wording with ``einstimmig``, its votes, the
meeting it was taken in and the Beschlusskontrolle's scope; and the one rule that a decision
is either unanimous or counted."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from commands.framework import converters
from commands.framework.errors import BadArgument
from commands.framework.i18n import N_
from commands.framework.registry import Option
from commands.framework.reply import code, fmt
from commands.tasks.converters import MAX_TEXT_LENGTH
from commands.tasks.tasks import decision_in_reach
from storage.folding import fold_text

if TYPE_CHECKING:
    from commands.framework.context import Context

_UNANIMOUS_WORDS = frozenset({"einstimmig", "unanimous", "unanimously"})
_OPEN_WORDS = frozenset({"offen", "open"})


def _without_last_word(raw: str, flags: frozenset[str]) -> tuple[list[str], bool]:
    """The words of ``raw``, and whether the last one was one of ``flags`` (then left out)."""
    words = raw.split()
    if words and fold_text(words[-1]) in flags:
        return words[:-1], True
    return words, False


# --------------------------------------------------------------------------- wording


@dataclass(frozen=True)
class DecisionText:
    """A decision's wording, and whether "einstimmig" followed it."""

    text: str
    unanimous: bool


def decision_correction(ctx: Context, raw: str) -> DecisionText:
    """A corrected wording as :func:`decision_text` reads it, or ``einstimmig`` alone."""
    if fold_text(raw).strip(".") in _UNANIMOUS_WORDS:
        return DecisionText("", True)
    return decision_text(ctx, raw)


def decision_text(ctx: Context, raw: str) -> DecisionText:
    """The wording of a decision; a last word ``einstimmig`` records it as unanimous."""
    words, unanimous = _without_last_word(raw, _UNANIMOUS_WORDS)
    text = " ".join(words)
    if not text:
        raise BadArgument(ctx._(N_("The decision's wording is missing.")))
    if len(text) > MAX_TEXT_LENGTH:
        message = N_("A decision can hold at most {limit} characters; this one has {count}.")
        raise BadArgument(fmt(ctx._(message), limit=MAX_TEXT_LENGTH, count=len(text)))
    return DecisionText(text, unanimous)


# A decision's number, handed to the handler as the decision if it may be shown here.
reachable_decision = converters.looked_up(decision_in_reach)


# --------------------------------------------------------------------------- votes


def _refuse_unanimous_after_options(ctx: Context, raw: str) -> None:
    """``sitzung=3 einstimmig``: the word went into the option's value, so say where it goes."""
    words = raw.split()
    if len(words) > 1 and fold_text(words[-1]).strip(".") in _UNANIMOUS_WORDS:
        raise BadArgument(
            fmt(
                ctx._(N_("Write {word} right after the wording, before the options: {example}")),
                word=code(words[-1]),
                example=code(ctx.command_ref("beschluss", ctx._(N_("… unanimous meeting=3")))),
            )
        )


def meeting_number(ctx: Context, raw: str) -> int:
    """The number of the meeting a decision was taken in."""
    _refuse_unanimous_after_options(ctx, raw)
    return converters.number(ctx, raw)


def vote_count(ctx: Context, raw: str) -> int:
    """A number of votes: 0 or more."""
    _refuse_unanimous_after_options(ctx, raw)
    value = raw.strip()
    if not re.fullmatch(r"\d{1,4}", value):
        raise BadArgument(
            ctx.say("{raw} is no number of votes. Write a number such as yes=7.", raw=code(raw))
        )
    return int(value)


# The votes of a decision, the same three options for recording and for correcting it.
VOTE_OPTIONS = (
    Option("yes", "ja", vote_count, aliases=("yes",)),
    Option("no", "nein", vote_count, aliases=("no",)),
    Option("abstain", "enthaltung", vote_count, aliases=("abstain", "abstentions")),
)


def counted_votes(
    ctx: Context, unanimous: bool, yes: int | None, no: int | None, abstain: int | None
) -> tuple[int | None, int | None, int | None]:
    """The votes as given, refused when the decision is also called unanimous: a decision is
    either unanimous or counted."""
    counted = (yes, no, abstain)
    if unanimous and any(count is not None for count in counted):
        raise BadArgument(
            ctx._(N_("Write either unanimous or the votes with yes=, no=, abstain=, not both."))
        )
    return counted


# --------------------------------------------------------------------------- tracking


@dataclass(frozen=True)
class DecisionScope:
    """``!beschluesse [Gremium] [offen]`` as read."""

    committee: str
    only_open: bool


def decision_scope(ctx: Context, raw: str) -> DecisionScope:
    """An optional committee name, optionally followed by ``offen``/``open``."""
    words, only_open = _without_last_word(raw, _OPEN_WORDS)
    return DecisionScope(" ".join(words), only_open)
