"""Reporters: they format Decisions and never decide anything."""
