"""The feature packages the bot loads; the registry is built from them at start-up."""
