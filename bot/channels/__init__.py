"""Channels: where messages come from and how they are shown."""
