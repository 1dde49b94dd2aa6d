"""Data protection commands: ``!kontakt auskunft`` (Art. 15) and ``!kontakt löschen`` (Art. 17)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from typing import Any, NoReturn

from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import BadArgument, NotFound
from commands.framework.i18n import N_
from commands.framework.registry import HelpGroup, Param, Role, RoomKind, command
from commands.framework.reply import Attachment, Reply, code, fmt, strong
from storage.folding import fold_text
from storage.models import Person
from storage.privacy import pseudonym_for
from storage.reports import PERSONAL_DATA_SECTIONS

CONFIRMED_LABEL = N_("confirmed")
CONFIRMATIONS = frozenset({"bestaetigt", "confirmed"})  # folded: "bestätigt" → "bestaetigt"

# Headings of the export's sections; a section added in storage/reports.py needs one here
# (a test checks that every section has a heading).
SECTION_TITLES = {
    "record": N_("Record"),
    "memberships": N_("Functions in organisations"),
    "fields": N_("Fields"),
    "committee_seats": N_("Seats in committees"),
    "tasks": N_("Tasks owned"),
    "decisions": N_("Decisions recorded"),
    "agenda_items": N_("Agenda items submitted"),
    "minutes": N_("Attendance and notes in minutes"),
    "audit_log": N_("Processing log (who did what with the record, and when)"),
}
RECORD_LABELS = {
    "id": N_("Number"),
    "title": N_("Title"),
    "name": N_("Name"),
    "name_key": N_("Search form of the name"),
    "email": N_("E-mail"),
    "phone": N_("Phone"),
    "matrix_id": N_("Matrix ID"),
    "gemeinde": N_("Municipality"),
    "notes": N_("Notes"),
    "source": N_("Source"),
    "recorded_at": N_("Recorded on"),
    "legal_basis": N_("Legal basis"),
    "consent_at": N_("Consent given on"),
    "consent_withdrawn_at": N_("Consent withdrawn on"),
    "last_activity_at": N_("Last activity"),
    "updated_at": N_("Last changed"),
}
LEGAL_BASES = {
    "public_task": N_("public task (Art. 6 (1) e GDPR)"),
    "consent": N_("consent (Art. 6 (1) a GDPR)"),
}
AUDIT_ACTIONS = {
    "create": N_("recorded"),
    "update": N_("changed"),
    "delete": N_("deleted"),
    "erase": N_("erased"),
    "export": N_("exported"),
    "view": N_("viewed"),
    "import": N_("imported"),
}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def confirmation(ctx: Context, raw: str) -> bool:
    """The word that confirms an erasure: ``bestätigt`` or ``confirmed``."""
    if fold_text(raw) in CONFIRMATIONS or fold_text(raw) == fold_text(ctx._(CONFIRMED_LABEL)):
        return True
    raise BadArgument(
        ctx.say(
            "{raw} does not confirm anything. To confirm, write {word} after the number.",
            raw=code(raw),
            word=code(ctx._(CONFIRMED_LABEL)),
        )
    )


NAME_LABEL = N_("name")
NUMBER = Param("number", N_("number"), converters.number)


async def _person(ctx: Context, number: int) -> Person:
    person = await ctx.store.contacts.person(number)
    if person is None:
        _not_found(ctx, number)
    return person


# A contact's number, handed to the handler as the contact.
NUMBERED_PERSON = Param("person", N_("number"), converters.looked_up(_person))


def _not_found(ctx: Context, number: int) -> NoReturn:
    raise NotFound(
        ctx.say(
            "There is no contact with No. {number}. {search} finds contacts by name.",
            number=number,
            search=code(ctx.command_ref("kontakt", f"<{ctx._(NAME_LABEL)}>")),
        )
    )


# --------------------------------------------------------------------------- Art. 15


@command(
    "kontakt auskunft",
    english="contact access",
    help=N_("Exports everything stored about a contact (right of access, Art. 15 GDPR)."),
    params=[NUMBER],
    min_role=Role.TEAM,
    rooms=(RoomKind.TEAM, RoomKind.DIRECT),
    examples=("!kontakt auskunft 17",),
    group=HelpGroup.PRIVACY,
    rank=10,
)
async def contact_access(ctx: Context, number: int) -> Reply:
    data = await ctx.store.reports.personal_data(number)
    if data is None:
        _not_found(ctx, number)
    now = ctx.clock.now()
    export = {"generated_at": now, "generated_by": ctx.sender, **data.as_export()}
    await ctx.store.audit.record(now, ctx.sender, "export", "person", number, "")

    record = data.record
    name = f"{record['title']} {record['name']}".strip()
    day = ctx.t.local(now).date().isoformat()
    stem = f"auskunft-person-{number}-{day}"
    reply = Reply.of(
        ctx.say(
            "Information under Art. 15 GDPR about contact No. {number} ({name}): "
            "two files follow, {json} (machine-readable) and {markdown} (readable).",
            number=number,
            name=strong(name),
            json=code(f"{stem}.json"),
            markdown=code(f"{stem}.md"),
        )
    )
    reply.bullets(
        fmt(
            "{title}: {count}",
            title=ctx._(SECTION_TITLES[section.key]),
            count=len(data.sections[section.key]),
        )
        for section in PERSONAL_DATA_SECTIONS
    )
    reply.attachments.append(
        Attachment(f"{stem}.json", "application/json", personal_data_json(export))
    )
    reply.attachments.append(
        Attachment(f"{stem}.md", "text/markdown", personal_data_markdown(ctx, export).encode())
    )
    return reply


def _json_value(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not exported")


def personal_data_json(export: dict[str, Any]) -> bytes:
    """The machine-readable export: UTF-8 JSON, times in ISO 8601 (UTC)."""
    return json.dumps(export, ensure_ascii=False, indent=2, default=_json_value).encode()


def _md(value: object) -> str:
    """A value as Markdown text: special characters escaped, so names cannot format."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))
    return "  \n  ".join(escaped.splitlines()) or "–"


