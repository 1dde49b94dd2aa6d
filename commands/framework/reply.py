"""What a handler answers: text that knows its plain and its HTML form.

User-supplied text only ever enters HTML through :func:`text`/:func:`fmt`, which escape it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Text:
    """A piece of message text in both forms; ``html`` is safe to embed."""

    plain: str
    html: Markup

    def __add__(self, other: Text | str) -> Text:
        right = text(other)
        return Text(self.plain + right.plain, self.html + right.html)


def text(value: Text | str | int) -> Text:
    """Plain text, escaped for HTML."""
    if isinstance(value, Text):
        return value
    return Text(str(value), escape(str(value)))


def strong(value: Text | str | int) -> Text:
    inner = text(value)
    return Text(inner.plain, Markup("<strong>{}</strong>").format(inner.html))


def code(value: Text | str | int) -> Text:
    inner = text(value)
    return Text(f"`{inner.plain}`", Markup("<code>{}</code>").format(inner.html))


def fmt(template: str, **values: Text | str | int) -> Text:
    """Fill ``{name}`` placeholders of a (translated) template; every value is escaped."""
    parts = {name: text(value) for name, value in values.items()}
    plain = template.format(**{name: part.plain for name, part in parts.items()})
    html = Markup(escape(template)).format(**{name: part.html for name, part in parts.items()})
    return Text(plain, html)


def mention(user_id: str, name: str) -> Text:
    """A Matrix user named in a message so that their client notifies them (a "pill")."""
    return Text(name, Markup('<a href="https://matrix.to/#/{}">{}</a>').format(user_id, name))


def join(separator: str, parts: Iterable[Text | str]) -> Text:
    items = [text(part) for part in parts]
    return Text(
        separator.join(item.plain for item in items),
        Markup(escape(separator)).join(item.html for item in items),
    )


@dataclass(frozen=True)
class Paragraph:
    content: Text


@dataclass(frozen=True)
class Items:
    """A bulleted list; ``more`` says how many further entries were left out."""

    entries: tuple[Text, ...]
    more_note: Text | None = None


Block = Paragraph | Items


@dataclass(frozen=True)
class Attachment:
    """A file the bot uploads next to its answer (exports, calendars, charts)."""

    filename: str
    mimetype: str
    data: bytes


@dataclass
class Reply:
    """A handler's answer. Build it with :meth:`add` and :meth:`bullets`."""

    blocks: list[Block] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    mention_room: bool = False
    # Users the message notifies (listed in m.mentions), e.g. the owner of a task that is due.
    mention_users: list[str] = field(default_factory=list)
    is_error: bool = False
    # Further messages into other rooms (room id, reply), sent after this one: e.g. the
    # announcement in a committee room of a meeting moved from the team room.
    posts: list[tuple[str, Reply]] = field(default_factory=list)

    def add(self, content: Text | str) -> Reply:
        self.blocks.append(Paragraph(text(content)))
        return self

    def bullets(self, entries: Iterable[Text | str], more_note: Text | None = None) -> Reply:
        self.blocks.append(Items(tuple(text(entry) for entry in entries), more_note))
        return self

    def post(self, room_id: str, reply: Reply) -> Reply:
        """Also send ``reply`` into ``room_id`` (without replying to the command there)."""
        self.posts.append((room_id, reply))
        return self

    @classmethod
    def of(cls, content: Text | str) -> Reply:
        return cls().add(content)

    def address_room(self) -> Reply:
        """Notify everyone in the room: ``@room`` before the first paragraph and in m.mentions."""
        if self.blocks and isinstance(self.blocks[0], Paragraph):
            self.blocks[0] = Paragraph(text("@room ") + self.blocks[0].content)
        self.mention_room = True
        return self
