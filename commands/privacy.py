"""Data protection commands: ``!kontakt auskunft`` (Art. 15) and ``!kontakt löschen`` (Art. 17)."""
