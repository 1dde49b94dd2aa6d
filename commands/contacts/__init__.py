"""The contact network: persons, organisations, offers, responsibilities, fields and
privacy, with the import and export of contact files."""
