"""Reminder commands: ``!erinnerung``, ``!erinnerungen``."""
