"""Helpers for auth and web handling used by apps and the server."""
