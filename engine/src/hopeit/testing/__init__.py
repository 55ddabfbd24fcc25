"""Test kit for apps and plugins: run events, services and a real Redis server in tests."""
