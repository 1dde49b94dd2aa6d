"""Plain-language questions mapped onto the commands."""
