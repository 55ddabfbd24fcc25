"""Issue #12 item 7, found by tools: schemathesis over simple-example's served OpenAPI; no answer may be a 5xx.

Every operation of the spec (the app's events and the fs-storage plugin's) gets a bounded number of
generated requests, valid ones and invalid ones (schemathesis' positive and negative modes),
derandomized so that each run repeats the last. Bearer operations get a real token from ``login``,
Basic ones the demo credentials, so the events run instead of stopping at 401. The only check is
the one of schemathesis' ``not_a_server_error``: a client's nonsense is a 4xx, never a 500. A
connection dropped without an answer fails too. Every failing case is collected (with a curl
command to reproduce it) instead of stopping at the first.

It drives hypothesis itself over ``APIOperation.as_strategy`` (schemathesis 4.x API; tox.ini pins
``schemathesis>=4.1,<5``) rather than ``schemathesis.pytest.from_fixture``, whose pytest plugin
does not run on the pytest 9 of ``constraints/all.txt``.
"""

from __future__ import annotations

import base64
from typing import Any, Dict, Iterator, List

import pytest
import schemathesis
from harness.clients import SESSION, login
from harness.configs import simple_example_config
from harness.figures import Figures
from harness.processes import ServerProcess
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.core.result import Err

#: Generated cases per operation and mode: enough to reach the error paths the issue found, bounded for CI time.
MAX_EXAMPLES = 15
BASIC = "Basic " + base64.b64encode(b"demo:hopeit").decode()


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """simple-example of this module alone (schemathesis leaves a lot of junk items behind)."""
    layout = simple_example_config(tmp_path_factory.mktemp("schemathesis"))
    server = ServerProcess(layout.config_files, workdir=layout.folder, name="simple-example")
    try:
        yield server.start()
    finally:
        server.kill()


def credentials(operation: Any, bearer: str) -> Dict[str, str]:
    """Headers for the operation's security scheme: the real token or the demo's Basic credentials."""
    schemes = {name.lower() for requirement in operation.definition.raw.get("security", []) for name in requirement}
    headers = dict(SESSION)
    if any("bearer" in name for name in schemes):
        headers["Authorization"] = bearer
    elif any("basic" in name for name in schemes):
        headers["Authorization"] = BASIC
    return headers


def fuzz(operation: Any, mode: GenerationMode, headers: Dict[str, str], failures: List[str]) -> int:
    """Run ``MAX_EXAMPLES`` cases of ``operation``; server errors go to ``failures``; returns the calls made."""
    calls = 0

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        nonlocal calls
        sent = {**(case.headers or {}), **headers}
        calls += 1
        try:
            response = case.call(headers=sent, timeout=30)
        except OSError as exc:  # requests' errors are OSErrors: the server dropped the connection unanswered
            failures.append(f"{operation.label} ({mode.value}): no response ({exc})\n    "
                            f"{case.as_curl_command(headers=sent)}")
            return
        if response.status_code >= 500:  # what schemathesis' not_a_server_error checks
            failures.append(f"{operation.label} ({mode.value}): {response.status_code}\n    "
                            f"{case.as_curl_command(headers=sent)}\n    {response.text[:200]}")

    run()
    return calls


def test_no_operation_answers_5xx(fuzzed_server: ServerProcess, figures: Figures) -> None:
    """Whatever schemathesis sends to any operation, the server answers below 500."""
    loaded = schemathesis.openapi.from_url(f"{fuzzed_server.base_url}/api/docs/swagger.json", timeout=10)
    loaded.config.update(base_url=fuzzed_server.base_url)
    bearer = "Bearer " + login(fuzzed_server)
    failures: List[str] = []
    operations, calls = 0, 0
    for result in loaded.get_all_operations():
        if isinstance(result, Err):
            failures.append(f"the spec has an operation schemathesis cannot read: {result.err()}")
            continue
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            calls += fuzz(operation, mode, credentials(operation, bearer), failures)
    figures.report("schemathesis", operations=operations, requests=calls, server_errors=len(failures))
    assert operations >= 12, f"the spec has only {operations} operations: is it the app's?"
    assert not failures, f"{len(failures)} generated requests got a 5xx:\n" + "\n".join(failures[:15])
