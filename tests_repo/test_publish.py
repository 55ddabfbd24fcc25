"""scripts/publish: one package built, checked and named for release; what its checks catch.

The checks (scripts/package_checks.py) run on real builds of repo packages, then on copies of those
builds with one thing broken each. scripts/publish itself runs end to end on a copy of
plugins/redis-storage in a throwaway git repo: the first run creates its tools venv
(.tools/publish, pinned build/twine/uv) from the package index.
"""

import os
import re
import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path
from typing import Dict, List

import pytest
from repo import ROOT, Package, packages, python, read_version, run
from scripts_support import SCRIPTS, load_script

checks = load_script("package_checks")


def build(package_dir: Path, out: Path) -> Dict[str, Path]:
    """Build the sdist and wheel of a package with hatchling into ``out``."""
    run([python(), "-m", "hatchling", "build", "-t", "sdist", "-t", "wheel", "-d", str(out)], cwd=package_dir)
    (sdist,), (wheel,) = out.glob("*.tar.gz"), out.glob("*.whl")
    return {"sdist": sdist, "wheel": wheel}


def rewrite_zip(source: Path, target: Path, drop: List[str], add: Dict[str, str], replace: Dict[str, str]) -> None:
    """Copy a wheel leaving out ``drop``, adding ``add`` and swapping text in members (name suffix -> (old, new))."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for name in src.namelist():
            if name in drop:
                continue
            data = src.read(name)
            for suffix, swap in replace.items():
                if name.endswith(suffix):
                    old, new = swap.split("=>")
                    data = data.replace(old.encode(), new.encode())
            out.writestr(name, data)
        for name, text in add.items():
            out.writestr(name, text)


@pytest.mark.parametrize("changelog, version, found", [
    ("# Changelog\n\n## 1.0.0\n\n- first\n", "1.0.0", True),
    ("## 1.0.0 (unreleased)\n", "1.0.0", True),
    ("## [1.2.0] - 2026-01-31\n", "1.2.0", True),
    ("### v2.0.0\n", "2.0.0", True),
    ("## 1.0.01\n", "1.0.0", False),
    ("## 1.0.0rc1\n", "1.0.0", False),
    ("Mentions 1.0.0 in a line\n", "1.0.0", False),
    ("## 10.0.0\n", "0.0.0", False),
])
def test_changelog_section_is_a_heading_for_that_exact_version(changelog: str, version: str, found: bool) -> None:
    """A heading naming the version (any level, brackets, v-prefix, a suffix after a space), never a longer one."""
    assert checks.changelog_has_section(changelog, version) is found


def test_read_package_names_the_release_tag() -> None:
    """Name and version come from the pyproject and the version file; the tag is `<distribution>-<version>`."""
    engine = checks.read_package(ROOT / "engine")
    version = read_version(ROOT / "engine" / "src" / "hopeit" / "contracts" / "version.py")
    assert (engine.name, engine.version, engine.tag) == ("hopeit.engine", version, f"hopeit.engine-{version}")
    plugin = checks.read_package(ROOT / "plugins" / "redis-streams")
    assert plugin.tag.startswith("hopeit.redis-streams-1.")
    assert plugin.entry_points()["hopeit.streams"]


@pytest.mark.parametrize("folder, says", [
    (".", "has no [project] name"),  # the repo root: tooling config only
    ("tests_repo", "has no pyproject.toml"),
    ("no-such-folder", "is not a folder"),
])
def test_read_package_refuses_a_folder_that_is_not_a_package(folder: str, says: str) -> None:
    """The repo root (tooling config only), a folder without pyproject.toml, a missing folder."""
    with pytest.raises(checks.NotAPackage, match=re.escape(says)):
        checks.read_package(ROOT / folder)


CHECKED = [p for p in packages() if p.rel in ("engine", "plugins/apps-visualizer", "examples/simple-example")]


@pytest.mark.parametrize("package", CHECKED, ids=[p.rel for p in CHECKED])
def test_repo_packages_build_into_complete_sdists_and_wheels(package: Package, tmp_path: Path) -> None:
    """Engine (many import packages, scripts), a plugin with vendored assets, an example app."""
    built = build(package.path, tmp_path)
    info = checks.read_package(package.path)
    assert checks.wheel_problems(info, built["wheel"]) == []
    assert checks.sdist_problems(info, built["sdist"]) == []


def test_wheel_problems_name_each_thing_missing_or_wrong(tmp_path: Path) -> None:
    """Package data and py.typed dropped, hopeit/__init__.py and a stray file added, version, entry point."""
    folder = ROOT / "plugins" / "config-manager"
    info = checks.read_package(folder)
    built = build(folder, tmp_path / "dist")
    broken = tmp_path / built["wheel"].name
    module = "hopeit/config_manager"
    rewrite_zip(
        built["wheel"], broken,
        drop=[f"{module}/plugin-config.json", f"{module}/py.typed"],
        add={"hopeit/__init__.py": "", "tests/test_x.py": ""},
        replace={"/METADATA": f"Version: {info.version}=>Version: 9.9.9",
                 "/entry_points.txt": "config-manager =>other-name ="},
    )
    problems = "\n".join(checks.wheel_problems(info, broken))
    assert "ships hopeit/__init__.py" in problems
    assert f"lacks files of src/: ['{module}/plugin-config.json', '{module}/py.typed']" in problems
    assert "holds files that are not in src/: ['tests/test_x.py']" in problems
    assert f"no py.typed in ['{module}']" in problems
    assert "METADATA Version is '9.9.9'" in problems
    assert "entry_points.txt lacks ['[hopeit.plugins] config-manager = hopeit.config_manager.plugin:config_path']" in (
        problems)


def test_sdist_problems_name_the_missing_changelog_and_sources(tmp_path: Path) -> None:
    """An sdist without CHANGELOG.md and without a module of src/."""
    folder = ROOT / "plugins" / "redis-storage"
    info = checks.read_package(folder)
    built = build(folder, tmp_path / "dist")
    broken = tmp_path / built["sdist"].name
    with tarfile.open(built["sdist"], "r:gz") as src, tarfile.open(broken, "w:gz") as out:
        for member in src.getmembers():
            if not member.name.endswith(("/CHANGELOG.md", "/storage.py")):
                out.addfile(member, src.extractfile(member) if member.isfile() else None)
    problems = "\n".join(checks.sdist_problems(info, broken))
    assert "lacks ['CHANGELOG.md']" in problems
    assert "lacks files of src/: ['src/hopeit/redis_storage/storage.py']" in problems


# ---- scripts/publish end to end, on a copy of plugins/redis-storage in its own git repo -----------

def git(repo: Path, *args: str) -> None:
    """Run git in ``repo`` with an identity for commits."""
    run(["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *args], cwd=repo)


@pytest.fixture
def package_repo(tmp_path: Path) -> Path:
    """plugins/redis-storage copied into a fresh git repo with one commit; returns the package folder."""
    repo = tmp_path / "repo"
    package = repo / "plugins" / "redis-storage"
    shutil.copytree(ROOT / "plugins" / "redis-storage", package,
                    ignore=shutil.ignore_patterns("__pycache__", "dist", "logs", "*.egg-info"))
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "redis-storage")
    return package


def publish(package: Path) -> "subprocess.CompletedProcess[str]":
    """Run scripts/publish as a user would (the CI constraints are not part of a release build)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PIP_CONSTRAINT", "UV_CONSTRAINT")}
    return subprocess.run([python(), str(SCRIPTS / "publish"), str(package)], cwd=str(package.parent.parent),
                          env=env, capture_output=True, text=True, check=False, timeout=540)


