"""Clash warnings: a meeting that overlaps another of its committee, or another committee's
meeting in the same place. The meeting is still planned; the reply says what it clashes with."""

from __future__ import annotations

from collections.abc import Sequence

from commands.framework.context import Context
from commands.framework.reply import Text, fmt, strong
from commands.meetings.texts import meeting_number
from storage.folding import fold_text
from storage.models import Meeting

# More than this many clashes of one series are summed up rather than listed.
MAX_LISTED = 3


async def clash_notes(ctx: Context, planned: Sequence[Meeting]) -> list[Text]:
    """The warnings and notices for the newly planned or moved ``planned`` meetings."""
    own = {meeting.id for meeting in planned}
    notes: list[Text] = []
    for meeting in planned:
        for other in await ctx.store.meetings.overlapping(meeting.start, meeting.end, own):
            if other.committee_id == meeting.committee_id:
                notes.append(
                    ctx.say(
                        "Warning: meeting {number} overlaps meeting {other} of the same "
                        "committee ({when}).",
                        number=meeting_number(ctx.t, meeting),
                        other=strong(meeting_number(ctx.t, other)),
                        when=ctx.t.datetime(other.start),
                    )
                )
            elif meeting.place.strip() and fold_text(meeting.place) == fold_text(other.place):
                notes.append(
                    ctx.say(
                        "Note: at that time the committee {committee} meets in the same "
                        "place, {place} (meeting {other}).",
                        committee=strong(other.committee.name),
                        place=other.place,
                        other=meeting_number(ctx.t, other),
                    )
                )
    if len(notes) > MAX_LISTED:
        more = len(notes) - MAX_LISTED
        notes = notes[:MAX_LISTED]
        notes.append(
            fmt(
                ctx.t.ngettext("… and {count} more clash.", "… and {count} more clashes.", more),
                count=more,
            )
        )
    return notes
