"""``!kalender`` — the meetings as an iCalendar file and as a subscription feed."""
