"""``hopeit_server run`` refuses events that cannot run as written, saying which and what to do."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

HERE = Path(__file__).parent


def _configs(tmp_path: Path, events: Dict[str, Any]) -> str:
    server = tmp_path / "server.json"
    server.write_text(json.dumps({"logging": {"log_level": "INFO", "log_path": f"{tmp_path}/logs/"}}))
    app = tmp_path / "app.json"
    app.write_text(json.dumps({
        "app": {"name": "bad-steps", "version": "1.0"},
        "engine": {"import_modules": ["bad_steps_app"]},
        "events": events,
    }))
    return f"{server},{app}"


def _run(tmp_path: Path, events: Dict[str, Any]) -> "subprocess.CompletedProcess[str]":
    command = [str(Path(sys.executable).parent / "hopeit_server"), "run", "--port", "0",
               "--config-files", _configs(tmp_path, events)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def test_a_stream_event_taking_no_dataobject_is_refused_at_start(tmp_path: Path) -> None:
    done = _run(tmp_path, {"text_consumer": {"type": "STREAM", "read_stream": {"name": "texts",
                                                                                "consumer_group": "{auto}"}}})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "hopeit_server: error: ConfigError: bad_steps.1x0: events that cannot run as written:" in done.stderr
    assert ("bad_steps.1x0 text_consumer: event text_consumer: no step takes a @dataobject, so nothing can be "
            "read from a stream") in done.stderr
    assert "serving" not in done.stdout


def test_a_step_without_annotations_is_refused_at_start(tmp_path: Path) -> None:
    done = _run(tmp_path, {"untyped": {"type": "GET"}})
    assert done.returncode == 1, done.stdout + done.stderr
    assert ("bad_steps.1x0 untyped: step 'answer' does not annotate the type of 'payload' and the return type: "
            "steps are chained by their types, e.g. def answer(payload: MyData, context: EventContext) -> MyResult"
            ) in done.stderr
