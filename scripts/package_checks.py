"""What a package folder of this repo is, and what its built sdist and wheel must hold.

Shared by ``scripts/publish`` (one package, before a release) and ``scripts/wheel_tests.py`` (every
package, in CI). Each ``*_problems`` function returns a list of sentences, empty when all is well:

* the wheel holds exactly the files under ``src/`` that git does not ignore (modules, ``py.typed``,
  package data such as ``plugin-config.json`` or vendored assets) and NO ``hopeit/__init__.py``
  (``hopeit`` is a PEP 420 namespace shared by every distribution); every import package in it has
  ``py.typed``; its metadata has the name and version of the pyproject; its ``entry_points.txt``
  has every script and entry point the pyproject declares;
* the sdist holds ``pyproject.toml``, ``README.md``, ``CHANGELOG.md`` and the same ``src/`` files.

Needs Python 3.11+ (tomllib) and ``packaging``.
"""

import configparser
import re
import subprocess
import tarfile
import zipfile
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path
from typing import Any, Dict, List, Set

import tomllib
from packaging.utils import canonicalize_name

#: Files every sdist of ours carries beside src/ (the CHANGELOG is what a release is checked against).
SDIST_REQUIRED = ("PKG-INFO", "pyproject.toml", "README.md", "CHANGELOG.md")
NAMESPACE = "hopeit"


class NotAPackage(ValueError):
    """The folder given is not a package of this repo (no pyproject.toml with a [project] name)."""


@dataclass(frozen=True)
class PackageInfo:
    """A package folder: its distribution name and version as the pyproject declares them."""

    path: Path
    name: str
    version: str
    pyproject: Dict[str, Any]

    @property
    def tag(self) -> str:
        """The git tag of this release: ``<distribution>-<version>`` (``hopeit.redis-streams-1.0.0``)."""
        return f"{self.name}-{self.version}"

    def entry_points(self) -> Dict[str, Dict[str, str]]:
        """Every entry point the pyproject declares, by group (scripts are group ``console_scripts``)."""
        project = self.pyproject["project"]
        groups: Dict[str, Dict[str, str]] = {
            group: dict(points) for group, points in project.get("entry-points", {}).items()
        }
        if project.get("scripts"):
            groups["console_scripts"] = dict(project["scripts"])
        if project.get("gui-scripts"):
            groups["gui_scripts"] = dict(project["gui-scripts"])
        return groups


def read_package(path: Path) -> PackageInfo:
    """Read the package in ``path``; raise NotAPackage saying what is missing."""
    pyproject_path = path / "pyproject.toml"
    if not path.is_dir():
        raise NotAPackage(f"{path} is not a folder")
    if not pyproject_path.is_file():
        raise NotAPackage(f"{path} has no pyproject.toml: give the folder of a package (engine, plugins/<name>...)")
    with open(pyproject_path, "rb") as fh:
        pyproject = tomllib.load(fh)
    project = pyproject.get("project", {})
    if "name" not in project:
        raise NotAPackage(f"{pyproject_path} has no [project] name: it is not a package")
    if not (path / "src").is_dir():
        raise NotAPackage(f"{path} has no src/ folder: every package of this repo keeps its code in src/")
    return PackageInfo(path=path, name=str(project["name"]), version=_version(path, pyproject), pyproject=pyproject)


def _version(path: Path, pyproject: Dict[str, Any]) -> str:
    """The static [project] version, or the ``__version__`` of the file hatchling reads it from."""
    project = pyproject["project"]
    if "version" in project:
        return str(project["version"])
    version_file = pyproject.get("tool", {}).get("hatch", {}).get("version", {}).get("path")
    if not version_file:
        raise NotAPackage(f"{path}/pyproject.toml has neither a version nor [tool.hatch.version] path")
    text = (path / version_file).read_text(encoding="utf-8")
    match = re.search(r"^__version__\s*=\s*[\"']([^\"']+)[\"']", text, re.MULTILINE)
    if not match:
        raise NotAPackage(f"{path / version_file} has no __version__ = '...' line")
    return match.group(1)


def changelog_has_section(changelog: str, version: str) -> bool:
    """Whether the CHANGELOG text has a heading for ``version`` (``## 1.0.0``, ``## [1.0.0] - date``...)."""
    heading = re.compile(rf"^##+\s*\[?v?{re.escape(version)}\]?(\s|$)", re.MULTILINE)
    return heading.search(changelog) is not None


