"""A plugin app and two host apps using it, for the runtime, plugin and client tests."""

from dataclasses import dataclass
from pathlib import Path

from hopeit.dataobjects import dataobject

HERE = Path(__file__).parent
PLUGIN_CONFIG = HERE / "config.json"
HOST1_CONFIG = HERE / "host1.json"
HOST2_CONFIG = HERE / "host2.json"
FAILING_CONFIG = HERE / "failing.json"


@dataobject
@dataclass
class Reply:
    """What the echo client returns."""

    event: str
    value: str


def plugin_config_path() -> Path:
    """Entry-point style callable returning the plugin's config path."""
    return PLUGIN_CONFIG
