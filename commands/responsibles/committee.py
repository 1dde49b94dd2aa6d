"""``!wer <Gremium>``: a committee's members, for the contact search."""

from __future__ import annotations

from commands.committees.lookup import title_of
from commands.committees.texts import ordered_seats, seat_entry
from commands.framework.context import Context
from commands.framework.errors import BadArgument
from commands.framework.i18n import N_
from commands.framework.paging import Page, more_note
from commands.framework.reply import Reply, fmt, strong
from storage.folding import fold_text
from storage.models import Committee, CommitteeMember


def committee_who(
    ctx: Context, committee: Committee, gemeinde: str | None, page: Page, command_line: str
) -> Reply:
    """``!wer Bildungsbeirat``: the committee's members with their roles, chair first.

    Called by ``!wer`` (:mod:`commands.responsibles.find`) when its topic names a committee,
    with the command line that repeats the question (for "next page"); numbers and
    organisations are shown, contact data are not.
    """
    seats = ordered_seats(committee)
    if gemeinde:
        wanted = fold_text(gemeinde)
        seats = [seat for seat in seats if wanted in places_of(seat)]
    if not seats:
        if gemeinde:
            message = N_("No member of the committee {name} is from {gemeinde}.")
        else:
            message = N_("No members of the committee {name} are recorded yet.")
        return Reply.of(
            fmt(ctx._(message), name=strong(title_of(committee)), gemeinde=gemeinde or "")
        )
    shown = seats[page.offset : page.offset + page.size]
    if not shown:
        pages = -(-len(seats) // page.size)
        raise BadArgument(
            fmt(
                ctx.t.ngettext(
                    "Page {page} does not exist: there is {pages} page of results.",
                    "Page {page} does not exist: there are {pages} pages of results.",
                    pages,
                ),
                page=page.number,
                pages=pages,
            )
        )
    header = ctx.t.ngettext(
        "{count} member of the committee {name}:",
        "{count} members of the committee {name}:",
        len(seats),
    )
    reply = Reply.of(strong(fmt(header, count=len(seats), name=title_of(committee))))
    return reply.bullets(
        (seat_entry(ctx, seat, numbered=True) for seat in shown),
        more_note(ctx, page, len(seats), command_line),
    )


def places_of(member: CommitteeMember) -> set[str]:
    """The Gemeinden a seat belongs to: the person's own and their organisations'."""
    person = member.person
    if person is None:
        return set()
    places = {fold_text(person.gemeinde)}
    places.update(fold_text(m.organization.gemeinde) for m in person.memberships if m.organization)
    return places - {""}
