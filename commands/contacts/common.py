"""What the contact network commands share: list entries, card lines, paging errors, and
recording an organisation met for the first time.

The network's commands are for the team, in the team room or a direct chat with the bot: the
network is personal data, and the dispatcher refuses these commands anywhere else before they
look at anything, so a refusal cannot tell whether a person exists.
"""

from __future__ import annotations

from collections.abc import Iterable

from commands.contacts.converters import (
    number_label,
)
from commands.contacts.seats import role_label
from commands.contacts.vocabulary import term_label
from commands.framework.context import Context
from commands.framework.errors import BadArgument
from commands.framework.paging import Page
from commands.framework.registry import (
    RoomKind,
)
from commands.framework.reply import Text, fmt, join, strong, text
from storage.contacts import PersonRole
from storage.models import Offer, Organization, Person, VocabularyTerm
from storage.search import SearchPage
from storage.vocabulary import ORG_KIND

TEAM_ROOMS = (RoomKind.TEAM, RoomKind.DIRECT)


NONE = "–"


def option_text(key: str, value: str) -> str:
    """``key=value``, quoted when the value has spaces, for "next page" commands."""
    return f'{key}="{value}"' if any(ch.isspace() for ch in value) else f"{key}={value}"


def labelled(ctx: Context, label: str, value: Text | str) -> Text:
    """``Label: value`` for the lines of a card; ``label`` is an English msgid."""
    return fmt("{label}: {value}", label=ctx._(label), value=value or NONE)


def filled(ctx: Context, *pairs: tuple[str, str]) -> list[Text]:
    """Card lines for the optional entries that have a value; empty ones are left out."""
    return [labelled(ctx, label, value) for label, value in pairs if value]


def terms_text(ctx: Context, terms: Iterable[VocabularyTerm]) -> str:
    return ", ".join(term_label(term, ctx.t.language) for term in terms)


def role_text(ctx: Context, role: PersonRole) -> Text:
    """``Gymnasium Am Park (Schulsozialarbeit)``; a committee seat's role in the reader's
    language: ``Bildungsbeirat (chair)``."""
    function = role_label(ctx, role.function) if role.kind == "committee" else role.function
    if function:
        return fmt("{body} ({function})", body=role.body_name, function=function)
    return text(role.body_name)


def default_source(ctx: Context) -> str:
    """Where a record typed into the chat comes from: ``Matrix (@anna:example.org)``."""
    return f"Matrix ({ctx.sender})"


def beyond_end(ctx: Context, page: Page, total: int) -> BadArgument:
    """The error for ``seite=N`` past the last page."""
    pages = -(-total // page.size)
    template = ctx.t.ngettext(
        "Page {page} does not exist: there is {pages} page of results.",
        "Page {page} does not exist: there are {pages} pages of results.",
        pages,
    )
    return BadArgument(fmt(template, page=page.number, pages=pages))


def hit_count(found: SearchPage) -> str:
    """``12``, or ``1000+`` when the search stopped counting."""
    return f"{found.total}+" if found.capped else str(found.total)


async def create_organization(ctx: Context, name: str) -> Organization:
    """Record an organisation met for the first time as a contact's employer or a provider."""
    kind = await ctx.store.vocabulary.match(ORG_KIND, "sonstige")
    organization = await ctx.store.contacts.add_organization(
        ctx.clock.now(), name, kind=kind, source=default_source(ctx)
    )
    await ctx.store.audit.record(
        ctx.clock.now(), ctx.sender, "create", "organization", organization.id
    )
    return organization


def new_organization_note(ctx: Context, organization: Organization) -> Text:
    return ctx.say(
        "The organisation {name} was new and has been recorded as {number} ({kind}).",
        name=strong(organization.name),
        number=number_label(ctx, organization.id),
        kind=term_label(organization.kind, ctx.t.language) if organization.kind else NONE,
    )


def person_entry(ctx: Context, person: Person, roles: list[PersonRole]) -> Text:
    """One line of a list: number, name, organisations with function, fields, Gemeinde."""
    parts: list[Text | str] = [
        fmt(
            "{number} · {name}",
            number=number_label(ctx, person.id),
            name=strong(person.display_name),
        )
    ]
    if roles:
        parts.append(join("; ", (role_text(ctx, role) for role in roles)))
    if person.fields:
        parts.append(terms_text(ctx, person.fields))
    if person.gemeinde:
        parts.append(person.gemeinde)
    if person.email and ctx.may_see_contact_data:
        parts.append(person.email)
    return join(" · ", parts)


def organization_entry(ctx: Context, organization: Organization) -> Text:
    """One line of a list: number, name, kind, fields, Gemeinde, how many people."""
    parts: list[Text | str] = [
        ctx.say(
            "Organisation {number} · {name}",
            number=number_label(ctx, organization.id),
            name=strong(organization.name),
        )
    ]
    if organization.kind is not None:
        parts.append(term_label(organization.kind, ctx.t.language))
    if organization.fields:
        parts.append(terms_text(ctx, organization.fields))
    if organization.gemeinde:
        parts.append(organization.gemeinde)
    people = len(organization.memberships)
    if people:
        parts.append(
            fmt(ctx.t.ngettext("{count} person", "{count} persons", people), count=people)
        )
    return join(" · ", parts)


def offer_entry(ctx: Context, offer: Offer) -> Text:
    """One line of a list: number, title, provider, place, target groups, time."""
    parts: list[Text | str] = [
        fmt("{number} · {title}", number=number_label(ctx, offer.id), title=strong(offer.title))
    ]
    if offer.provider is not None:
        parts.append(offer.provider.name)
    place = ", ".join(part for part in (offer.place, offer.gemeinde) if part)
    if place:
        parts.append(place)
    if offer.target_groups:
        parts.append(terms_text(ctx, offer.target_groups))
    if offer.schedule:
        parts.append(offer.schedule)
    return join(" · ", parts)
