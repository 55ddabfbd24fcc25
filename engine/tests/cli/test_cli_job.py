"""``hopeit_job``: one event run once from the command line, its JSON result on stdout."""

import io
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List

import pytest
from cli_support import (
    CONFIG_FILES,
    cli_env,  # noqa: F401 - the autouse fixture of these tests
)
from hopeit.cli.job import main, parse_job_args
from hopeit.server.job import JobError, JobRequest, run_job


def _job(*args: str, stdin: str = "") -> "subprocess.CompletedProcess[str]":
    return subprocess.run([str(Path(sys.executable).parent / "hopeit_job"), "--config-files", CONFIG_FILES, *args],
                          input=stdin, capture_output=True, text=True, timeout=120)


def test_get_event_with_query_args_and_track_ids() -> None:
    done = _job("--event-name", "get_item", "--query-args", '{"item_id": "a", "count": 2}')
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"id": "a", "count": 2, "color": "red"}


def test_post_event_with_payload_inline_from_a_file_and_from_stdin(tmp_path: Path) -> None:
    body = {"id": "p1", "count": 3, "color": "blue"}
    done = _job("--event-name", "web_test.1x0.post_item", "--payload", json.dumps(body))
    assert done.returncode == 0, done.stderr
    inline = json.loads(done.stdout)
    assert inline["id"] == "p1"
    body_file = tmp_path / "body.json"
    body_file.write_text(json.dumps(body))
    assert json.loads(_job("--event-name", "post_item", "--payload", f"@{body_file}").stdout) == inline
    assert json.loads(_job("--event-name", "post_item", "--payload", "@-", stdin=json.dumps(body)).stdout) == inline


@pytest.mark.parametrize("args, message", [
    (["--event-name", "nope"], "JobError: event 'nope' is not in the config files (events: "),
    (["--event-name", "post_item"], "event 'post_item' is a POST event: give its payload with --payload"),
    (["--event-name", "consume"], "event 'consume' is a STREAM event: give --start-streams"),
    (["--event-name", "service"], "event 'service' is SERVICE: hopeit_job runs GET, POST and STREAM events"),
    (["--event-name", "post_item", "--payload", '{"id": 1}'], "Invalid Item: id: Input should be a valid string"),
])
def test_failures_are_one_line_and_exit_1(args: List[str], message: str) -> None:
    done = _job(*args)
    assert done.returncode == 1
    assert message in done.stderr
    assert done.stderr.count("\n") == 1


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_job_args(["--config-files", CONFIG_FILES, "--event-name", "x", "--track", "[1]"])
    assert exited.value.code == 2
    assert "--track: a JSON object is expected" in capsys.readouterr().err


async def test_stream_event_consumes_what_a_post_wrote(monkeypatch: pytest.MonkeyPatch) -> None:
    """In one process the embedded streams are shared: a POST writes, the STREAM event consumes it."""
    request = JobRequest(config_files=CONFIG_FILES.split(","), event_name="produce",
                         payload=json.dumps({"id": "s1", "count": 1, "color": "red"}), start_streams=True,
                         track={"session_id": "job"})
    assert await run_job(request) is not None
    with pytest.raises(JobError, match="is a STREAM event"):
        await run_job(JobRequest(config_files=CONFIG_FILES.split(","), event_name="consume"))
    from web_test_app.state import CONSUMED

    CONSUMED.clear()
    await run_job(JobRequest(config_files=CONFIG_FILES.split(","), event_name="consume", start_streams=True,
                             max_events=1))
    assert CONSUMED == ["s1:job"]  # the message, with the track ids of the job that wrote it


def _main_in_a_thread(argv: List[str]) -> None:
    # asyncio.run replaces the thread's current event loop (Python < 3.12 leaves the one pytest-asyncio
    # set there unclosed): run it where no loop is set, as hopeit_job runs
    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(main, argv).result()


def test_main_prints_the_result(capsys: pytest.CaptureFixture[str]) -> None:
    _main_in_a_thread(["--config-files", CONFIG_FILES, "--event-name", "get_item",
                       "--query-args", '{"item_id": "m", "count": 1}'])
    assert json.loads(capsys.readouterr().out)["id"] == "m"


def test_payload_from_a_file_and_stdin_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    body = tmp_path / "body.json"
    body.write_text('{"id": "f1", "count": 1}')
    request = parse_job_args(["--config-files", CONFIG_FILES, "--event-name", "post_item", "--payload", f"@{body}",
                              "--track", '{"session_id": "cron", "track.other": "x"}'])
    assert request.payload == '{"id": "f1", "count": 1}'
    assert request.track == {"session_id": "cron", "track.other": "x"}
    monkeypatch.setattr("sys.stdin", io.StringIO('{"id": "s1", "count": 2}'))
    assert parse_job_args(["--config-files", CONFIG_FILES, "--event-name", "x", "--payload", "@-"]).payload == (
        '{"id": "s1", "count": 2}'
    )
    for args, message in (
        (["--payload", f"@{tmp_path / 'missing.json'}"], "--payload @"),
        (["--query-args", "not json"], "--query-args: not JSON"),
    ):
        with pytest.raises(SystemExit) as exited:
            parse_job_args(["--config-files", CONFIG_FILES, "--event-name", "x", *args])
        assert exited.value.code == 2
        assert message in capsys.readouterr().err


def test_main_reports_a_failure_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        _main_in_a_thread(["--config-files", CONFIG_FILES, "--event-name", "nope"])
    assert exited.value.code == 1
    assert capsys.readouterr().err.startswith("hopeit_job: error: JobError: event 'nope' is not in the config files")
