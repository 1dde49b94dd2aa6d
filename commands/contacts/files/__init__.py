"""Import and export files of the contact network: columns, reading, importing, records and
writers. Nothing here prints or parses a command line; ``bot.transfer_cli`` does."""
