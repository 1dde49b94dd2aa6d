"""Organisations: ``!organisation`` searches them or shows a card, ``!organisation neu``
records one."""

from __future__ import annotations

from commands.contacts.common import (
    TEAM_ROOMS,
    beyond_end,
    default_source,
    filled,
    hit_count,
    labelled,
    offer_entry,
    organization_entry,
    terms_text,
)
from commands.contacts.converters import (
    FIELDS_OPTION_REQUIRED,
    GEMEINDE,
    TermNames,
    email_address,
    number_label,
    number_or_query,
    organization_kind,
    phone_number,
    postcode,
    web_address,
)
from commands.contacts.vocabulary import term_label
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import BadArgument, NotFound
from commands.framework.i18n import N_
from commands.framework.paging import PAGE_OPTION, more_note, page_from
from commands.framework.registry import (
    HelpGroup,
    Option,
    Param,
    Role,
    command,
)
from commands.framework.reply import Reply, code, fmt, strong
from storage.models import Organization


@command(
    "organisation",
    english="organization",
    aliases=("org",),
    help=N_("Searches organisations, or shows organisation No. N with its people and offers."),
    params=[Param("target", N_("search term or number"), number_or_query, greedy=True)],
    options=[PAGE_OPTION],
    min_role=Role.TEAM,
    rooms=TEAM_ROOMS,
    examples=("!organisation vhs", "!organisation 3"),
    group=HelpGroup.CONTACTS,
    rank=50,
)
async def organization_show(ctx: Context, target: int | str, page: int | None) -> Reply:
    if isinstance(target, int):
        return await organization_card(ctx, target)
    shown = page_from(page)
    found = await ctx.store.search.search(
        target, kinds=("organization",), limit=shown.size, offset=shown.offset
    )
    await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "search", "organization", "*")
    if found.total == 0:
        return Reply.of(
            ctx.say(
                "No organisation matches {query}. {new} records one.",
                query=strong(target),
                new=code(ctx.command_ref(organization_create, '"…" art=… gemeinde=… feld=…')),
            )
        )
    if not found.hits:
        raise beyond_end(ctx, shown, found.total)
    organizations = await ctx.store.contacts.organizations_by_ids([hit.id for hit in found.hits])
    header = ctx.t.ngettext(
        "{count} organisation for {query}:", "{count} organisations for {query}:", found.total
    )
    reply = Reply.of(strong(fmt(header, count=hit_count(found), query=target)))
    return reply.bullets(
        (organization_entry(ctx, organization) for organization in organizations),
        more_note(ctx, shown, found.total, ctx.command_ref(organization_show, target)),
    )


async def organization_numbered(ctx: Context, number: int) -> Organization:
    """Organisation No. ``number`` with the people who work there."""
    organization = await ctx.store.contacts.organization(number, people=True)
    if organization is None:
        raise NotFound(
            ctx.say(
                "There is no organisation with {number}. {search} searches by name.",
                number=number_label(ctx, number),
                search=code(ctx.command_ref(organization_show, "<…>")),
            )
        )
    return organization


async def organization_card(ctx: Context, number: int) -> Reply:
    """An organisation with its address, fields, people (name and function) and offers."""
    organization = await organization_numbered(ctx, number)
    await ctx.store.audit.record(
        ctx.clock.now(), ctx.sender, "view", "organization", organization.id
    )
    reply = Reply.of(
        strong(
            ctx.say(
                "Organisation {number}: {name}",
                number=number_label(ctx, organization.id),
                name=organization.name,
            )
        )
    )
    address = ", ".join(
        part
        for part in (
            organization.street,
            " ".join(p for p in (organization.postcode, organization.gemeinde) if p),
        )
        if part
    )
    contact = (organization.email, organization.phone, organization.notes)
    if not ctx.may_see_contact_data:
        contact = ("", "", "")
    lines = [
        labelled(
            ctx,
            N_("Kind"),
            term_label(organization.kind, ctx.t.language) if organization.kind else "",
        ),
        labelled(ctx, N_("Fields"), terms_text(ctx, organization.fields)),
        *filled(
            ctx,
            (N_("Address"), address),
            (N_("Website"), organization.website),
            (N_("E-mail"), contact[0]),
            (N_("Phone"), contact[1]),
            (N_("Notes"), contact[2]),
        ),
        labelled(ctx, N_("Source"), organization.source),
        labelled(ctx, N_("Recorded"), ctx.t.date(organization.created_at)),
    ]
    reply.bullets(lines)

    memberships = sorted(organization.memberships, key=lambda m: m.person.name_key)
    reply.add(strong(ctx._(N_("People:"))))
    if memberships:
        reply.bullets(
            fmt(
                "{number} {name}{function}",
                number=number_label(ctx, m.person.id),
                name=m.person.display_name,
                function=f" ({m.function})" if m.function else "",
            )
            for m in memberships
        )
    else:
        reply.add(ctx._(N_("No people recorded yet.")))
    offers = await ctx.store.contacts.offers_of(organization)
    reply.add(strong(ctx._(N_("Offers:"))))
    if offers:
        reply.bullets(offer_entry(ctx, offer) for offer in offers)
    else:
        reply.add(ctx._(N_("No offers recorded yet.")))
    return reply


