"""``!kontakt export`` — the contact network as a file for Outlook, Thunderbird or Excel."""
