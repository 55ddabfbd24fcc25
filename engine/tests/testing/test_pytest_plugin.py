"""The test kit's pytest plugin keeps engine logs of a test run in pytest's temporary folder."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict

import pytest

#: a user's test that logs through the engine the way app tests do
USER_TEST = '''
from hopeit.server.logger import engine_logger
from hopeit.testing.apps import server_config


def test_logs() -> None:
    config = server_config()
    assert "hopeit-logs" in config.logging.log_path
    engine_logger().warning(None, "a line from a test")
'''


def _run_pytest(project: Path, env: Dict[str, str]) -> "subprocess.CompletedProcess[str]":
    (project / "test_user.py").write_text(USER_TEST)
    (project / "pytest.ini").write_text("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--basetemp={project / 'basetemp'}",
         "test_user.py"],
        cwd=str(project), env=env, capture_output=True, text=True, timeout=120,
    )


def test_engine_logs_go_to_pytests_temporary_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOPEIT_LOG_PATH", "_HOPEIT_LOG_PATH"))}
    done = _run_pytest(tmp_path, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"hopeit: engine logs in {tmp_path / 'basetemp' / 'hopeit-logs'}" in done.stdout
    assert not (tmp_path / "logs").exists(), "logs were written into the folder pytest ran in"
    written = list((tmp_path / "basetemp" / "hopeit-logs").glob("*.log"))
    assert written and any("a line from a test" in path.read_text() for path in written)


def test_a_log_path_the_user_set_is_kept(tmp_path: Path) -> None:
    chosen = tmp_path / "my-logs"
    env = {**os.environ, "HOPEIT_LOG_PATH": f"{chosen}/"}
    env.pop("_HOPEIT_LOG_PATH_SET_BY_PYTEST_PLUGIN", None)
    done = _run_pytest(tmp_path, env)
    assert done.returncode != 0  # the user test asserts the plugin's folder: here it is the user's
    assert f"hopeit: engine logs in {chosen}/" in done.stdout
    assert not (tmp_path / "basetemp" / "hopeit-logs").exists()


def test_the_plugin_restores_the_environment(pytestconfig: pytest.Config) -> None:
    from hopeit.testing import pytest_plugin

    assert pytestconfig.pluginmanager.is_registered(pytest_plugin)
    assert os.environ["HOPEIT_LOG_PATH"].rstrip(os.sep).endswith(pytest_plugin.LOG_FOLDER)
