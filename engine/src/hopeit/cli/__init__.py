"""Command-line tools: ``hopeit_server`` and ``hopeit_openapi``."""
