"""Maintenance commands for the bot's administrators."""
