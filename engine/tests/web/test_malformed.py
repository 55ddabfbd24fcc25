"""Requests aiohttp cannot parse: answered 400 by aiohttp, reported as a short engine line now and then."""

import logging
import re
import socket
from typing import Callable, Dict, List

from aiohttp.http_exceptions import BadHttpMessage, HttpProcessingError, LineTooLong
from hopeit.web.malformed import MalformedRequests
from web_support import BASE, ServerProcess

StartServer = Callable[..., ServerProcess]


def _record(exc: BaseException, peer: str = "10.0.0.7") -> logging.LogRecord:
    return logging.LogRecord("aiohttp.server", logging.ERROR, __file__, 1, "Error handling request from %s",
                             (peer,), (type(exc), exc, None))


def test_client_parse_errors_are_dropped_and_reported_once_per_interval() -> None:
    lines: List[str] = []
    now = [100.0]
    malformed = MalformedRequests(lines.append, interval=10.0, clock=lambda: now[0])
    too_long = LineTooLong("x" * 500, "8190")
    assert malformed.filter(_record(too_long)) is False
    assert len(lines) == 1
    assert lines[0].startswith("Malformed HTTP request from 10.0.0.7 answered 400: LineTooLong: Got more than 8190")
    assert len(lines[0]) < 300  # aiohttp's message is cut: a client chooses what it holds
    for _ in range(5):
        now[0] += 1.0
        assert malformed.filter(_record(BadHttpMessage("bad header\r\nforged"))) is False
    assert len(lines) == 1 and malformed.unreported == 5
    now[0] += 10.0
    assert malformed.filter(_record(BadHttpMessage("bad header\r\nforged"), peer="10.0.0.8")) is False
    assert lines[1] == ("Malformed HTTP request from 10.0.0.8 answered 400: BadHttpMessage: bad header forged "
                        "(5 more since the last such line)")
    assert malformed.unreported == 0


def test_other_records_go_through() -> None:
    malformed = MalformedRequests(lambda text: None)
    assert malformed.filter(_record(RuntimeError("a bug"))) is True
    assert malformed.filter(_record(HttpProcessingError(code=500, message="server side"))) is True
    plain = logging.LogRecord("aiohttp.server", logging.ERROR, __file__, 1, "no exception", (), None)
    assert malformed.filter(plain) is True


def _status(port: int, data: bytes) -> int:
    """Status code of the answer to the raw request ``data``."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(data)
        return int(sock.recv(4096).split(b" ", 2)[1])


def test_a_server_answers_400_without_a_traceback(server_process: StartServer, web_env: Dict[str, str]) -> None:
    server = server_process()
    server.wait_ready()
    long_path = f"{BASE}/get-plain?payload={'a' * 9000}"
    for _ in range(3):
        assert _status(server.port, f"GET {long_path} HTTP/1.1\r\nHost: x\r\n\r\n".encode()) == 400
    head = f"GET {BASE}/get-plain HTTP/1.1\r\nHost: x\r\nContent-Length: many\r\n\r\n".encode()
    assert _status(server.port, head) == 400
    assert _status(server.port, f"GET {BASE}/get-plain?payload=x HTTP/1.0\r\n\r\n".encode()) == 200
    assert server.stop() == 0
    output = server.output()
    assert "Traceback" not in output and "Error handling request" not in output, output
    # newer aiohttp names the peer in its record; 3.10 (the oldest Python's) does not
    reported = [line for line in output.splitlines()
                if re.search(r"Malformed HTTP request from (127\.0\.0\.1|unknown peer) answered 400", line)]
    assert len(reported) == 1, output
    assert "LineTooLong" in reported[0] and "| WARNING |" in reported[0]
