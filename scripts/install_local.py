"""Install every package of this repo that exists right now, editable, into the running Python.

Used by the tox envs that look at all packages at once (``type``), so the list of packages
is read from disk, not hard-coded: a plugin folder that appears is picked up without a tox.ini edit.

    python scripts/install_local.py [--engine-extras web,cli,test] [--examples]

The engine comes first on the command line and everything goes through ONE ``uv pip install``, so
each ``hopeit.*`` requirement is satisfied by the local editable copy and never by the original
project's 0.x releases on PyPI. Needs ``uv`` in the env (tox deps) or on PATH.
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - only the py3.8-3.10 interpreters take this branch
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def local_packages(with_examples: bool) -> List[Path]:
    """Folders holding a package pyproject: plugins/*, and examples/* when asked."""
    groups = ["plugins"] + (["examples"] if with_examples else [])
    return [p.parent for group in groups for p in sorted((ROOT / group).glob("*/pyproject.toml"))]


def has_extra(package: Path, extra: str) -> bool:
    """Whether the package's pyproject declares the optional-dependency group ``extra``."""
    with open(package / "pyproject.toml", "rb") as fh:
        project = tomllib.load(fh).get("project", {})
    return extra in project.get("optional-dependencies", {})


def main(argv: List[str]) -> int:
    """Build the uv command line and run it."""
    parser = argparse.ArgumentParser(description="install local packages editable")
    parser.add_argument("--engine-extras", default="web,cli,test")
    parser.add_argument("--examples", action="store_true", help="also install examples/*")
    args = parser.parse_args(argv)
    uv = shutil.which("uv", path=os.path.dirname(sys.executable)) or shutil.which("uv")
    if uv is None:
        print("install_local.py: uv not found; add uv to the tox env deps", file=sys.stderr)
        return 2
    specs = ["-e", f"{ROOT / 'engine'}[{args.engine_extras}]" if args.engine_extras else str(ROOT / "engine")]
    for package in local_packages(args.examples):
        extra = "[test]" if has_extra(package, "test") else ""
        specs += ["-e", f"{package}{extra}"]
    cmd = [uv, "pip", "install", "--python", sys.executable, *specs]
    print("install_local.py:", " ".join(cmd), flush=True)
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
