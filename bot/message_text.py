"""The command text of a message: mentions ("pills") become Matrix ids, markup is dropped."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import unquote

from storage.folding import fold_text

_PILL = re.compile(r"^https://matrix\.to/#/(@[^/?]+)")


class _PillReader(HTMLParser):
    """Collects text, writing a user mention link as the user's Matrix id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._pill_depth = 0
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "mx-reply":  # legacy reply fallback: not part of what the person wrote
            self._skip_depth += 1
        elif tag == "a" and not self._skip_depth:
            match = _PILL.match(dict(attrs).get("href") or "")
            if match:
                self.parts.append(unquote(match.group(1)))
                self._pill_depth += 1
        elif tag in ("br", "p", "div", "li") and self.parts:
            self.parts.append("\n" if tag != "li" else " ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "mx-reply" and self._skip_depth:
            self._skip_depth -= 1
        elif tag == "a" and self._pill_depth:
            self._pill_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip_depth and not self._pill_depth:
            self.parts.append(data)


def command_text(body: str, formatted_body: str | None) -> str:
    """What the sender typed, with pills replaced by the mentioned user's id."""
    if not formatted_body or "matrix.to/#/@" not in formatted_body:
        return body
    reader = _PillReader()
    reader.feed(formatted_body)
    reader.close()
    return "".join(reader.parts).strip()


def addressed_part(text: str, bot_user_id: str, bot_names: tuple[str, ...]) -> str | None:
    """What was said to the bot when it is addressed by name or mention, else None.

    ``"Kümmerer: hilfe"``, ``"@kuemmerer:hs wer ist …?"`` and ``"Wer ist …, Kümmerer?"`` are
    addressed. The name must stand alone, followed by ``:``, ``,`` or (for the Matrix id) a
    space: "Kümmerer ist super" is a sentence about the bot, not to it.
    """
    stripped = text.strip()
    for name in (bot_user_id, *bot_names):
        if not name:
            continue
        length = _leading_name(stripped, name)
        if length is not None:
            rest = stripped[length:]
            separator = rest[:1]
            if separator in (":", ",") or (separator.isspace() and name == bot_user_id):
                return rest.lstrip(":, \t") or None
        ending = _TRAILING_NAME.search(stripped)
        if ending is not None and fold_text(ending["name"]) == fold_text(name):
            return (stripped[: ending.start()] + ending["mark"]).strip() or None
    return None


# ", Kümmerer?" at the end of a sentence: the name (or Matrix id) and the closing marks.
_TRAILING_NAME = re.compile(r",\s*(?P<name>@?[\w.:=-]+)\s*(?P<mark>[?!.]*)$")


def _leading_name(text: str, name: str) -> int | None:
    """How many characters of ``text`` spell ``name`` at its start, umlauts written either
    way ("Kümmerer" is the account "kuemmerer"); None if it does not start with it."""
    target = fold_text(name)
    for length in range(max(1, len(name) - 3), len(name) + 4):
        if fold_text(text[:length]) == target:
            return length
    return None


def strip_bot_mention(text: str, bot_user_id: str, bot_names: tuple[str, ...], prefix: str) -> str:
    """``"@kuemmerer:hs hilfe"`` or ``"Kümmerer: !hilfe"`` → ``"!hilfe"``; else unchanged."""
    said = addressed_part(text, bot_user_id, bot_names)
    if said is None:
        return text
    return said if said.startswith(prefix) else prefix + said
