"""Contact network commands: ``!kontakt``, ``!wer``, ``!organisation``, ``!angebot``."""
