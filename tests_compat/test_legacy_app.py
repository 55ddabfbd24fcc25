"""legacy-app's own tests, written for 0.24 (old import paths, settings edited by a fixture, the test
kit's postprocess and service helpers), pass unchanged on both engines."""

import pytest
from engines import LEGACY_APP, Engine


def run_legacy_tests(engine: Engine) -> str:
    done = engine.run(
        ["python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning",
         "-W", "ignore::SyntaxWarning", "-c", str(LEGACY_APP / "pytest.ini"), "--rootdir", str(LEGACY_APP),
         str(LEGACY_APP / "tests")],
        cwd=LEGACY_APP, env={"PYTHONPATH": f"{LEGACY_APP / 'src'}:{LEGACY_APP / 'tests'}"},
    )
    assert done.returncode == 0, f"legacy-app's tests failed on the {engine.name} engine:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.parametrize("which", ["oracle", "engine_ours"])
def test_legacy_app_tests_pass(which: str, request: pytest.FixtureRequest) -> None:
    engine: Engine = request.getfixturevalue(which)
    output = run_legacy_tests(engine)
    assert "14 passed" in output, output
