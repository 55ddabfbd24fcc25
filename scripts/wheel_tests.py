"""Run every package's tests against its INSTALLED wheel, as users get it: the tox env ``wheels``.

    python scripts/wheel_tests.py --result-dir DIR --work-dir DIR [--only engine,plugins/fs-storage] [pytest args]

1. builds the sdist and, from it, the wheel of the engine, every plugin and every example (``uv build``
   with the env's hatchling) and checks what they hold (scripts/package_checks.py, as ``scripts/publish`` does);
2. creates a fresh venv and installs all the wheels in ONE ``uv pip install`` (with their ``test``
   extras, the engine with ``web,cli,test``; versions from constraints/all.txt through UV_CONSTRAINT);
3. copies the repo's engine/, plugins/ and examples/ folders WITHOUT their src/ (git's file list: no
   logs or caches) into the work dir, so tests find their configs and data but no source to import;
4. runs each package's tests there with the venv's Python (default pytest args ``-x -q``, no
   coverage), through scripts/tox_pytest.py, with the pytest plugin scripts/wheel_probe.py, which
   fails the package when a module of ours was imported from anywhere but site-packages;
5. writes ``<result-dir>/pytest-summary.json`` with the sums, which scripts/test adds up.

A wheel or sdist check that fails, or a probe that finds a module outside site-packages, counts as
one failed test of that package. Exit code 1 when anything failed.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from package_checks import PackageInfo, import_packages, read_package, sdist_problems, wheel_problems

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
DEFAULT_PYTEST_ARGS = ["-x", "-q"]
ZERO = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}


def repo_packages() -> List[PackageInfo]:
    """engine, plugins/*, examples/*: every folder with a pyproject.toml."""
    folders = [ROOT / "engine", *sorted(p.parent for p in ROOT.glob("plugins/*/pyproject.toml"))]
    folders += sorted(p.parent for p in ROOT.glob("examples/*/pyproject.toml"))
    return [read_package(folder) for folder in folders]


def rel(package: PackageInfo) -> str:
    """The package folder relative to the repo root (``plugins/fs-storage``)."""
    return package.path.relative_to(ROOT).as_posix()


def run(cmd: List[str], **kwargs: Any) -> None:
    """Run a command, echoing it; raise when it fails (its output is already on the console)."""
    print(f"[wheels] $ {' '.join(cmd)}", flush=True)
    subprocess.run(cmd, check=True, **kwargs)


def build(packages: List[PackageInfo], out: Path) -> Dict[str, List[str]]:
    """Build each package's sdist and wheel into ``out/<folder>``; return the problems found, by folder."""
    uv = shutil.which("uv") or "uv"
    problems: Dict[str, List[str]] = {}
    for package in packages:
        dist = out / rel(package)
        # hatchling comes from the tox env (its deps): an isolated build env per package would cost
        # ~1.5 s each; the build is the same (scripts/publish builds isolated, as a release should)
        run([uv, "build", "--quiet", "--no-build-isolation", "--python", sys.executable,
             "--out-dir", str(dist), str(package.path)])
        (sdist,), (wheel,) = dist.glob("*.tar.gz"), dist.glob("*.whl")
        found = [f"wheel {p}" for p in wheel_problems(package, wheel)]
        problems[rel(package)] = found + [f"sdist {p}" for p in sdist_problems(package, sdist)]
    return problems


def install(packages: List[PackageInfo], wheels: Path, venv: Path) -> Path:
    """A fresh venv with every wheel (and its test extra) installed in one resolution; its Python."""
    uv = shutil.which("uv") or "uv"
    run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)])
    python = venv / "bin" / "python"
    requirements = []
    for package in packages:
        (wheel,) = (wheels / rel(package)).glob("*.whl")
        declared = package.pyproject["project"].get("optional-dependencies", {})
        extras = [e for e in ("web", "cli", "test") if e in declared]
        requirements.append(f"{package.name}[{','.join(extras)}] @ {wheel.as_uri()}")
    run([uv, "pip", "install", "--quiet", "--python", str(python), *requirements])
    return python


def mirror(packages: List[PackageInfo], tree: Path) -> None:
    """Copy the files git knows in engine/, plugins/, examples/ into ``tree``, leaving out every src/."""
    sources = {package.path / "src" for package in packages}
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "engine", "plugins", "examples"],
        cwd=str(ROOT), capture_output=True, check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if not source.is_file() or any(src in source.parents for src in sources):
            continue
        target = tree / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def wheel_modules(wheel: Path) -> List[str]:
    """Import packages a wheel ships: ``hopeit.fs_storage``, the engine's ``hopeit.server``..., ``simple_example``."""
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    return sorted(folder.replace("/", ".") for folder in import_packages(names))