def test_publish_builds_checks_and_prints_the_tag_and_commands(package_repo: Path) -> None:
    """The dist/ folder is emptied, then holds the sdist and wheel, both pass twine; tag and commands printed."""
    version = read_version(package_repo / "src" / "hopeit" / "redis_storage" / "version.py")
    tag = f"hopeit.redis-storage-{version}"
    (package_repo / "dist").mkdir()
    (package_repo / "dist" / "stale-0.1.tar.gz").write_text("left from an old build")
    proc = publish(package_repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    dist = sorted(p.name for p in (package_repo / "dist").iterdir())
    assert dist == [f"hopeit_redis_storage-{version}-py3-none-any.whl", f"hopeit_redis_storage-{version}.tar.gz"]
    assert proc.stdout.count("PASSED") == 2  # twine check --strict, on each file
    assert f"Tag: {tag}\n" in proc.stdout
    assert f"git tag -a {tag} -m 'hopeit.redis-storage {version}'" in proc.stdout
    assert f"git push origin {tag}" in proc.stdout
    assert "twine upload " in proc.stdout and f"hopeit_redis_storage-{version}.tar.gz" in proc.stdout


def test_publish_refuses_a_version_already_tagged(package_repo: Path) -> None:
    """An existing `<distribution>-<version>` tag stops it before anything is built."""
    version = read_version(package_repo / "src" / "hopeit" / "redis_storage" / "version.py")
    git(package_repo, "tag", f"hopeit.redis-storage-{version}")
    proc = publish(package_repo)
    assert proc.returncode == 2
    assert f"REFUSED: git tag hopeit.redis-storage-{version} exists already" in proc.stderr
    assert not (package_repo / "dist").exists()


def test_publish_refuses_a_version_the_changelog_does_not_describe(package_repo: Path) -> None:
    """No CHANGELOG section for the version: refused, saying which heading to add."""
    version = read_version(package_repo / "src" / "hopeit" / "redis_storage" / "version.py")
    (package_repo / "CHANGELOG.md").write_text("# Changelog\n\n## 0.9.0\n\n- older\n")
    proc = publish(package_repo)
    assert proc.returncode == 2
    assert f"has no section for {version}: add `## {version}`" in proc.stderr


def test_publish_refuses_a_folder_that_is_not_a_package(tmp_path: Path) -> None:
    """A folder without pyproject.toml: refused with exit code 2."""
    proc = publish(tmp_path)
    assert proc.returncode == 2
    assert "REFUSED:" in proc.stderr and "has no pyproject.toml" in proc.stderr
