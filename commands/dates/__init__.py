"""Reading dates and times as people write them, and recurrence rules with their texts."""