def source_files(package: PackageInfo) -> List[str]:
    """Files under ``src/`` that a build takes (tracked or new, not git-ignored), relative to ``src/``."""
    src = package.path / "src"
    proc = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
        cwd=str(src), capture_output=True, check=False,
    )
    if proc.returncode == 0:
        # ls-files also lists files deleted from the work tree but not yet from the index
        return sorted(f for f in proc.stdout.decode().split("\0") if f and (src / f).is_file())
    # not a git checkout (an unpacked sdist): every file but Python's caches
    return sorted(
        p.relative_to(src).as_posix() for p in src.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


def import_packages(files: Set[str]) -> Set[str]:
    """Folders of the wheel that are import packages: ``hopeit/<module>`` or a top-level ``<module>``."""
    found = set()
    for name in files:
        parts = name.split("/")
        if parts[-1] != "__init__.py":
            continue
        if parts[0] == NAMESPACE and len(parts) == 3:
            found.add("/".join(parts[:2]))
        elif parts[0] != NAMESPACE and len(parts) == 2:
            found.add(parts[0])
    return found


def wheel_problems(package: PackageInfo, wheel: Path) -> List[str]:
    """What is wrong with the wheel built from ``package`` (empty list: nothing)."""
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        dist_info = [n for n in names if n.split("/")[0].endswith(".dist-info")]
        metadata_name = next((n for n in dist_info if n.endswith("/METADATA")), None)
        entry_points_name = next((n for n in dist_info if n.endswith("/entry_points.txt")), None)
        metadata = zf.read(metadata_name).decode() if metadata_name else ""
        entry_points = zf.read(entry_points_name).decode() if entry_points_name else ""
    problems: List[str] = []
    files = set(names) - set(dist_info)
    expected = set(source_files(package))
    if f"{NAMESPACE}/__init__.py" in files:
        problems.append(f"ships {NAMESPACE}/__init__.py: {NAMESPACE} is a namespace package (PEP 420)")
    if expected - files:
        problems.append(f"lacks files of src/: {sorted(expected - files)}")
    extra = files - expected - {f"{NAMESPACE}/__init__.py"}
    if extra:
        problems.append(f"holds files that are not in src/: {sorted(extra)}")
    untyped = sorted(p for p in import_packages(files) if f"{p}/py.typed" not in files)
    if untyped:
        problems.append(f"no py.typed in {untyped}: type checkers would ignore their annotations")
    problems += _metadata_problems(package, metadata)
    problems += _entry_point_problems(package, entry_points)
    return problems


def _metadata_problems(package: PackageInfo, metadata: str) -> List[str]:
    if not metadata:
        return ["has no METADATA file"]
    headers = HeaderParser().parsestr(metadata)
    problems = []
    if canonicalize_name(headers.get("Name", "")) != canonicalize_name(package.name):
        problems.append(f"METADATA Name is {headers.get('Name')!r}, the pyproject says {package.name!r}")
    if headers.get("Version") != package.version:
        problems.append(f"METADATA Version is {headers.get('Version')!r}, the version file says {package.version!r}")
    return problems


def _entry_point_problems(package: PackageInfo, text: str) -> List[str]:
    built = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    built.optionxform = str  # type: ignore[assignment,method-assign]  # entry point names are case-sensitive
    built.read_string(text)
    missing = [
        f"[{group}] {name} = {target}"
        for group, points in package.entry_points().items()
        for name, target in points.items()
        if not built.has_option(group, name) or built.get(group, name).strip() != target
    ]
    return [f"entry_points.txt lacks {missing}"] if missing else []


def sdist_problems(package: PackageInfo, sdist: Path) -> List[str]:
    """What is wrong with the sdist built from ``package`` (empty list: nothing)."""
    with tarfile.open(sdist, "r:gz") as tf:
        members = [m.name for m in tf.getmembers() if m.isfile()]
    root = members[0].split("/")[0] if members else ""
    files = {m[len(root) + 1:] for m in members if m.startswith(root + "/")}
    problems = []
    missing = [f for f in SDIST_REQUIRED if f not in files]
    if missing:
        problems.append(f"lacks {missing}")
    missing_src = sorted(f"src/{f}" for f in source_files(package) if f"src/{f}" not in files)
    if missing_src:
        problems.append(f"lacks files of src/: {missing_src}")
    if f"src/{NAMESPACE}/__init__.py" in files:
        problems.append(f"ships src/{NAMESPACE}/__init__.py: {NAMESPACE} is a namespace package (PEP 420)")
    return problems