def _shown(ctx: Context, key: str, value: object) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime):
        return ctx.t.datetime(value)
    if isinstance(value, date):  # a day without a time, e.g. a task's due date
        return ctx.t.date(datetime.combine(value, time(12), tzinfo=ctx.t.zone))
    if key == "legal_basis" and isinstance(value, str) and value in LEGAL_BASES:
        return ctx._(LEGAL_BASES[value])
    if key == "action" and isinstance(value, str) and value in AUDIT_ACTIONS:
        return ctx._(AUDIT_ACTIONS[value])
    return _md(value)


def _row(ctx: Context, section: str, row: dict[str, Any]) -> str:
    if section == "memberships":
        organisation = _md(row["organization"] or "–")
        return f"{organisation}: {_shown(ctx, 'function', row['function'])}"
    if section == "fields":
        return _md(row["label_de"] if ctx.t.language == "de" else row["label_en"])
    if section == "committee_seats":
        return f"{_md(row['committee'])}: {_md(row['role'])}"
    if section in ("tasks", "decisions"):
        number = row.get("task_id", row.get("decision_id"))
        return f"{ctx._(N_('No. {number}')).format(number=number)}: {_md(row['text'])}"
    if section == "agenda_items":
        submitted = ctx.t.date(row["submitted_at"])
        return f"#{row['item_id']} {_md(row['title'])} ({_md(row['committee'])}, {submitted})"
    if section == "minutes":
        what = {
            "present": N_("present"),
            "excused": N_("excused"),
            "note": N_("note"),
        }[row["kind"]]
        meeting = ctx._(N_("Meeting No. {number}")).format(number=row["meeting_id"])
        return f"{meeting}, {ctx._(what)}: {_md(row['text'])}"
    if section == "audit_log":
        parts = [
            ctx.t.datetime(row["at"]),
            _md(row["actor"]),
            _shown(ctx, "action", row["action"]),
        ]
        return " · ".join(parts + ([_md(row["detail"])] if row["detail"] else []))
    # A section added by a later issue without its own layout: every column, labelled by key.
    return "; ".join(f"{key}: {_shown(ctx, key, value)}" for key, value in row.items())


