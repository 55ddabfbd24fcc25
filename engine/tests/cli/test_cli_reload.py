"""``hopeit_server run --reload`` restarts the server when an app's code or its config changes."""

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Optional

import pytest
from hopeit.cli.reload import watched_paths
from hopeit.testing.servers import free_port as _free_port
from hopeit.testing.waiting import wait_until

STEP = '''"""Answers a fixed word."""

from hopeit.app.context import EventContext

__steps__ = ["answer"]


def answer(payload: None, context: EventContext) -> str:
    return "{word}"
'''



def _project(tmp_path: Path, word: str) -> str:
    """A project as a user has it: configs in config/, the app's package in src/reload_app."""
    package = tmp_path / "src" / "reload_app"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""An app to reload."""\n')
    (package / "word.py").write_text(STEP.format(word=word))
    config = tmp_path / "config"
    config.mkdir()
    server = {"logging": {"log_level": "INFO", "log_path": f"{tmp_path}/logs/"}}
    (config / "server.json").write_text(json.dumps(server))
    (config / "app.json").write_text(json.dumps({
        "app": {"name": "reload-app", "version": "1.0"},
        "engine": {"import_modules": ["reload_app"]},
        "events": {"word": {"type": "GET"}},
    }))
    return f"{config / 'server.json'},{config / 'app.json'}"


def _word(port: int, route: str = "word") -> Optional[str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/reload-app/1x0/{route}", timeout=2) as resp:
            return str(json.loads(resp.read())[route])
    except (OSError, urllib.error.URLError, ValueError):
        return None


def test_watched_paths_are_the_config_and_app_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config_files = _project(tmp_path, "one")
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    assert watched_paths(config_files.split(",")) == [tmp_path / "config", tmp_path / "src" / "reload_app"]


async def test_code_and_config_changes_restart_the_server(tmp_path: Path) -> None:
    config_files = _project(tmp_path, "one")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "src"), os.environ.get("PYTHONPATH", "")])}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the server caches the app's bytecode, as a developer's does
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "hopeit_server"), "run", "--reload", "--host", "127.0.0.1",
         "--port", str(port), "--config-files", config_files],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        await wait_until(lambda: _word(port) == "one", timeout=60, what="the first answer")
        word = tmp_path / "src" / "reload_app" / "word.py"
        before = word.stat()
        word.write_text(STEP.format(word="two"))
        # same size and, as saved within one second, the same whole-second time as the code cached
        # when it was first imported: the restart must not take that bytecode for current
        os.utime(word, ns=(before.st_atime_ns, before.st_mtime_ns))
        await wait_until(lambda: _word(port) == "two", timeout=60, what="the answer of the changed code")
        app_json = tmp_path / "config" / "app.json"
        app = json.loads(app_json.read_text())
        app["events"] = {"renamed": {"type": "GET", "impl": "reload_app.word"}}
        app_json.write_text(json.dumps(app))
        await wait_until(lambda: _word(port, "renamed") == "two", timeout=60, what="the route of the changed config")
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    text = out.decode()
    assert proc.returncode == 0, text
    assert "hopeit_server: --reload is for development" in text
    assert "word.py changed: restarting" in text and "app.json changed: restarting" in text
    assert text.count("hopeit.engine serving 1 app(s)") == 3


def test_reload_with_workers_is_refused(tmp_path: Path) -> None:
    config_files = _project(tmp_path, "one")
    done = subprocess.run(
        [str(Path(sys.executable).parent / "hopeit_server"), "run", "--reload", "--workers", "2",
         "--config-files", config_files], capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert "--reload runs one server process: drop --workers" in done.stderr


def test_reload_without_watchfiles_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from hopeit.cli.reload import run_with_reload
    from hopeit.web.args import parse_args

    args = parse_args(["--config-files", _project(tmp_path, "one")])
    monkeypatch.setitem(sys.modules, "watchfiles", None)  # as if not installed
    with pytest.raises(SystemExit) as exited:
        run_with_reload(args)
    assert exited.value.code == 1
    assert 'pip install "hopeit.engine[cli,dev]"' in capsys.readouterr().err
