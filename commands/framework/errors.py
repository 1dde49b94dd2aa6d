"""Whose fault an error is. ``UserError`` and its kin are shown; anything else is a bug."""

from __future__ import annotations

from commands.framework.reply import Text, text


class UserError(Exception):
    """The user can fix this; the message (already translated) says how."""

    def __init__(self, message: Text | str) -> None:
        self.message = text(message)
        super().__init__(self.message.plain)


class BadArgument(UserError):
    """An argument could not be read."""


class NotFound(UserError):
    """The named object does not exist (or is not visible here)."""


class NotAllowed(UserError):
    """The sender's role or the room does not permit this."""