def personal_data_markdown(ctx: Context, export: dict[str, Any]) -> str:
    """The readable export, with headings in the reader's language."""
    record = export["record"]
    name = f"{record['title']} {record['name']}".strip()
    heading = ctx._(N_("Information under Art. 15 GDPR"))
    lines = [
        f"# {heading}",
        "",
        ctx.say(
            "{name} (contact No. {number})", name=f"**{_md(name)}**", number=export["person_id"]
        ).plain,
        "",
        ctx.say(
            "Created on {when} by {who}.",
            when=ctx.t.datetime(export["generated_at"]),
            who=_md(export["generated_by"]),
        ).plain,
        "",
        f"## {ctx._(SECTION_TITLES['record'])}",
        "",
    ]
    for key, value in record.items():
        label = ctx._(RECORD_LABELS[key]) if key in RECORD_LABELS else key
        lines.append(f"- **{label}:** {_shown(ctx, key, value)}")
    for section in PERSONAL_DATA_SECTIONS:
        title = SECTION_TITLES.get(section.key)
        lines += ["", f"## {ctx._(title) if title else section.key}", ""]
        rows = export[section.key]
        if not rows:
            lines.append("- " + ctx._(N_("none")))
        lines += [f"- {_row(ctx, section.key, row)}" for row in rows]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- Art. 17


@command(
    "kontakt löschen",
    english="contact delete",
    help=N_("Deletes a contact for good (erasure, Art. 17 GDPR), after a confirmation."),
    params=[NUMBERED_PERSON, Param("confirmed", CONFIRMED_LABEL, confirmation, optional=True)],
    min_role=Role.TEAM,
    rooms=(RoomKind.TEAM, RoomKind.DIRECT),
    examples=("!kontakt löschen 17", "!kontakt löschen 17 bestätigt"),
    group=HelpGroup.PRIVACY,
    rank=20,
)
async def contact_delete(ctx: Context, person: Person, confirmed: bool | None) -> Reply:
    number = person.id
    if not confirmed:
        return _ask_confirmation(ctx, person)
    erasure = await ctx.store.privacy.erase_person(person)
    # The entry names the number only: the audit log must not keep what was erased.
    await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "erase", "person", number, "")
    reply = Reply.of(ctx.say("Contact No. {number} has been deleted.", number=number))
    if erasure.pseudonymised_mentions:
        reply.add(
            fmt(
                ctx.t.ngettext(
                    "{count} mention in minutes and decisions now reads {pseudonym}.",
                    "{count} mentions in minutes and decisions now read {pseudonym}.",
                    erasure.pseudonymised_mentions,
                ),
                count=erasure.pseudonymised_mentions,
                pseudonym=strong(erasure.pseudonym),
            )
        )
    return reply


def _ask_confirmation(ctx: Context, person: Person) -> Reply:
    reply = Reply.of(
        ctx.say(
            "Really delete contact No. {number} ({name})? Send {command}.",
            number=person.id,
            name=strong(person.display_name),
            command=code(ctx.command_ref(contact_delete, f"{person.id} {ctx._(CONFIRMED_LABEL)}")),
        )
    )
    return reply.add(
        ctx.say(
            "This deletes the record with its functions and fields for good; minutes "
            "and decisions keep only {pseudonym}. If the person asked for a copy, "
            "export it first with {access}.",
            pseudonym=strong(pseudonym_for(person.id)),
            access=code(ctx.command_ref(contact_access, str(person.id))),
        )
    )
