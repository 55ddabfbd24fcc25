"""What the repo-level tests know about the monorepo: where packages are and how to read them."""

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
#: The original project's last release on PyPI: no range of ours may admit it or anything older.
LAST_ORIGINAL_RELEASE = "0.30.1"


@dataclass(frozen=True)
class Package:
    """A distribution in the repo: the engine, a plugin or an example app."""

    path: Path
    kind: str
    pyproject: Dict[str, Any]

    @property
    def name(self) -> str:
        """Distribution name as written in pyproject (``hopeit.redis-streams``)."""
        return str(self.pyproject["project"]["name"])

    @property
    def rel(self) -> str:
        """Folder relative to the repo root (``plugins/redis-streams``)."""
        return self.path.relative_to(ROOT).as_posix()

    @property
    def version_file(self) -> Optional[Path]:
        """The file hatchling reads the version from, when the package uses one."""
        rel = self.pyproject.get("tool", {}).get("hatch", {}).get("version", {}).get("path")
        return self.path / rel if rel else None

    def requirements(self) -> List[Tuple[str, Requirement]]:
        """Every requirement in pyproject (runtime and extras) and in *requirements*.txt files."""
        project = self.pyproject.get("project", {})
        found = [("dependencies", Requirement(r)) for r in project.get("dependencies", [])]
        for extra, reqs in project.get("optional-dependencies", {}).items():
            found += [(f"extra {extra}", Requirement(r)) for r in reqs]
        for txt in sorted(self.path.glob("*requirements*.txt")):
            for line in txt.read_text(encoding="utf-8").splitlines():
                line = line.split("#", 1)[0].strip()
                if line and not line.startswith("-"):
                    found.append((txt.name, Requirement(line)))
        return found


def _load(path: Path) -> Dict[str, Any]:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def packages() -> List[Package]:
    """engine, then plugins/*, then examples/* (each folder that has a pyproject.toml)."""
    found = [Package(ROOT / "engine", "engine", _load(ROOT / "engine" / "pyproject.toml"))]
    for group, kind in (("plugins", "plugin"), ("examples", "example")):
        for pyproject in sorted((ROOT / group).glob("*/pyproject.toml")):
            found.append(Package(pyproject.parent, kind, _load(pyproject)))
    return found


def plugins() -> List[Package]:
    """The plugins present in the repo."""
    return [p for p in packages() if p.kind == "plugin"]


def examples() -> List[Package]:
    """The example apps present in the repo."""
    return [p for p in packages() if p.kind == "example"]


def is_ours(name: str) -> bool:
    """Whether a distribution name belongs to the hopeit.* family (ours, or the original's on PyPI)."""
    return canonicalize_name(name).startswith("hopeit-")


def read_version(path: Path) -> str:
    """The ``__version__ = "..."`` string of a version.py."""
    match = re.search(r"^__version__\s*=\s*[\"']([^\"']+)[\"']", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, f"{path} has no __version__ = '...' line"
    return match.group(1)


def run(cmd: List[str], cwd: Path, env: Optional[Dict[str, str]] = None) -> str:
    """Run a command; on failure raise with its whole output, so the test report shows why."""
    proc = subprocess.run(cmd, cwd=str(cwd), env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} (in {cwd}) exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def python() -> str:
    """The interpreter running the tests (the tox env's)."""
    return sys.executable
