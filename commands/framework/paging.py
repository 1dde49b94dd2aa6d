"""Long lists come in pages: the first page is shown, and the answer says how many more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from commands.framework import converters
from commands.framework.registry import Option
from commands.framework.reply import Text, code, fmt

if TYPE_CHECKING:
    from commands.framework.context import Context

PAGE_SIZE = 10


def page_number(ctx: Context, raw: str) -> int:
    return converters.number(ctx, raw)


PAGE_OPTION = Option("page", "seite", page_number, aliases=("page",))


@dataclass(frozen=True)
class Page:
    """Which slice of a result list to show."""

    number: int = 1
    size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def remaining(self, total: int) -> int:
        """How many entries come after this page."""
        return max(0, total - self.offset - self.size)


def more_note(ctx: Context, page: Page, total: int, command: str) -> Text | None:
    """ "… 12 more. Next page: `!kontakt schmidt seite=2`", or None on the last page.

    ``command`` is the list's command as the reader types it (:meth:`Context.command_ref`).
    """
    remaining = page.remaining(total)
    if remaining == 0:
        return None
    template = ctx.t.ngettext(
        "… and {count} more. Next page: {command}",
        "… and {count} more. Next page: {command}",
        remaining,
    )
    next_page = f"{command} {PAGE_OPTION.key}={page.number + 1}"
    return fmt(template, count=remaining, command=code(next_page))


def page_from(number: int | None) -> Page:
    return Page(number or 1)
