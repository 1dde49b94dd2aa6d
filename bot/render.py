"""Turns a :class:`Reply` into Matrix event contents: notices with plain and HTML bodies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from commands.framework.reply import Items, Paragraph, Reply, Text

# Matrix limits a whole event to 64 KiB. Body and HTML each stay under this many UTF-8 bytes,
# which leaves ample room for the envelope, relations and encryption overhead (base64: 4/3).
MAX_PART_BYTES = 20_000


@dataclass(frozen=True)
class Target:
    """Where an answer goes: a room, optionally as a reply to an event inside a thread."""

    room_id: str
    reply_to: str | None = None
    thread_root: str | None = None
    mention_user: str | None = None


def _paragraph_html(content: Text) -> Markup:
    return Markup("<p>{}</p>").format(Markup("<br>").join(content.html.split("\n")))


def _block_parts(block: Paragraph | Items) -> list[tuple[str, Markup]]:
    """A block as (plain, html) pieces that may be spread over several messages."""
    if isinstance(block, Paragraph):
        return [(block.content.plain, _paragraph_html(block.content))]
    pieces = [
        (f"• {entry.plain}", Markup("<li>{}</li>").format(entry.html)) for entry in block.entries
    ]
    if block.more_note is not None:
        pieces.append(
            (block.more_note.plain, Markup("<li><em>{}</em></li>").format(block.more_note.html))
        )
    return pieces


def _size(value: str) -> int:
    return len(value.encode("utf-8"))


def _truncate(plain: str, html: Markup) -> tuple[str, Markup]:
    """A single piece larger than a message: cut it, plainly marked."""
    cut = plain.encode("utf-8")[: MAX_PART_BYTES // 2].decode("utf-8", "ignore") + " …"
    return cut, Markup("<p>{}</p>").format(cut)


def split_reply(reply: Reply) -> list[tuple[str, Markup]]:
    """The reply's (body, formatted_body) pairs, each small enough for one event."""
    messages: list[tuple[list[str], list[Markup]]] = [([], [])]
    for block in reply.blocks:
        is_list = isinstance(block, Items)
        opened = False
        for plain, html in _block_parts(block):
            if _size(plain) > MAX_PART_BYTES or _size(html) > MAX_PART_BYTES:
                plain, html = _truncate(plain, html)
            bodies, htmls = messages[-1]
            body_size = sum(map(_size, bodies)) + _size(plain) + len(bodies)
            html_size = sum(map(_size, htmls)) + _size(html) + 20
            if bodies and (body_size > MAX_PART_BYTES or html_size > MAX_PART_BYTES):
                if is_list and opened:
                    htmls.append(Markup("</ul>"))
                messages.append(([], []))
                bodies, htmls = messages[-1]
                opened = False
            if is_list and not opened:
                htmls.append(Markup("<ul>"))
                opened = True
            bodies.append(plain)
            htmls.append(html)
        if is_list and opened:
            messages[-1][1].append(Markup("</ul>"))
    return [("\n".join(bodies), Markup("").join(htmls)) for bodies, htmls in messages if bodies]


def notice_contents(reply: Reply, target: Target) -> list[dict[str, Any]]:
    """Event contents for ``reply``: ``m.notice``, plain + HTML, reply/thread relations."""
    contents = []
    for body, html in split_reply(reply):
        content: dict[str, Any] = {
            "msgtype": "m.notice",
            "body": body,
            "format": "org.matrix.custom.html",
            "formatted_body": str(html),
        }
        mentions: dict[str, Any] = {}
        users = [target.mention_user] if target.mention_user else []
        users += [user for user in reply.mention_users if user not in users]
        if users:
            mentions["user_ids"] = users
        if reply.mention_room:
            mentions["room"] = True
        content["m.mentions"] = mentions
        if target.thread_root:
            content["m.relates_to"] = {
                "rel_type": "m.thread",
                "event_id": target.thread_root,
                "is_falling_back": target.reply_to is None,
                "m.in_reply_to": {"event_id": target.reply_to or target.thread_root},
            }
        elif target.reply_to:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": target.reply_to}}
        contents.append(content)
    return contents


def with_paragraph(content: dict[str, Any], paragraph: Text) -> dict[str, Any]:
    """``content`` (a rendered notice) with ``paragraph`` added at its end, in both forms."""
    added = dict(content)
    added["body"] = f"{content.get('body', '')}\n{paragraph.plain}"
    if "formatted_body" in content:
        html = Markup(content["formatted_body"]) + _paragraph_html(paragraph)
        added["formatted_body"] = str(html)
    return added