ORGANIZATION_NAME = converters.FieldText(Organization, "name", N_("A name"))
STREET = converters.FieldText(Organization, "street", N_("A street"))
WEBSITE = converters.FieldText(Organization, "website", N_("A web address"), web_address)
EMAIL = converters.FieldText(Organization, "email", N_("An e-mail address"), email_address)
PHONE = converters.FieldText(Organization, "phone", N_("A phone number"), phone_number)
SOURCE = converters.FieldText(Organization, "source", N_("A source"))


@command(
    "organisation neu",
    english="organization new",
    aliases=("org neu", "org new"),
    help=N_("Records a new organisation with its kind, municipality and fields."),
    params=[Param("name", N_("name"), ORGANIZATION_NAME, greedy=True)],
    options=[
        Option("kind", "art", organization_kind, aliases=("kind",), required=True),
        Option("gemeinde", "gemeinde", GEMEINDE, aliases=("municipality",), required=True),
        FIELDS_OPTION_REQUIRED,
        Option("street", "strasse", STREET, aliases=("street",)),
        Option("postcode", "plz", postcode, aliases=("postcode", "zip")),
        Option("website", "web", WEBSITE, aliases=("website", "url")),
        Option("email", "email", EMAIL, aliases=("mail", "e-mail")),
        Option("phone", "tel", PHONE, aliases=("phone", "telefon")),
        Option("source", "quelle", SOURCE, aliases=("source",)),
        Option("note", "notiz", converters.text, aliases=("note", "notes")),
    ],
    min_role=Role.TEAM,
    rooms=TEAM_ROOMS,
    examples=(
        '!organisation neu "Gymnasium Am Park" art=Gymnasium gemeinde=Herford '
        'feld="Schule, Übergang Schule–Beruf"',
    ),
    group=HelpGroup.CONTACTS,
    rank=60,
)
async def organization_create(
    ctx: Context,
    name: str,
    kind: TermNames,
    gemeinde: str,
    fields: TermNames,
    street: str | None,
    postcode: str | None,
    website: str | None,
    email: str | None,
    phone: str | None,
    source: str | None,
    note: str | None,
) -> Reply:
    term = await kind.resolve_one(ctx)
    terms = await fields.resolve(ctx)
    existing = await ctx.store.contacts.organization_named(name)
    if existing is not None:
        raise BadArgument(
            ctx.say(
                "{name} is already recorded as organisation {number}.",
                name=strong(existing.name),
                number=number_label(ctx, existing.id),
            )
        )
    organization = await ctx.store.contacts.add_organization(
        ctx.clock.now(),
        name,
        kind=term,
        fields=terms,
        gemeinde=gemeinde,
        street=street or "",
        postcode=postcode or "",
        website=website or "",
        email=email or "",
        phone=phone or "",
        notes=note or "",
        source=source or default_source(ctx),
    )
    await ctx.store.audit.record(
        ctx.clock.now(), ctx.sender, "create", "organization", organization.id
    )
    return Reply.of(
        ctx.say(
            "Organisation {number} recorded: {entry}",
            number=number_label(ctx, organization.id),
            entry=organization_entry(ctx, organization),
        )
    )
