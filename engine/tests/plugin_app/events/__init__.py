"""Event modules of the plugin app and its host apps."""
