"""Log injection over HTTP (issue #12, item 6): a request cannot write a forged log line.

An app logging a query arg (``logger.info(context, f"note: {note}")``) used to write whatever the
arg held: a newline started a line of the attacker's choosing and NUL bytes were written raw.
"""

import json
import logging
import uuid
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
from hopeit.server import logger as logger_module
from web_support import MakeClient

FORGED = "inj\n2099-01-01 00:00:00,000 | CRITICAL | hopeit.engine | FORGED admin login ok\x00"


@pytest.fixture
def logging_restored() -> Iterator[None]:
    """Handlers the server adds to loggers during the test are closed; logging config restored."""
    saved = (logger_module._config, logger_module._engine_name)
    before: Dict[str, List[logging.Handler]] = {
        name: list(logging.getLogger(name).handlers) for name in logging.root.manager.loggerDict
    }
    yield
    for name in list(logging.root.manager.loggerDict):
        existing = logging.getLogger(name)
        for handler in [h for h in existing.handlers if h not in before.get(name, [])]:
            handler.close()
            existing.removeHandler(handler)
    logger_module.init_logger(*saved)
    logging.captureWarnings(False)


def _configs(tmp_path: Path, app_name: str) -> List[str]:
    server = {"logging": {"log_level": "INFO", "log_path": f"{tmp_path}/logs/"}}
    app = {
        "app": {"name": app_name, "version": "1.0"},
        "engine": {"import_modules": ["web_test_app"], "track_headers": ["session_id"]},
        "events": {"log_echo": {"type": "GET"}},
    }
    files = []
    for name, content in (("server.json", server), ("app.json", app)):
        path = tmp_path / name
        path.write_text(json.dumps(content))
        files.append(str(path))
    return files


def _log_lines(folder: Path) -> List[str]:
    for name in list(logging.root.manager.loggerDict):
        for handler in logging.getLogger(name).handlers:
            handler.flush()
    lines: List[str] = []
    for path in sorted(folder.glob("*.log")):
        data = path.read_bytes().decode()
        lines.extend(data.split("\n")[:-1])  # a reader splitting on newlines only
    return lines


@pytest.mark.usefixtures("logging_restored")
async def test_forged_line_in_a_logged_query_arg_stays_in_its_line(web_client: MakeClient, tmp_path: Path) -> None:
    app_name = f"log-injection-{uuid.uuid4().hex[:8]}"
    client = await web_client(_configs(tmp_path, app_name))
    resp = await client.get(f"/api/{app_name}/1x0/log-echo", params={"note": FORGED},
                            headers={"X-Track-Session-Id": "s\x85x"})
    assert resp.status == 200
    lines = _log_lines(tmp_path / "logs")
    forged = [line for line in lines if "FORGED admin" in line]  # the access line has it %-encoded
    assert len(forged) == 1, forged
    [line] = forged
    assert not any(line.startswith("2099") for line in lines)
    escaped = "inj\\n2099-01-01 00:00:00,000 | CRITICAL | hopeit.engine | FORGED admin login ok\\x00"
    assert f"| INFO | {app_name} 1.0 log_echo " in line
    assert f"| note: {escaped} | extra.note={escaped} | " in line
    assert "| track.session_id=s\\x85x | " in line
    assert "\x00" not in "".join(lines)


@pytest.mark.usefixtures("logging_restored")
async def test_request_lines_are_in_the_event_own_log_file(web_client: MakeClient, tmp_path: Path) -> None:
    """START and DONE of a request go to the event's logger and file, named after the app and the event,
    as 0.24 wrote them (log-streamer reads the app and event of each entry from that name)."""
    app_name = f"log-files-{uuid.uuid4().hex[:8]}"
    client = await web_client(_configs(tmp_path, app_name))
    assert (await client.get(f"/api/{app_name}/1x0/log-echo", params={"note": "hi"})).status == 200
    _log_lines(tmp_path / "logs")  # flushed
    [event_file] = (tmp_path / "logs").glob(f"{app_name.replace('-', '_')}_1x0_log_echo_*.log")
    lines = event_file.read_text().splitlines()
    head = f" | INFO | {app_name} 1.0 log_echo "
    assert [line.split(" | ")[3] for line in lines if head in line and " | note: " not in line] == ["START", "DONE"]
    done = next(line for line in lines if " | DONE | " in line)
    assert f"http.request=GET /api/{app_name}/1x0/log-echo?note=hi" in done
    engine_files = "".join(p.read_text() for p in (tmp_path / "logs").glob("*_engine_*.log"))
    assert " | START | " not in engine_files and " | DONE | " not in engine_files
