"""Kümmerer's commands: the registry, argument converters and one module per domain."""
