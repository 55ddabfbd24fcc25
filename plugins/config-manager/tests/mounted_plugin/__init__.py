"""Test plugin app ``mounted-plugin``: one event mounted on the apps that list it, one of its own."""
