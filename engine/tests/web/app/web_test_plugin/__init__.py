"""Plugin of the web tests: an OnApp event, a Standalone event and an OnApp SETUP event."""

from pathlib import Path

#: Where the plugin's config is: server config may name the plugin as ``web_test_plugin.CONFIG_PATH``.
CONFIG_PATH = Path(__file__).parent.parent / "config" / "plugin.json"
