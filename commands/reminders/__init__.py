"""Reminders a person or a room asks for."""