def test_package(package: PackageInfo, python: Path, tree: Path, work: Path, result_dir: Path,
                 modules: List[str], pytest_args: List[str]) -> Dict[str, Any]:
    """Run one package's tests from its copy in ``tree``; return its summary (tox_pytest's, plus the probe)."""
    name = rel(package).replace("/", "-")
    results = result_dir / "packages" / name
    probe = results / "wheel-probe.json"
    results.mkdir(parents=True, exist_ok=True)
    probe.unlink(missing_ok=True)
    env = dict(os.environ, HOPEIT_WHEEL_PROBE=str(probe), HOPEIT_WHEEL_MODULES=",".join(modules),
               PYTHONPATH=str(work / "probe"), VIRTUAL_ENV=str(python.parent.parent))
    env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"  # the venv's hopeit_server first
    cmd = [str(python), str(SCRIPTS / "tox_pytest.py"), str(results), "-p", "wheel_probe",
           f"--basetemp={work / 'tmp' / name}", *pytest_args, "tests"]
    print(f"\n[wheels] ===== {rel(package)}: {package.name} {package.version} from its wheel =====", flush=True)
    started = time.monotonic()
    subprocess.run(cmd, cwd=str(tree / rel(package)), env=env, check=False)
    written = results / "pytest-summary.json"
    summary: Dict[str, Any] = (
        json.loads(written.read_text(encoding="utf-8")) if written.exists()
        else {"counts": None, "note": "scripts/tox_pytest.py wrote no summary (it crashed: see its output)"}
    )
    summary["seconds"] = round(time.monotonic() - started, 1)
    summary["probe"] = json.loads(probe.read_text(encoding="utf-8")) if probe.exists() else None
    return summary


def probe_problem(summary: Dict[str, Any]) -> Optional[str]:
    """Why the probe does not prove the tests used the installed package, or None when it does."""
    probe = summary.get("probe")
    if probe is None:
        return "the wheel probe wrote nothing (pytest did not finish its session)"
    if probe["import_failed"]:
        return f"its packages do not import from the venv: {probe['import_failed']}"
    if probe["elsewhere"]:
        return f"modules imported from outside {probe['site_packages']}: {probe['elsewhere']}"
    if probe["checked"] == 0:
        return "no module of the package was loaded"
    return None


def test_all(tested: List[PackageInfo], python: Path, work: Path, result_dir: Path,
             problems: Dict[str, List[str]], pytest_args: List[str]) -> Tuple[Dict[str, int], List[str]]:
    """Test each package; return the summed counts (failed checks count as failed) and one line per result."""
    totals, lines = dict(ZERO), []
    for package in tested:
        (wheel,) = (work / "wheels" / rel(package)).glob("*.whl")
        summary = test_package(package, python, work / "tree", work, result_dir, wheel_modules(wheel), pytest_args)
        counts = summary.get("counts") or {**ZERO, "errors": 1}
        for key in totals:
            totals[key] += counts[key]
        found = list(problems[rel(package)])
        if summary.get("counts"):  # a crashed run is counted as failed already; the probe adds nothing
            found += [p for p in [probe_problem(summary)] if p]
        totals["failed"] += len(found)
        result = summary.get("note") or "{passed} passed, {failed} failed, {errors} errors, {skipped} skipped".format(
            **counts)
        lines.append(f"{rel(package)}: {result} in {summary['seconds']}s")
        lines += [f"{rel(package)}: CHECK FAILED: {p}" for p in found]
    return totals, lines


def main(argv: List[str]) -> int:
    """Build, install, test; write the summed pytest-summary.json. Returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--result-dir", type=Path, required=True, help="where pytest-summary.json goes (the env dir)")
    parser.add_argument("--work-dir", type=Path, required=True, help="scratch folder, emptied first")
    parser.add_argument("--only", default="", help="comma separated folders whose tests run (all are installed)")
    args, pytest_args = parser.parse_known_args(argv)
    started = time.monotonic()
    packages = repo_packages()
    only = [o for o in args.only.split(",") if o]
    tested = [p for p in packages if not only or rel(p) in only]
    if only and len(tested) != len(only):
        parser.error(f"--only {args.only}: known folders are {[rel(p) for p in packages]}")
    work: Path = args.work_dir.resolve()
    shutil.rmtree(work, ignore_errors=True)
    (work / "probe").mkdir(parents=True)
    (work / "tmp").mkdir()
    shutil.copy2(SCRIPTS / "wheel_probe.py", work / "probe" / "wheel_probe.py")

    try:
        problems = build(packages, work / "wheels")
        python = install(packages, work / "wheels", work / "venv")
    except subprocess.CalledProcessError as err:
        note = f"could not build or install the wheels: {' '.join(err.cmd)} exited {err.returncode} (output above)"
        print(f"[wheels] ERROR: {note}", flush=True)
        write_summary(args.result_dir, 1, note, None, note, [])
        return 1
    mirror(packages, work / "tree")
    print(f"[wheels] {len(packages)} packages built, checked and installed in {time.monotonic() - started:.0f}s",
          flush=True)
    totals, lines = test_all(tested, python, work, args.result_dir, problems, pytest_args or DEFAULT_PYTEST_ARGS)
    seconds = round(time.monotonic() - started)
    print("\n[wheels] " + "\n[wheels] ".join(lines), flush=True)
    failed = totals["failed"] + totals["errors"]
    summary_line = (f"{len(tested)} packages from their wheels: {totals['passed']} passed, {failed} failed, "
                    f"{totals['skipped']} skipped in {seconds}s")
    print(f"[wheels] {summary_line}", flush=True)
    exit_code = 1 if failed else 0
    write_summary(args.result_dir, exit_code, summary_line, totals, "", lines)
    return exit_code


def write_summary(result_dir: Path, exit_code: int, line: str, counts: Optional[Dict[str, int]], note: str,
                  lines: List[str]) -> None:
    """``pytest-summary.json`` as scripts/tox_pytest.py writes it, so scripts/tox_summary.py adds it up."""
    result_dir.mkdir(parents=True, exist_ok=True)
    (result_dir / "pytest-summary.json").write_text(json.dumps({
        "cwd": str(ROOT), "python": sys.version.split()[0], "pytest_exit_code": exit_code,
        "summary_line": line, "note": note, "counts": counts, "packages": lines,
    }, indent=2), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
