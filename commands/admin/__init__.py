"""Maintenance commands for the bot's administrators."""

from __future__ import annotations

from commands.admin.commands import audit_show

__all__ = ["audit_show"]
