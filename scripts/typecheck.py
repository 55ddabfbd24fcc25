"""Run mypy over every package's sources, then over every package's tests (the tox ``type`` env).

Sources: engine/src, every plugin's and example's src and _template/src, in one run. The folders
are found on disk, so a new plugin is checked without editing tox.ini. Each src folder also goes on
MYPYPATH: with ``explicit_package_bases`` mypy names modules relative to those roots, which is how
``plugins/redis-streams/src/hopeit/redis_streams`` becomes ``hopeit.redis_streams`` and the
``hopeit`` namespace spans every package.

Tests: one run per import root of each package's ``tests`` folder, the folders pytest puts on
``sys.path`` (the first folder up from a test file without an ``__init__.py``). Roots are checked
apart because several of them hold a ``conftest.py``, which mypy would see as one module twice.

Then the repo-level suites (``tests_security``, ``tests_compat``), each with its folder as import root.

Arguments, if any, are passed to a single mypy run instead (e.g. ``scripts/typecheck.py engine/src``).
"""

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_GROUPS = ("plugins", "examples")
#: Repo-level suites (import root: the suite folder) and what of them is not checked, with why.
SUITES = {
    # schemathesis 4 needs Python >= 3.9 and this env runs on 3.8: mypy could not see its types
    "tests_security": ("test_schemathesis.py",),
    # legacy-app is written the way 0.24 apps were, untyped fixtures included: that is its point
    "tests_compat": ("legacy_app",),
}


def src_roots() -> List[str]:
    """engine/src, plugins/*/src, examples/*/src and _template/src, relative to the repo root."""
    found = [p for group in PACKAGE_GROUPS for p in sorted((ROOT / group).glob("*/src")) if p.is_dir()]
    roots = [ROOT / "engine" / "src", *found, ROOT / "_template" / "src"]
    return [str(p.relative_to(ROOT)) for p in roots]


def import_roots(tests: Path) -> Dict[str, List[str]]:
    """Test files of a ``tests`` folder by import root (relative to the repo root)."""
    groups: Dict[str, List[str]] = {}
    for path in sorted(tests.rglob("*.py")):
        folder = path.parent
        while (folder / "__init__.py").exists():
            folder = folder.parent
        groups.setdefault(str(folder.relative_to(ROOT)), []).append(str(path.relative_to(ROOT)))
    return groups


def _mypy(targets: List[str], mypy_path: List[str]) -> int:
    env = dict(os.environ)
    env["MYPYPATH"] = os.pathsep.join(mypy_path + [p for p in env.get("MYPYPATH", "").split(os.pathsep) if p])
    cmd = [sys.executable, "-m", "mypy", *targets]
    shown = targets if len(targets) <= 4 else [*targets[:3], f"... ({len(targets)} files)"]
    print("typecheck.py:", sys.executable, "-m mypy", " ".join(shown), flush=True)
    return subprocess.call(cmd, cwd=str(ROOT), env=env)


def main(argv: List[str]) -> int:
    """Run mypy from the repo root, so it reads the root pyproject.toml; non-zero when any run fails."""
    roots = src_roots()
    if argv:
        return _mypy(argv, roots)
    failed = _mypy(roots, roots) != 0
    packages = [ROOT / "engine", *(p for group in PACKAGE_GROUPS for p in sorted((ROOT / group).iterdir()))]
    for package in packages:
        tests = package / "tests"
        if not tests.is_dir():
            continue
        groups = import_roots(tests)
        # deeper roots first: a file maps to the nearest root that holds it
        mypy_path = roots + sorted(groups, key=len, reverse=True)
        for files in groups.values():
            failed = _mypy(files, mypy_path) != 0 or failed
    for suite, skipped in SUITES.items():
        folder = ROOT / suite
        files = [str(path.relative_to(ROOT)) for path in sorted(folder.rglob("*.py"))
                 if not set(path.relative_to(folder).parts) & set(skipped)]
        if files:
            failed = _mypy(files, [*roots, suite]) != 0 or failed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
