"""``!wer``: who is responsible for a topic or field, grouped by organisation, or who sits on
a committee."""

from __future__ import annotations

import itertools

from commands.contacts.common import (
    TEAM_ROOMS,
    beyond_end,
    option_text,
    role_text,
)
from commands.contacts.converters import (
    number_label,
)
from commands.contacts.vocabulary import term_label
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.i18n import N_
from commands.framework.paging import PAGE_OPTION, more_note, page_from
from commands.framework.registry import (
    HelpGroup,
    Option,
    Param,
    Role,
    command,
)
from commands.framework.reply import Reply, Text, code, fmt, join, strong, text
from commands.responsibles.committee import committee_who
from storage.contacts import PersonRole, Responsible
from storage.models import Organization
from storage.vocabulary import FIELD

# A full-text "!wer" collects this many hits before grouping them by organisation.
WHO_SEARCH_LIMIT = 200


@command(
    "wer",
    english="who",
    help=N_(
        "Shows who is responsible for a topic or field, grouped by organisation, or who sits "
        "on a committee."
    ),
    params=[Param("topic", N_("topic or field"), converters.text, greedy=True)],
    options=[
        Option("gemeinde", "gemeinde", converters.text, aliases=("municipality",)),
        PAGE_OPTION,
    ],
    min_role=Role.TEAM,
    rooms=TEAM_ROOMS,
    examples=(
        "!wer ÜSB",
        "!wer Sprachförderung gemeinde=Herford",
        "!wer Ganztag seite=2",
        "!wer Bildungsbeirat",
    ),
    group=HelpGroup.CONTACTS,
    rank=40,
)
async def responsible_find(
    ctx: Context, topic: str, gemeinde: str | None, page: int | None
) -> Reply:
    shown = page_from(page)
    line = ctx.command_ref(responsible_find, topic)
    if gemeinde:
        line += " " + option_text("gemeinde", gemeinde)
    committee = await ctx.store.committees.named(topic, seats=True)
    if committee is not None:
        # A committee's name or short name: its members with their roles, chair first.
        await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "search", "person", "*")
        return committee_who(ctx, committee, gemeinde, shown, line)
    field = await ctx.store.vocabulary.match(FIELD, topic)
    if field is not None:
        rows = await ctx.store.contacts.responsible_for_field(field, gemeinde)
        subject = term_label(field, ctx.t.language)
    else:
        # The Gemeinde is applied afterwards: a person counts for it through their own
        # Gemeinde or through their organisation's, which the search index cannot know.
        found = await ctx.store.search.search(
            topic, kinds=("person", "organization"), limit=WHO_SEARCH_LIMIT
        )
        rows = await ctx.store.contacts.responsible_among(
            [hit.id for hit in found.hits if hit.kind == "person"],
            [hit.id for hit in found.hits if hit.kind == "organization"],
            gemeinde,
        )
        subject = topic
    # Names and functions of many people at once: a bulk view, logged without the topic.
    await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "search", "person", "*")

    people = list(dict.fromkeys(row.person.id for row in rows))
    if not people:
        return nobody_for(ctx, subject, gemeinde)
    on_page = set(people[shown.offset : shown.offset + shown.size])
    if not on_page:
        raise beyond_end(ctx, shown, len(people))
    rows = [row for row in rows if row.person.id in on_page]
    roles = await ctx.store.contacts.roles_of([row.person for row in rows])

    if gemeinde:
        header = ctx.t.ngettext(
            "{count} person for {topic} in {gemeinde}:",
            "{count} persons for {topic} in {gemeinde}:",
            len(people),
        )
    else:
        header = ctx.t.ngettext(
            "{count} person for {topic}:", "{count} persons for {topic}:", len(people)
        )
    reply = Reply.of(
        strong(fmt(header, count=len(people), topic=subject, gemeinde=gemeinde or ""))
    )
    groups = itertools.groupby(rows, key=lambda row: row.organization)
    return reply.bullets(
        [
            responsible_group(ctx, organization, list(group), roles)
            for organization, group in groups
        ],
        more_note(ctx, shown, len(people), line),
    )


def responsible_group(
    ctx: Context,
    organization: Organization | None,
    rows: list[Responsible],
    roles: dict[int, list[PersonRole]],
) -> Text:
    """``Gymnasium Am Park: Nr. 12 Maria Müller (Schulsozialarbeit), also: …; Nr. 14 …``."""
    people = []
    for row in rows:
        entry = fmt(
            "{number} {name}",
            number=number_label(ctx, row.person.id),
            name=row.person.display_name,
        )
        if row.function:
            entry += fmt(" ({function})", function=row.function)
        elsewhere = [
            role
            for role in roles[row.person.id]
            if not (
                role.kind == "organization" and organization and role.body_id == organization.id
            )
        ]
        if elsewhere:
            entry += ctx.say(
                ", also: {roles}", roles=join("; ", (role_text(ctx, role) for role in elsewhere))
            )
        people.append(entry)
    where = strong(organization.name) if organization else text(ctx._(N_("Without organisation")))
    return fmt("{where}: {people}", where=where, people=join("; ", people))


def nobody_for(ctx: Context, subject: str, gemeinde: str | None) -> Reply:
    """No one found: say so, and name the fields one can ask for."""
    if gemeinde:
        message = ctx.say(
            "Nobody is recorded for {topic} in {gemeinde}.",
            topic=strong(subject),
            gemeinde=gemeinde,
        )
    else:
        message = ctx.say("Nobody is recorded for {topic}.", topic=strong(subject))
    reply = Reply.of(message)
    return reply.add(
        ctx.say(
            "{search} searches all contacts by name; {new} records someone.",
            search=code(ctx.command_ref("kontakt", "<…>")),
            new=code(ctx.command_ref("kontakt neu", '"…"')),
        )
    )
