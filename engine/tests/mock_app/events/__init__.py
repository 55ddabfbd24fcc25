"""Event modules of the mock app."""
