"""``!wer``: who is responsible for a field or topic, optionally in a municipality, or who sits
on a committee. It reads both the contact network and the committees, so it sits above both
features: :mod:`~commands.responsibles.find` answers, :mod:`~.committee` lists a committee's
seats."""

from __future__ import annotations

from commands.responsibles.find import responsible_find

__all__ = ["responsible_find"]
