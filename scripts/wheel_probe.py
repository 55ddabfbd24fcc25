"""pytest plugin of the ``wheels`` tox env: proves the tests ran against the INSTALLED packages.

``scripts/wheel_tests.py`` loads it with ``-p wheel_probe`` and names the import packages of the
wheel under test in ``HOPEIT_WHEEL_MODULES`` (comma separated: ``hopeit.fs_storage`` or
``simple_example``). When the session ends, with the ``sys.path`` the tests had, it imports those
packages (tests that only drive servers in subprocesses may not have imported them), then looks at
every loaded module of ours (``hopeit.*`` and those packages) and writes to ``HOPEIT_WHEEL_PROBE``
(a JSON file) how many it checked and which were NOT loaded from the venv's site-packages: a source
folder on ``sys.path`` would show up there. It changes nothing in the run itself.
"""

import importlib
import json
import os
import sys
import sysconfig
from pathlib import Path
from typing import Any, Dict, List

NAMESPACE = "hopeit"


def loaded_from_elsewhere(packages: List[str]) -> Dict[str, Any]:
    """Import ``packages``; count the loaded modules of ours and list those outside site-packages."""
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    failed: Dict[str, str] = {}
    for name in packages:
        try:
            importlib.import_module(name)
        except Exception as err:  # noqa: BLE001 - any import error is a finding to report, not to raise
            failed[name] = f"{type(err).__name__}: {err}"
    tops = {NAMESPACE} | {name.split(".", 1)[0] for name in packages}
    checked = 0
    elsewhere: Dict[str, str] = {}
    for name, module in list(sys.modules.items()):
        if name.split(".", 1)[0] not in tops:
            continue
        # a namespace package (hopeit) has no __file__, only a __path__ of folders
        locations = [getattr(module, "__file__", None), *(getattr(module, "__path__", None) or [])]
        for location in filter(None, locations):
            checked += 1
            if site not in Path(location).resolve().parents:
                elsewhere.setdefault(name, str(location))
    return {"site_packages": str(site), "checked": checked, "elsewhere": elsewhere, "import_failed": failed}


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    """Write the probe's findings for the runner."""
    out = os.environ.get("HOPEIT_WHEEL_PROBE")
    packages = [p for p in os.environ.get("HOPEIT_WHEEL_MODULES", "").split(",") if p]
    if out and packages:
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(loaded_from_elsewhere(packages), fh, indent=2)
