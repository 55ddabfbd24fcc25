"""pip 23.0, the pip that Python 3.8's venv ships, installs hopeit.engine[web,cli] without backtracking.

What went wrong: PyJWT 2.10+ needs Python 3.9, and a package index that does not publish
Requires-Python (a plain folder index like the one this machine adds with extra-index-url) let
pip 23.0 pick PyJWT 2.15.1[crypto] on 3.8. pip only read its Requires-Python after pinning the
extra, and its resolver (no backjumping before pip 23.1) then walked back through every pin made
after it: all cryptography, yarl, zipp... releases, for over 14 minutes. The engine's web, cli and
test extras bound PyJWT below 2.10 on Python < 3.9, so that release is never a candidate there.

The second test runs the real pip 23.0 on Python 3.8 against the package index the scripts use,
without the CI constraints (they pin PyJWT and would hide a missing bound). It needs python3.8 on
PATH (scripts/test puts pyenv's there) and takes about a minute, most of it building the engine's
metadata. Its timeout only stops a hang: what it asserts is what pip picked.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from repo import ROOT, packages

#: The first PyJWT release that needs Python 3.9, and the last one that runs on 3.8.
PYJWT_FIRST_WITHOUT_38 = "2.10.0"
PYJWT_LAST_FOR_38 = "2.9.0"
#: cryptography 48 needs Python 3.9: 47.0.0 is the last release pip may pick on 3.8.
CRYPTOGRAPHY_LAST_FOR_38 = "47.0.0"
#: A guard against a hang, not a speed target: pip 23 resolves in about a minute with the bound.
HANG_GUARD_SECONDS = 420


def pyjwt_requirements(extra: str, python_version: str) -> List[Requirement]:
    """The PyJWT requirements of an engine extra that apply on ``python_version`` (``"3.8"``)."""
    env = {key: str(value) for key, value in default_environment().items()}
    env.update(python_version=python_version, python_full_version=f"{python_version}.0", extra=extra)
    reqs = [Requirement(r) for r in packages()[0].pyproject["project"]["optional-dependencies"][extra]]
    return [r for r in reqs if r.name.lower() == "pyjwt" and (r.marker is None or r.marker.evaluate(env))]


@pytest.mark.parametrize("extra", ["web", "cli", "test"])
def test_pyjwt_stops_below_2_10_on_python_38_and_is_free_above(extra: str) -> None:
    """On 3.8 the range ends before the first PyJWT without 3.8; from 3.9 on it admits it."""
    (on_38,) = pyjwt_requirements(extra, "3.8")
    assert PYJWT_LAST_FOR_38 in on_38.specifier and PYJWT_FIRST_WITHOUT_38 not in on_38.specifier, (
        f"engine[{extra}]: '{on_38}' must stop below {PYJWT_FIRST_WITHOUT_38} on Python 3.8, "
        "or pip 23.0 backtracks for many minutes (see this module's docstring)"
    )
    assert "crypto" in on_38.extras
    for version in ("3.9", "3.10", "3.11", "3.12"):
        (newer,) = pyjwt_requirements(extra, version)
        assert PYJWT_FIRST_WITHOUT_38 in newer.specifier and "crypto" in newer.extras, f"{version}: {newer}"


def _python38() -> str:
    found = shutil.which("python3.8")
    assert found, "python3.8 is not on PATH: run through scripts/test (it adds pyenv's 3.8) or install it"
    return found


def _resolve_with_pip_23(tmp_path: Path) -> Dict[str, str]:
    """``pip install --dry-run --report`` of engine[web,cli] by the pip of a fresh 3.8 venv: name -> version."""
    venv = tmp_path / "venv"
    subprocess.run([_python38(), "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip"]
    version = subprocess.run([*pip, "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("pip 23.0"), f"the 3.8 venv should ship pip 23.0.x, it has {version}"
    # the CI constraints pin PyJWT for 3.8 themselves: without them, only the engine's own bound acts
    env = {k: v for k, v in os.environ.items() if k not in ("PIP_CONSTRAINT", "UV_CONSTRAINT")}
    report = tmp_path / "report.json"
    cmd = [*pip, "install", "--dry-run", "--ignore-installed", "--quiet", "--report", str(report),
           f"{ROOT / 'engine'}[web,cli]"]
    try:
        subprocess.run(cmd, env=env, capture_output=True, text=True, check=True, timeout=HANG_GUARD_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"pip 23.0 on Python 3.8 was still resolving engine[web,cli] after {HANG_GUARD_SECONDS}s: "
                    "it is backtracking again (is the PyJWT bound for Python < 3.9 gone?)")
    except subprocess.CalledProcessError as err:
        pytest.fail(f"pip 23.0 could not resolve engine[web,cli] on 3.8:\n{err.stdout}\n{err.stderr}")
    installs = json.loads(report.read_text(encoding="utf-8"))["install"]
    return {item["metadata"]["name"].lower(): item["metadata"]["version"] for item in installs}


def test_pip_23_on_python_38_resolves_engine_web_cli_to_the_last_releases_for_38(tmp_path: Path) -> None:
    """Old pip 23.0 picks PyJWT 2.9.0 and cryptography 47.0.0 (their last releases for 3.8) and finishes."""
    picked = _resolve_with_pip_23(tmp_path)
    assert picked.get("pyjwt") == PYJWT_LAST_FOR_38, picked
    assert picked.get("cryptography") == CRYPTOGRAPHY_LAST_FOR_38, picked
    assert picked.get("hopeit.engine") or picked.get("hopeit-engine"), picked
