"""Installing the local packages never pulls the original project's hopeit.* releases from PyPI.

Nor any other dist whose name a local package has (examples depend on each other by name).

The names hopeit.engine, hopeit.redis-streams... exist on PyPI (the original project, up to 0.30.1).
Our distributions are 1.0+, every range of ours starts at 1.0, and installs put the local folders
first. These tests resolve with uv (universal: Python 3.8 and up at once) and read every range.
"""

import os
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from repo import LAST_ORIGINAL_RELEASE, ROOT, Package, examples, is_ours, packages, plugins, read_version, run
from uv import find_uv_bin

OLD = Version(LAST_ORIGINAL_RELEASE)
#: Versions the original project released (a sample, oldest to newest) that no range may admit.
ORIGINAL_RELEASES = ["0.1.0", "0.9.0", "0.16.2", "0.24.0", "0.25.11", LAST_ORIGINAL_RELEASE]


def uv_compile(requirement_lines: List[str], tmp_path: Path) -> List[str]:
    """Resolve ``requirement_lines`` for every Python >= 3.8 at once; return the pinned lines."""
    source = tmp_path / "requirements.in"
    source.write_text("\n".join(requirement_lines) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("UV_CONSTRAINT", "PIP_CONSTRAINT")}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    out = run(
        [find_uv_bin(), "pip", "compile", "--universal", "--python-version", "3.8",
         "--no-header", "--no-annotate", "--quiet", str(source)],
        cwd=ROOT,
        env=env,
    )
    return [line.strip() for line in out.splitlines() if line.strip() and not line.startswith("#")]


def hopeit_lines(lines: List[str]) -> Tuple[List[str], List[str]]:
    """Split resolved lines of our dists (hopeit.* or any name a local package has) into (local, index).

    Local means editable (``-e``) or a ``file:`` URL; anything else came from the package index.
    """
    local_names = {canonicalize_name(p.name) for p in packages()}
    local, index = [], []
    for line in lines:
        if line.startswith("-e "):
            local.append(line)
            continue
        name = Requirement(line.split(";", 1)[0].strip()).name
        if is_ours(name) or canonicalize_name(name) in local_names:
            (local if " @ file:" in line else index).append(line)
    return local, index


def test_editable_engine_and_every_plugin_resolve_to_the_local_folders(tmp_path: Path) -> None:
    """`-e engine[web,cli]` plus `-e` of each plugin and example resolves every hopeit.* dist to its folder."""
    local_plugins = plugins()
    lines = [f"-e {ROOT / 'engine'}[web,cli]"] + [f"-e {p.path}" for p in local_plugins + examples()]
    local, index = hopeit_lines(uv_compile(lines, tmp_path))
    assert index == [], f"resolved from the package index instead of the local folders: {index}"
    resolved = {line[len("-e "):].strip() for line in local}
    for package in [ROOT / "engine"] + [p.path for p in local_plugins]:
        assert {str(package), package.as_uri()} & resolved, f"{package} missing from {sorted(resolved)}"


def engine_extras_for_local_plugins() -> Dict[str, List[str]]:
    """Engine extras whose hopeit.* requirements are all plugins present in this repo."""
    local = {canonicalize_name(p.name) for p in plugins()}
    extras = packages()[0].pyproject["project"]["optional-dependencies"]
    found = {}
    for extra, reqs in extras.items():
        ours = [canonicalize_name(Requirement(r).name) for r in reqs if is_ours(Requirement(r).name)]
        if ours and all(name in local for name in ours):
            found[extra] = ours
    return found


def test_engine_extras_naming_plugins_resolve_to_the_local_folders(tmp_path: Path) -> None:
    """`hopeit.engine[web,cli,<plugin extras>]` with the plugins' folders never takes a plugin from PyPI."""
    extras = sorted(engine_extras_for_local_plugins())
    engine = packages()[0]
    local_plugins = plugins()
    lines = [f"{engine.name}[{','.join(['web', 'cli', *extras])}] @ {engine.path.as_uri()}"]
    lines += [f"{p.name} @ {p.path.as_uri()}" for p in local_plugins]
    local, index = hopeit_lines(uv_compile(lines, tmp_path))
    assert index == [], f"resolved from the package index instead of the local folders: {index}"
    assert len(local) == 1 + len(local_plugins), local


def test_every_local_plugin_has_an_engine_extra() -> None:
    """`pip install hopeit.engine[<plugin>]` works for each plugin in the repo (architecture §1)."""
    covered = {name for names in engine_extras_for_local_plugins().values() for name in names}
    missing = [p.name for p in plugins() if canonicalize_name(p.name) not in covered]
    assert missing == [], f"engine/pyproject.toml has no extra requiring {missing}"


def excludes_original_releases(spec: SpecifierSet) -> bool:
    """Whether one clause of ``spec`` is a lower bound above the original's last release."""
    for clause in spec:
        try:
            bound = Version(clause.version.rstrip(".*"))
        except InvalidVersion:
            continue
        if clause.operator in (">=", "~=", "==", "===") and bound > OLD:
            return True
        if clause.operator == ">" and bound >= OLD:
            return True
    return False


HOPEIT_REQUIREMENTS = [
    (package, where, req) for package in packages() for where, req in package.requirements() if is_ours(req.name)
]
IDS = [f"{package.rel}:{where}:{req}" for package, where, req in HOPEIT_REQUIREMENTS]


@pytest.mark.parametrize(("package", "where", "req"), HOPEIT_REQUIREMENTS, ids=IDS)
def test_hopeit_range_excludes_the_original_releases(package: Package, where: str, req: Requirement) -> None:
    """Every hopeit.* requirement starts above 0.30.1, so PyPI's original releases can never satisfy it."""
    if req.url:
        assert req.url.startswith("file:"), f"{package.rel} ({where}): {req} points outside the repo"
        return
    assert excludes_original_releases(req.specifier), (
        f"{package.rel} ({where}): '{req}' must start at 1.0 (e.g. {req.name}>=1.0,<2): "
        f"the original project's releases under this name go up to {LAST_ORIGINAL_RELEASE}"
    )
    admitted = [v for v in ORIGINAL_RELEASES if req.specifier.contains(v, prereleases=True)]
    assert admitted == []


@pytest.mark.parametrize(("package", "where", "req"), HOPEIT_REQUIREMENTS, ids=IDS)
def test_hopeit_range_admits_the_local_version(package: Package, where: str, req: Requirement) -> None:
    """A range that excluded the local version would make installers fetch the dist from PyPI instead."""
    local = {canonicalize_name(p.name): p for p in packages()}
    target = local.get(canonicalize_name(req.name))
    if target is None or target.version_file is None or req.url:
        return
    version = read_version(target.version_file)
    assert req.specifier.contains(version, prereleases=True), (
        f"{package.rel} ({where}): '{req}' does not admit the local {target.name} {version}"
    )


@pytest.mark.parametrize(("package", "where", "req"), HOPEIT_REQUIREMENTS, ids=IDS)
def test_hopeit_requirements_use_a_range_not_a_pin(package: Package, where: str, req: Requirement) -> None:
    """Packages are versioned independently: a plugin depends on the engine through a range, never ==."""
    pinned = [str(c) for c in req.specifier if c.operator in ("==", "===") and not c.version.endswith(".*")]
    assert pinned == [], f"{package.rel} ({where}): '{req}' pins {pinned}; use a range like >=1.0,<2"
