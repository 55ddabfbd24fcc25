"""Add up the results of a ``tox run-parallel`` run; print one line per env and a closing total.

``scripts/test`` calls this after tox. It reads ``<work_dir>/<env>/pytest-summary.json`` (written by
``scripts/tox_pytest.py`` inside each env) and tox's ``--result-json`` file, then prints each env's
pytest summary line and, last, exactly ``N passed, N failed``.

How envs count:

* a pytest env adds its passed tests to ``passed`` and its failed + errored tests to ``failed``;
* an env that tox reports as failed but that added no failure of its own (install error, coverage
  under the threshold, a lint/type env, a crash) adds 1 to ``failed``, so the closing line never
  says ``0 failed`` while the run fails;
* envs listed with ``--skipped`` (package folder not in the repo yet) count nothing.

The exit code is 1 when anything failed, else 0.
"""

import argparse
import json
import os
import sys
from typing import Any, Dict, List, Optional


def _load(path: str) -> Optional[Dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as fh:
            data: Dict[str, Any] = json.load(fh)
            return data
    except (OSError, ValueError):
        return None


def summarize(work_dir: str, result_json: str, envs: List[str], skipped: Dict[str, str]) -> int:
    """Print the per-env table and the closing line; return the process exit code."""
    tox_results = (_load(result_json) or {}).get("testenvs", {})
    passed = failed = skipped_tests = 0
    width = max([len(env) for env in envs] + [8])
    print("")
    print("=" * 30 + " results per env " + "=" * 30)
    for env in envs:
        if env in skipped:
            print(f"{env:<{width}}  SKIP  {skipped[env]}")
            continue
        result = tox_results.get(env, {}).get("result")
        env_ok = bool(result and result.get("success"))
        summary = _load(os.path.join(work_dir, env, "pytest-summary.json"))
        counts = (summary or {}).get("counts")
        own_failures = 0
        detail = "check passed" if env_ok else "check failed"
        if counts:
            passed += counts["passed"]
            own_failures = counts["failed"] + counts["errors"]
            skipped_tests += counts["skipped"]
            detail = (summary.get("summary_line") or "").strip("= ") or (
                f"{counts['passed']} passed, {own_failures} failed, {counts['skipped']} skipped"
            )
        elif summary is not None:
            detail = summary.get("note") or "pytest gave no result"
        if not env_ok and own_failures == 0:
            if result is None:
                detail += " (tox did not finish this env)"
            elif counts:
                detail += f" (env failed after the tests: exit code {result.get('exit_code')}, see its output above)"
            own_failures = 1
        failed += own_failures
        status = "OK  " if env_ok else "FAIL"
        print(f"{env:<{width}}  {status}  {detail}")
    if skipped_tests:
        print(f"({skipped_tests} tests skipped in all)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def main(argv: List[str]) -> int:
    """Parse arguments and summarize."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work-dir", required=True, help="tox work dir (.tox)")
    parser.add_argument("--result-json", required=True, help="file written by tox --result-json")
    parser.add_argument("--envs", required=True, help="comma separated envs that were run")
    parser.add_argument("--skipped", action="append", default=[], help="ENV=reason, repeatable")
    args = parser.parse_args(argv)
    envs = [env for env in args.envs.split(",") if env]
    skipped = dict(item.split("=", 1) for item in args.skipped)
    return summarize(args.work_dir, args.result_json, envs + [e for e in skipped if e not in envs], skipped)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
