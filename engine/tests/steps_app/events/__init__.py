"""Event modules of the steps app."""
