"""Kümmerer's I/O side: configuration, Matrix client, sync loop, rendering, scheduler, CLI."""
