"""Meeting commands: ``!sitzung``, ``!termine``, ``!einladung``."""
