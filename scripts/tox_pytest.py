"""Run pytest inside a tox env and leave a machine-readable result in the env folder.

``tox run-parallel`` hides the output of envs that pass, so ``scripts/test`` cannot read pytest's
summary from the console. This wrapper runs ``python -m pytest <args>``, copies its output to the
console *and* to ``<result-dir>/pytest.log``, asks pytest for a junit XML report, and writes
``<result-dir>/pytest-summary.json`` with the counts that ``scripts/test`` adds up.

Usage (from tox.ini)::

    python {toxinidir}/scripts/tox_pytest.py {env_dir} [pytest args...]

Exit code 5 (no tests collected) is turned into 1: every package that has a tox env must have
tests, so an empty run is a failure, not a success. Runs on every Python the matrix covers (3.8+).
"""

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from typing import Dict, List, Optional

#: pytest's closing line, e.g. ``==== 12 passed, 1 skipped in 3.21s ====``.
SUMMARY_LINE = re.compile(r"^=+ .*\b(passed|failed|error|errors|skipped|no tests ran)\b.* in [0-9.]+s.*=+$")
NO_TESTS_COLLECTED = 5


def junit_counts(path: str) -> Optional[Dict[str, int]]:
    """Totals of a junit XML report (pytest writes one ``testsuite`` per session), or None if unreadable."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        for key in totals:
            totals[key] += int(suite.get(key, "0") or 0)
    return {
        "passed": totals["tests"] - totals["failures"] - totals["errors"] - totals["skipped"],
        "failed": totals["failures"],
        "errors": totals["errors"],
        "skipped": totals["skipped"],
    }


def run(result_dir: str, pytest_args: List[str]) -> int:
    """Run pytest, tee its output, write the summary file; return the exit code tox should see."""
    os.makedirs(result_dir, exist_ok=True)
    log_path = os.path.join(result_dir, "pytest.log")
    junit_path = os.path.join(result_dir, "pytest-junit.xml")
    summary_path = os.path.join(result_dir, "pytest-summary.json")
    for stale in (log_path, junit_path, summary_path):
        if os.path.exists(stale):
            os.remove(stale)

    cmd = [sys.executable, "-m", "pytest", "--junitxml", junit_path, "-o", "junit_family=xunit2", *pytest_args]
    summary_line = ""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode("utf-8", errors="replace")
            sys.stdout.write(line)
            sys.stdout.flush()
            log.write(line)
            if SUMMARY_LINE.match(line.strip()):
                summary_line = line.strip()
        returncode = proc.wait()

    counts = junit_counts(junit_path)
    note = ""
    if returncode == NO_TESTS_COLLECTED:
        note = f"pytest collected no tests in {os.getcwd()}: every package in the matrix must have tests"
        print(f"ERROR: {note}", flush=True)
        returncode = 1
    elif counts is None:
        note = f"pytest exited {returncode} without a junit report (usage/conftest error, crash or kill: see output)"
        print(f"ERROR: {note}", flush=True)
        returncode = returncode or 1

    summary = {
        "cwd": os.getcwd(),
        "python": sys.version.split()[0],
        "pytest_exit_code": returncode,
        "summary_line": summary_line,
        "note": note,
        "counts": counts,
    }
    with open(summary_path, "w", encoding="utf-8") as fh:
        json.dump(summary, fh, indent=2)
    return returncode


def main(argv: List[str]) -> int:
    """Entry point: ``tox_pytest.py RESULT_DIR [pytest args...]``."""
    if not argv:
        print("usage: tox_pytest.py RESULT_DIR [pytest args...]", file=sys.stderr)
        return 2
    return run(argv[0], argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
