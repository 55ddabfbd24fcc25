"""Run mypy over engine/src, every plugin's and example's src and _template/src (the tox ``type`` env).

The folders are found on disk, so a new plugin is checked without editing tox.ini. Each src folder
also goes on MYPYPATH: with ``explicit_package_bases`` mypy names modules relative to those roots,
which is how ``plugins/redis-streams/src/hopeit/redis_streams`` becomes ``hopeit.redis_streams``
and the ``hopeit`` namespace spans every package. Extra arguments are passed to mypy.
"""

import os
import subprocess
import sys
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parent.parent


def src_roots() -> List[str]:
    """engine/src, plugins/*/src, examples/*/src and _template/src, relative to the repo root."""
    found = [p for group in ("plugins", "examples") for p in sorted((ROOT / group).glob("*/src")) if p.is_dir()]
    roots = [ROOT / "engine" / "src", *found, ROOT / "_template" / "src"]
    return [str(p.relative_to(ROOT)) for p in roots]


def main(argv: List[str]) -> int:
    """Run mypy from the repo root, so it reads the root pyproject.toml."""
    roots = src_roots()
    env = dict(os.environ)
    env["MYPYPATH"] = os.pathsep.join(roots + [p for p in env.get("MYPYPATH", "").split(os.pathsep) if p])
    cmd = [sys.executable, "-m", "mypy", *(argv or roots)]
    print("typecheck.py:", " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=str(ROOT), env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
