"""Plugin discovery reads the installed entry points of a group once per process, and only when asked (issue #19).

Reading them lists every installed distribution; a server needs them only for the plugins its
configs name. Each check runs in a fresh interpreter that counts the reads.
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import List

_COUNTING = """
import json, sys
if sys.version_info >= (3, 10):
    import importlib.metadata as metadata
else:
    import importlib_metadata as metadata
reads = []
original = metadata.entry_points

def counting(*args, **kwargs):
    reads.append(kwargs.get("group"))
    return original(*args, **kwargs)

metadata.entry_points = counting
"""


def _reads(code: str) -> List[str]:
    """The ``hopeit.*`` groups read while ``code`` runs in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", _COUNTING + code + "\nprint(json.dumps(reads))"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    reads: List[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return [group for group in reads if group and group.startswith("hopeit.")]


def test_each_group_is_read_once_however_many_names_are_loaded() -> None:
    reads = _reads(
        "from hopeit.contracts.discovery import available, load_storage_class, load_stream_manager_class\n"
        "for _ in range(3):\n"
        "    load_stream_manager_class('memory'); load_storage_class('memory')\n"
        "assert 'memory' in available('hopeit.streams')\n"
    )
    assert sorted(reads) == ["hopeit.storage", "hopeit.streams"]


def test_a_name_not_installed_still_lists_what_is_installed() -> None:
    reads = _reads(
        "from hopeit.contracts.discovery import PluginNotFound, load_stream_manager_class\n"
        "try:\n"
        "    load_stream_manager_class('no-such-manager')\n"
        "except PluginNotFound as exc:\n"
        "    assert 'installed: ' in str(exc) and 'memory' in str(exc), exc\n"
        "else:\n"
        "    raise AssertionError('loaded a manager that is not installed')\n"
    )
    assert reads == ["hopeit.streams"]


def test_loading_configs_of_apps_without_plugins_reads_no_group() -> None:
    config = Path(__file__).parents[1] / "web" / "startup_app" / "config"
    reads = _reads(
        "from hopeit.server.config_files import load_config_files\n"
        f"load_config_files([{str(config / 'server.json')!r}, {str(config / 'app.json')!r}])\n"
    )
    assert reads == []
