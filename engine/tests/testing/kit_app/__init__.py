"""A small app for the test kit's tests: an event reading settings, and a streamed download."""

from pathlib import Path

CONFIG = Path(__file__).parent / "config.json"
