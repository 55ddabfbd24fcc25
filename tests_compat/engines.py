"""The two engines under comparison: ours (this environment) and the original 0.24.0 (the oracle).

The oracle is the original hopeit.engine 0.24.0 and its plugins from PyPI, installed in a venv of
its own (both distributions provide ``hopeit.*``, so they cannot share one). It is used as a black
box: the tests run the same scripts, apps and servers on both and compare what comes out.

The venv is built once per Python, from the pinned ``oracle-requirements.txt``, in the folder named
by ``HOPEIT_ORACLE_DIR`` (tox sets it under ``.tox/``); a marker file holding the hash of the pins
tells whether an existing venv is up to date.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Sequence

HERE = Path(__file__).resolve().parent
ORACLE_PINS = HERE / "oracle-requirements.txt"
DRIVERS = HERE / "drivers"
LEGACY_APP = HERE / "legacy_app"

__all__ = ["DRIVERS", "LEGACY_APP", "ORACLE_PINS", "Engine", "build_oracle", "ours"]


@dataclass(frozen=True)
class Engine:
    """A Python environment with one of the two engines installed."""

    name: str
    python: Path

    @property
    def bin_dir(self) -> Path:
        """Folder of the environment's console scripts (``hopeit_server``, ``hopeit_openapi``)."""
        return self.python.parent

    def script(self, name: str) -> str:
        """Path of console script ``name`` of this environment."""
        path = self.bin_dir / name
        if not path.exists():
            raise RuntimeError(f"{name} is not installed in {self.bin_dir} ({self.name} engine)")
        return str(path)

    def env(self, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
        """Environment of a process of this engine: the legacy app importable, nothing of the other engine."""
        env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env["PYTHONPATH"] = str(LEGACY_APP / "src")
        env["PYTHONUNBUFFERED"] = "1"
        env.update(extra or {})
        return env

    def run(self, args: Sequence[str], *, cwd: Optional[Path] = None, env: Optional[Dict[str, str]] = None,
            timeout: float = 300) -> "subprocess.CompletedProcess[str]":
        """Run ``args`` (the first one a script of this engine or ``python``) and return what it printed."""
        command = [str(self.python) if args[0] == "python" else self.script(args[0]), *args[1:]]
        return subprocess.run(command, cwd=str(cwd or HERE), env=self.env(env), capture_output=True,
                              text=True, timeout=timeout, check=False)

    def driver(self, name: str, *args: str, env: Optional[Dict[str, str]] = None) -> Any:
        """Run ``drivers/<name>.py`` with this engine and return the JSON it printed on its last line.

        :raises AssertionError: the driver failed (its output is in the message).
        """
        done = self.run(["python", str(DRIVERS / f"{name}.py"), *args], env=env)
        if done.returncode != 0 or not done.stdout.strip():
            raise AssertionError(f"driver {name} failed on the {self.name} engine (exit {done.returncode}):\n"
                                 f"{done.stdout}\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def ours() -> Engine:
    """The engine of this repository, installed in the running environment."""
    return Engine("ours", Path(sys.executable))


def _pins_hash() -> str:
    return hashlib.sha256(ORACLE_PINS.read_bytes()).hexdigest()


def build_oracle(folder: Path) -> Engine:
    """The oracle venv in ``folder``, built (or rebuilt when the pins changed) with uv.

    :raises RuntimeError: uv is missing or the install failed (with uv's output).
    """
    marker = folder / "oracle-pins.sha256"
    python = folder / "bin" / "python"
    if python.exists() and marker.exists() and marker.read_text() == _pins_hash():
        return Engine("0.24", python)
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not Path(uv).exists():
        raise RuntimeError("uv is needed to build the hopeit.engine 0.24.0 oracle venv: pip install uv")
    env = {key: value for key, value in os.environ.items()
           if key not in ("UV_CONSTRAINT", "PIP_CONSTRAINT", "VIRTUAL_ENV")}
    base = getattr(sys, "_base_executable", None) or sys.executable
    steps = [
        [uv, "venv", "--quiet", "--clear", "--python", base, str(folder)],
        [uv, "pip", "install", "--quiet", "--python", str(python), "-r", str(ORACLE_PINS)],
    ]
    for step in steps:
        done = subprocess.run(step, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"building the oracle venv failed: {' '.join(step)}\n{done.stdout}\n{done.stderr}")
    marker.write_text(_pins_hash())
    return Engine("0.24", python)
