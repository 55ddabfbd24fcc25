"""The tox env ``wheels`` (scripts/wheel_tests.py): every package, tested from its installed wheel.

The env itself runs in CI; these tests check its parts cheaply: it covers every package of the
repo, and its probe (scripts/wheel_probe.py) tells a module loaded from site-packages from one
loaded from a source folder, which is what proves the tests did not run against src/.
"""

import json
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any, Dict, List

from repo import ROOT, packages, run
from scripts_support import SCRIPTS, load_script

wheel_tests = load_script("wheel_tests")


def probe(packages_to_import: List[str], extra_path: List[Path]) -> Dict[str, Any]:
    """Run the probe in a fresh interpreter with ``extra_path`` first on sys.path; return its findings."""
    code = (
        "import json, sys\n"
        f"sys.path[:0] = {[str(p) for p in extra_path]!r} + [{str(SCRIPTS)!r}]\n"
        "import wheel_probe\n"
        f"print(json.dumps(wheel_probe.loaded_from_elsewhere({packages_to_import!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    found: Dict[str, Any] = json.loads(out)
    return found


def test_probe_flags_a_package_imported_from_a_source_folder(tmp_path: Path) -> None:
    """A hopeit.* package found in a src/ folder on sys.path is reported, with the namespace path."""
    module = tmp_path / "src" / "hopeit" / "probe_example"
    module.mkdir(parents=True)
    (module / "__init__.py").write_text("VALUE = 1\n")
    found = probe(["hopeit.probe_example"], [tmp_path / "src"])
    assert found["elsewhere"]["hopeit.probe_example"] == str(module / "__init__.py")
    assert found["elsewhere"]["hopeit"] == str(tmp_path / "src" / "hopeit")
    assert found["import_failed"] == {}


def test_probe_accepts_packages_from_site_packages() -> None:
    """``packaging`` lives in this env's site-packages: checked, nothing reported."""
    found = probe(["packaging"], [])
    assert found["site_packages"] == str(Path(sysconfig.get_paths()["purelib"]).resolve())
    assert found["checked"] >= 1 and found["elsewhere"] == {} and found["import_failed"] == {}


def test_probe_reports_a_package_that_does_not_import() -> None:
    """A package of the wheel that cannot be imported is a finding, not a crash."""
    found = probe(["hopeit.not_installed_anywhere"], [])
    assert "ModuleNotFoundError" in found["import_failed"]["hopeit.not_installed_anywhere"]


def test_wheels_env_covers_every_package_of_the_repo() -> None:
    """scripts/wheel_tests.py finds the engine, every plugin and every example, as tests_repo does."""
    assert [p.name for p in wheel_tests.repo_packages()] == [p.name for p in packages()]


def test_wheel_modules_are_the_import_packages_the_wheel_ships(tmp_path: Path) -> None:
    """The engine's wheel ships many hopeit.* packages; what the probe imports is read from the wheel."""
    run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)], cwd=ROOT / "engine")
    (wheel,) = tmp_path.glob("*.whl")
    modules = wheel_tests.wheel_modules(wheel)
    on_disk = sorted(f"hopeit.{p.name}" for p in (ROOT / "engine" / "src" / "hopeit").iterdir()
                     if (p / "__init__.py").is_file())
    assert modules == on_disk and "hopeit.server" in modules


def test_wheels_env_is_in_the_tox_matrix() -> None:
    """scripts/test and .ci/run run every env of env_list: `wheels` must be one of them."""
    tox_ini = (ROOT / "tox.ini").read_text(encoding="utf-8")
    env_list = tox_ini.split("env_list =", 1)[1].split("\n[", 1)[0]
    assert "\n    wheels\n" in env_list
    assert "[testenv:wheels]" in tox_ini and "scripts/wheel_tests.py" in tox_ini
