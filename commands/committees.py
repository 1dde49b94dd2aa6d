"""Committee commands: ``!gremium``, ``!gremien``, ``!gremium neu``, ``!gremium mitglied``."""
