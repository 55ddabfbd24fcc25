"""``hopeit.testing.servers``: a real ``hopeit_server run`` process for end-to-end tests."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hopeit.testing.servers import HopeitServer, free_port, server_command

KIT_APP = Path(__file__).parent / "kit_app"


def _server_json(tmp_path: Path) -> Path:
    path = tmp_path / "server.json"
    path.write_text(json.dumps({"logging": {"log_level": "WARNING", "log_path": f"{tmp_path / 'logs'}/"}}))
    return path


def test_a_server_starts_answers_restarts_on_its_port_and_stops(tmp_path: Path) -> None:
    files = [_server_json(tmp_path), KIT_APP / "config.json"]
    server = HopeitServer("kit", files, tmp_path, pythonpath=[KIT_APP.parent], env={"KIT_TEST": "1"})
    assert server.url == f"http://127.0.0.1:{server.port}" and server.stop() is None
    with server:
        server.wait_listening().wait_ready()
        assert server.pid > 0
        assert server.status("/api/kit-app/1x0/read-settings") == 200
        assert server.status("/ready") == 200 and server.status("/no-such-route") == 404
        server.kill()
        assert server.status("/ready") is None  # nothing answers a killed server
        first = server.pid
        server.start().wait_ready()
        assert server.pid != first and server.status("/health") == 200
    assert server.proc is not None and server.proc.returncode == 0
    assert server.output_file == tmp_path / "kit.out" and "hopeit.engine serving 1 app(s)" in server.output()


def test_a_server_that_exits_or_never_gets_ready_fails_with_its_output(tmp_path: Path) -> None:
    broken = tmp_path / "app.json"
    broken.write_text("{not json")
    server = HopeitServer("broken", [_server_json(tmp_path), broken], tmp_path).start()
    with pytest.raises(AssertionError, match=r"broken exited with 1:\n.*app.json"):
        server.wait_listening()
    files = [_server_json(tmp_path), KIT_APP / "config.json"]
    slow = HopeitServer("slow", files, tmp_path, pythonpath=[KIT_APP.parent])
    with slow:
        with pytest.raises(AssertionError, match=r"slow not answering /health with \[204\] after 0.5 s"):
            slow.wait_listening().wait_ready("/health", timeout=0.5, statuses=(204,))
    with pytest.raises(AssertionError, match="was not started"):
        HopeitServer("never", [], tmp_path).wait_listening()


class _AnswersEverything(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # http.server looks the handler up by this name
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_answers_of_another_process_on_the_port_are_not_taken_for_the_server(tmp_path: Path) -> None:
    squatter = ThreadingHTTPServer(("127.0.0.1", free_port()), _AnswersEverything)
    threading.Thread(target=squatter.serve_forever, daemon=True).start()
    try:
        files = [_server_json(tmp_path), KIT_APP / "config.json"]
        server = HopeitServer("kit", files, tmp_path, pythonpath=[KIT_APP.parent], port=squatter.server_port)
        with server, pytest.raises(AssertionError) as failed:
            server.wait_ready()
        message = str(failed.value)
        assert f"another process listens on port {squatter.server_port}" in message
        assert "kit exited with" in message and "address already in use" in message.lower()
    finally:
        squatter.shutdown()
        squatter.server_close()


def test_low_level_helpers() -> None:
    assert 1024 < free_port() < 65536
    assert server_command()[-1].endswith("hopeit_server") or server_command()[-1] == "hopeit.cli.server"
